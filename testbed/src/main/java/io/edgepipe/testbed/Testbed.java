package io.edgepipe.testbed;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The edge/server testbed on one Linux host (root): two network namespaces joined by a shaped
 * veth link, the edge's CPU capped by a cgroup v1 quota, an optional one-way delay by a
 * user-space forwarder. Everything created is named {@code <prefix>-...} (default
 * {@code edgepipe-...}) and removed by {@link #down}.
 *
 * <pre>{@code
 * if (Testbed.missingPrerequisites().isEmpty()) {
 *   TestbedState tb = Testbed.up(TestbedConfig.defaults().withBandwidth("100mbit").withEdgeCpu(0.5));
 *   try {
 *     NodeLauncher on = Testbed.launcher(tb);   // start processes on EDGE or SERVER
 *     ... // or, from the cli module: new TestbedRun(tb, "EESS", logDir).run(options, progress)
 *   } finally {
 *     Testbed.down(tb.prefix());
 *   }
 * }
 * }</pre>
 */
public final class Testbed {
  /** The one line the CLI prints when not root. */
  public static final String NEEDS_ROOT = "pipeline testbed needs root (network namespaces, tc, cgroups)";

  private Testbed() {}

  /** True when this process runs as root. */
  public static boolean isRoot() {
    return Prerequisites.isRoot();
  }

  /** What is missing for a testbed here (empty = usable): not root, no ip netns, no tc, no cgroup v1 cpu. */
  public static List<String> missingPrerequisites() {
    return Prerequisites.missing();
  }

  /**
   * Builds the testbed. Fails (and removes what it made) if one with the same prefix exists.
   *
   * @return its state, also written to {@code /run/<prefix>-testbed/state.json}
   */
  public static TestbedState up(TestbedConfig config) {
    return up(config, null);
  }

  /**
   * As {@link #up(TestbedConfig)}; {@code afterStep} hears the name of every finished step
   * ({@code state, netns-edge, netns-server, link, shape-edge, shape-server, cgroup-edge,
   * cgroup-server, up}). If it throws, {@code up} fails there and cleans up (tests use this).
   */
  public static TestbedState up(TestbedConfig config, Consumer<String> afterStep) {
    requireUsable();
    return new TestbedUp(config, afterStep).run();
  }

  /** Removes the default testbed ({@code edgepipe}); see {@link #down(String)}. */
  public static List<String> down() {
    return down(Names.DEFAULT_PREFIX);
  }

  /**
   * Removes the processes in the testbed's namespaces and cgroups, its namespaces
   * {@code <prefix>-edge|server} (with the link), stray links {@code <prefix>-e|s}, its cgroups
   * and its state directory, whether {@code up} finished or not (found by name). Idempotent;
   * testbeds of other prefixes are left alone.
   *
   * @return one line per thing removed
   */
  public static List<String> down(String prefix) {
    requireRoot();
    return Teardown.down(new Names(prefix), false);
  }

  /**
   * Removes every testbed object named {@code edgepipe-*}, of any prefix: the sweep after
   * crashes of unknown testbeds. Careful on a shared host: it also stops other users' testbeds.
   */
  public static List<String> downAll() {
    requireRoot();
    return Teardown.down(Names.defaults(), true);
  }

  private static void requireRoot() {
    if (!isRoot()) {
      throw new TestbedException(NEEDS_ROOT);
    }
  }

  public static Optional<TestbedState> state(String prefix) {
    return TestbedState.read(new Names(prefix));
  }

  /** The state of an up testbed, or a {@link TestbedException} saying to run {@code testbed up}. */
  public static TestbedState require(String prefix) {
    Names names = new Names(prefix);
    TestbedState s = TestbedState.read(names).orElseThrow(() -> new TestbedException(
        "no testbed is up (no " + names.stateFile() + "): run `pipeline testbed up` first"));
    if (!s.isUp()) {
      throw new TestbedException("testbed " + prefix + " is half built (phase " + s.phase()
          + "): run `pipeline testbed down`, then `pipeline testbed up`");
    }
    return s;
  }

  /** The text of {@code testbed status}. */
  public static String status(String prefix) {
    return StatusReport.of(new Names(prefix));
  }

  /** How to start processes on the nodes of an up testbed. */
  public static NodeLauncher launcher(TestbedState state) {
    return new NodeLauncher(state);
  }

  /**
   * Changes the link's rate on an up testbed, both ends, while processes use it (tc {@code change}:
   * connections stay up); the state file follows.
   *
   * @return the new state
   */
  public static TestbedState setLinkRate(TestbedState state, long bps) {
    requireRoot();
    if (bps <= 0) {
      throw new TestbedException("link rate must be > 0 bit/s, got " + bps);
    }
    for (Node node : Node.values()) {
      LinkShaper.reshape(state.netns(node), state.names().veth(node), bps);
    }
    TestbedState changed = state.withBandwidth(bps);
    changed.write();
    return changed;
  }

  /**
   * Changes the edge node's CPU quota on an up testbed while its processes run (they feel it from
   * the next CFS period); the state file follows.
   *
   * @return the new state
   */
  public static TestbedState setEdgeCpu(TestbedState state, double cores) {
    requireRoot();
    if (!(cores > 0)) {
      throw new TestbedException("edge cpu must be > 0 cores, got " + cores);
    }
    CpuCgroups.setQuota(state.names().cpuCgroup(Node.EDGE), cores);
    TestbedState changed = state.withEdgeCpu(cores);
    changed.write();
    return changed;
  }

  /** The processes in a node's namespace and cpu cgroup now (empty once a run has cleaned up). */
  public static List<Long> pidsIn(TestbedState state, Node node) {
    java.util.Set<Long> pids = new java.util.TreeSet<>(Network.pids(state.netns(node)));
    pids.addAll(CpuCgroups.pids(state.names().cpuCgroup(node)));
    return List.copyOf(pids);
  }

  /** CPU seconds (user + system) the processes now in a node's cgroup have used so far. */
  public static double cpuSeconds(TestbedState state, Node node) {
    double total = 0;
    for (long pid : CpuCgroups.pids(state.names().cpuCgroup(node))) {
      double s = ProcessCpu.seconds(pid);
      if (Double.isFinite(s)) {
        total += s;
      }
    }
    return total;
  }

  /** The node's CFS counters: periods so far, periods in which it was throttled, and the throttled time (ns). */
  public static long[] throttling(TestbedState state, Node node) {
    long[] out = new long[3];
    for (String line : CpuCgroups.stat(state.names().cpuCgroup(node)).split("\n")) {
      String[] kv = line.trim().split("\\s+");
      if (kv.length == 2) {
        switch (kv[0]) {
          case "nr_periods" -> out[0] = Long.parseLong(kv[1]);
          case "nr_throttled" -> out[1] = Long.parseLong(kv[1]);
          case "throttled_time" -> out[2] = Long.parseLong(kv[1]);
          default -> { }
        }
      }
    }
    return out;
  }

  /** Shaping of one end of the link as tc reports it (rates in bit/s), for checks and tests. */
  public static LinkReadback readLink(TestbedState state, Node node) {
    LinkShaper.Readback r = LinkShaper.read(state.netns(node), state.names().veth(node));
    return new LinkReadback(r.htbRateBps(), r.htbCeilBps(), r.tbfRateBps());
  }

  /** The node's cgroup quota as the kernel reports it. */
  public static CpuReadback readCpu(TestbedState state, Node node) {
    CpuCgroups.Quota q = CpuCgroups.read(state.names().cpuCgroup(node));
    return new CpuReadback(q.quotaUs(), q.periodUs());
  }

  /** @param htbRateBps the htb class rate; {@code tbfRateBps} the tbf child's rate */
  public record LinkReadback(long htbRateBps, long htbCeilBps, long tbfRateBps) {}

  /** @param quotaUs -1 = uncapped */
  public record CpuReadback(long quotaUs, long periodUs) {
    public double cores() {
      return quotaUs < 0 ? Double.POSITIVE_INFINITY : (double) quotaUs / periodUs;
    }
  }

  private static void requireUsable() {
    List<String> missing = missingPrerequisites();
    if (missing.contains("not root")) {
      throw new TestbedException(NEEDS_ROOT);
    }
    if (!missing.isEmpty()) {
      throw new TestbedException("testbed cannot run here: " + String.join("; ", missing));
    }
  }
}
