package io.edgepipe.testbed;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What the testbed needs from the host: root, {@code ip} with netns, {@code tc}, cgroup v1 cpu. */
final class Prerequisites {
  private Prerequisites() {}

  /** True when this process runs as uid 0 (read from /proc/self/status). */
  static boolean isRoot() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          return line.split("\\s+")[1].equals("0");
        }
      }
    } catch (IOException | RuntimeException e) {
      return false;
    }
    return false;
  }

  static List<String> missing() {
    List<String> missing = new ArrayList<>();
    if (!isRoot()) {
      missing.add("not root");
      return missing; // the other checks need root to mean anything
    }
    if (!Sh.exec(List.of("ip", "netns", "list")).ok()) {
      missing.add("`ip netns` does not work (iproute2 with network namespaces)");
    }
    if (!Sh.exec(List.of("tc", "-V")).ok()) {
      missing.add("`tc` not found (iproute2)");
    }
    Path cpu = Names.cpuCgroupRoot();
    if (!Files.isRegularFile(cpu.resolve("cpu.cfs_quota_us")) || !Files.isWritable(cpu)) {
      missing.add("cgroup v1 cpu controller not mounted (writable) at " + cpu);
    }
    return missing;
  }
}
