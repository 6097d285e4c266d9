package io.edgepipe.harness.testbed;

import io.edgepipe.testbed.Node;
import io.edgepipe.testbed.Testbed;
import io.edgepipe.testbed.TestbedState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which process runs which stage on which node of an up testbed (read from the processes'
 * command lines: {@link TestbedStage} NAME, or {@link TestbedProducer} for the producer), and
 * how much CPU each one's JIT compiler threads have used. A node runs one instance of a stage (the
 * active one or its standby); a stage started anew after a move is found again when the old
 * process is gone.
 */
final class StageJvms {
  private final TestbedState state;
  private final Map<String, Long> pids = new HashMap<>(); // "stage|node" -> pid

  StageJvms(TestbedState state) {
    this.state = state;
  }

  /** Compile CPU seconds so far of the JVM running {@code stage} on {@code node}; NaN when none is found. */
  synchronized double compileSeconds(String stage, Node node) {
    Long pid = pids.get(key(stage, node));
    if (pid == null || !Files.isDirectory(Path.of("/proc", pid.toString()))) {
      refresh(node);
      pid = pids.get(key(stage, node));
    }
    return pid == null ? Double.NaN : JitActivity.compileSeconds(pid);
  }

  private void refresh(Node node) {
    pids.keySet().removeIf(k -> k.endsWith("|" + node));
    for (long pid : Testbed.pidsIn(state, node)) {
      String stage = stageOf(cmdline(pid));
      if (stage != null) {
        pids.put(key(stage, node), pid);
      }
    }
  }

  /** The stage a command line runs (NUL-separated arguments), or null when it is not a stage or producer JVM. */
  static String stageOf(List<String> args) {
    for (int i = 0; i < args.size(); i++) {
      if (args.get(i).equals(TestbedProducer.class.getName())) {
        return "producer";
      }
      if (args.get(i).equals(TestbedStage.class.getName()) && i + 1 < args.size()) {
        return args.get(i + 1);
      }
    }
    return null;
  }

  private static List<String> cmdline(long pid) {
    try {
      return List.of(Files.readString(Path.of("/proc", Long.toString(pid), "cmdline")).split("\0"));
    } catch (IOException e) {
      return List.of();
    }
  }

  private static String key(String stage, Node node) {
    return stage + "|" + node;
  }
}
