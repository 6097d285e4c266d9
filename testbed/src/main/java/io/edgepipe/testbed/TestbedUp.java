package io.edgepipe.testbed;

import java.util.function.Consumer;

/**
 * Builds a testbed step by step. The state file is written first (phase {@code creating}), so
 * a {@code down} after a crash or a kill -9 knows what was meant. On a failure, and on Ctrl-C or
 * SIGTERM while it runs (a shutdown hook), everything made so far is removed before the
 * exception or the exit goes on. Steps run under one lock so that the hook never tears down
 * while a step is half done.
 */
final class TestbedUp {
  /** Step names, in order; {@code afterStep} hears each one when it is done. */
  static final String[] STEPS = {"state", "netns-edge", "netns-server", "link", "shape-edge", "shape-server",
      "cgroup-edge", "cgroup-server", "up"};

  private final TestbedConfig config;
  private final Names names;
  private final Consumer<String> afterStep;
  private final Object stepLock = new Object();
  private boolean aborted; // guarded by stepLock

  TestbedUp(TestbedConfig config, Consumer<String> afterStep) {
    this.config = config;
    this.names = config.names();
    this.afterStep = afterStep == null ? s -> { } : afterStep;
  }

  TestbedState run() {
    refuseIfPresent();
    Thread undo = new Thread(this::abort, names.prefix() + "-testbed-undo");
    Runtime.getRuntime().addShutdownHook(undo);
    try {
      TestbedState state = TestbedState.of(config, TestbedState.CREATING);
      step("state", state::write);
      for (Node node : Node.values()) {
        step("netns-" + node.word(), () -> Network.addNamespace(names.netns(node)));
      }
      step("link", () -> Network.addLink(names, config.subnet()));
      for (Node node : Node.values()) {
        step("shape-" + node.word(), () -> LinkShaper.shape(names.netns(node), names.veth(node), config.bandwidthBps()));
      }
      step("cgroup-edge", () -> CpuCgroups.create(names.cpuCgroup(Node.EDGE), config.edgeCpu()));
      step("cgroup-server", () -> CpuCgroups.create(names.cpuCgroup(Node.SERVER), -1));
      TestbedState up = state.withPhase(TestbedState.UP);
      step("up", up::write);
      removeHook(undo);
      return up;
    } catch (RuntimeException | Error e) {
      removeHook(undo);
      abort();
      throw e;
    }
  }

  private void refuseIfPresent() {
    if (TestbedState.read(names).isPresent() || !Network.namespaces(names.owned()).isEmpty()
        || !CpuCgroups.groups(names.owned()).isEmpty()) {
      throw new TestbedException("a testbed with prefix " + names.prefix()
          + " is already up (or left over): run `pipeline testbed down` first");
    }
  }

  private void step(String name, Runnable action) {
    synchronized (stepLock) {
      if (aborted) {
        throw new TestbedException("testbed up interrupted before step " + name);
      }
      action.run();
    }
    afterStep.accept(name);
  }

  /** Undo: wait for the running step, forbid further ones, remove everything. */
  private void abort() {
    synchronized (stepLock) {
      if (aborted) {
        return;
      }
      aborted = true;
    }
    try {
      Teardown.down(names, false);
    } catch (RuntimeException e) {
      System.err.println("testbed up: cleanup after failure incomplete: " + e.getMessage());
    }
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or will run; it finds the testbed already removed or removes it
    }
  }
}
