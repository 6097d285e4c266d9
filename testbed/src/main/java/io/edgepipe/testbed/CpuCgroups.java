package io.edgepipe.testbed;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The cgroup v1 {@code cpu} groups of the two nodes: the edge's is capped with a CFS quota
 * ({@code cpu.cfs_quota_us = edgeCpu x cpu.cfs_period_us}, so 0.5 = half a core over every
 * 100 ms period); the server's is uncapped (quota -1) and exists for accounting
 * ({@code cpu.stat}) only. Processes join by writing their PID to {@code cgroup.procs}.
 */
final class CpuCgroups {
  static final long PERIOD_US = 100_000;

  /** A group's quota as read back: quota -1 means uncapped. */
  record Quota(long quotaUs, long periodUs) {
    double cores() {
      return quotaUs < 0 ? Double.POSITIVE_INFINITY : (double) quotaUs / periodUs;
    }
  }

  private CpuCgroups() {}

  static void create(Path group, double cores) {
    try {
      Files.createDirectory(group);
      write(group.resolve("cpu.cfs_period_us"), String.valueOf(PERIOD_US));
      write(group.resolve("cpu.cfs_quota_us"), cores <= 0 ? "-1" : String.valueOf(Math.round(cores * PERIOD_US)));
    } catch (IOException e) {
      throw new TestbedException("cannot create cgroup " + group + ": " + e);
    }
  }

  /** Sets a group's quota to {@code cores} (0 or less = uncapped); its processes feel it from the next period. */
  static void setQuota(Path group, double cores) {
    try {
      write(group.resolve("cpu.cfs_quota_us"), cores <= 0 ? "-1" : String.valueOf(Math.round(cores * PERIOD_US)));
    } catch (IOException e) {
      throw new TestbedException("cannot set the quota of cgroup " + group + ": " + e);
    }
  }

  static Quota read(Path group) {
    return new Quota(Long.parseLong(readText(group.resolve("cpu.cfs_quota_us"))),
        Long.parseLong(readText(group.resolve("cpu.cfs_period_us"))));
  }

  static List<Long> pids(Path group) {
    List<Long> pids = new ArrayList<>();
    if (Files.isDirectory(group)) {
      for (String line : readText(group.resolve("cgroup.procs")).split("\n")) {
        if (!line.isBlank()) {
          pids.add(Long.parseLong(line.strip()));
        }
      }
    }
    return pids;
  }

  /** Groups directly under the cpu hierarchy whose name passes {@code filter}. */
  static List<Path> groups(java.util.function.Predicate<String> filter) {
    Path root = Names.cpuCgroupRoot();
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(root)) {
      return s.filter(p -> Files.isDirectory(p) && filter.test(p.getFileName().toString())).toList();
    } catch (IOException e) {
      throw new TestbedException("cannot list " + root + ": " + e);
    }
  }

  /** rmdir; the kernel refuses while a task is still in the group. */
  static void remove(Path group) throws IOException {
    Files.delete(group);
  }

  static String stat(Path group) {
    return readText(group.resolve("cpu.stat"));
  }

  private static void write(Path file, String value) throws IOException {
    Files.writeString(file, value);
  }

  private static String readText(Path file) {
    try {
      return Files.readString(file).strip();
    } catch (IOException e) {
      throw new TestbedException("cannot read " + file + ": " + e);
    }
  }
}
