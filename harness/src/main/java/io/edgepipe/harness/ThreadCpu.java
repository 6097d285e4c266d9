package io.edgepipe.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * CPU time and wake-ups of each thread of a process, read from Linux's /proc, to split a stage
 * process's CPU per frame between its event loops, its compute thread, kernel helpers, GC and JIT.
 * A process's total CPU says how much a frame costs; this says where. Wake-ups matter on their own:
 * in a virtual machine, waking a thread on an idle vCPU costs far more than the hand-off itself.
 *
 * <p>Threads are grouped by their name with the trailing numbering taken off ({@code
 * grpc-server-ELG-1-3} and {@code grpc-server-ELG-1-4} are one group). Linux keeps the first 15
 * characters of a thread's name. A thread that ends between two snapshots is missed (its CPU
 * shows only in the process's total); a thread that starts between them counts from zero.
 * Elsewhere than Linux a snapshot is empty.
 */
public final class ThreadCpu {
  /** One thread's counters: CPU nanoseconds, times it was put on a CPU, and times it gave it up waiting. */
  record Counters(String group, long cpuNanos, long runs, long waits) {}

  private final Map<Long, Counters> threads;

  private ThreadCpu(Map<Long, Counters> threads) {
    this.threads = threads;
  }

  /** What the threads of process {@code pid} have used so far; empty when /proc cannot say. */
  public static ThreadCpu of(long pid) {
    Map<Long, Counters> threads = new HashMap<>();
    Path tasks = Path.of("/proc", Long.toString(pid), "task");
    try (Stream<Path> list = Files.list(tasks)) {
      for (Path task : (Iterable<Path>) list::iterator) {
        Counters c = read(task);
        if (c != null) {
          threads.put(Long.parseLong(task.getFileName().toString()), c);
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or the process is gone: nothing to split
    }
    return new ThreadCpu(threads);
  }

  private static Counters read(Path task) {
    try {
      String comm = Files.readString(task.resolve("comm")).strip();
      // schedstat: nanoseconds on a CPU, nanoseconds waiting for one, times run
      String[] sched = Files.readString(task.resolve("schedstat")).trim().split("\\s+");
      long waits = 0;
      for (String line : Files.readAllLines(task.resolve("status"))) {
        if (line.startsWith("voluntary_ctxt_switches:")) {
          waits = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
        }
      }
      return new Counters(group(comm), Long.parseLong(sched[0]), Long.parseLong(sched[2]), waits);
    } catch (IOException | RuntimeException e) {
      return null; // the thread ended while being read
    }
  }

  /** The thread's group: its name without trailing numbering ({@code GC Thread#1} -> {@code GC Thread}). */
  static String group(String comm) {
    String g = comm.replaceAll("([-#_ ]*[0-9]+)+$", ""); // every trailing number: pool 1, thread 3
    return g.isEmpty() ? comm : g;
  }

  /** Whether a thread group is HotSpot's JIT compilers ({@code C1 CompilerThread0}, {@code C2 CompilerThread1}). */
  public static boolean isCompiler(String group) {
    return group.startsWith("C1 CompilerThre") || group.startsWith("C2 CompilerThre");
  }

  /** Per thread group, what was used since {@code before} (a snapshot of the same process), by group name. */
  public Map<String, Usage> since(ThreadCpu before) {
    Map<String, Usage> groups = new TreeMap<>();
    for (Map.Entry<Long, Counters> e : threads.entrySet()) {
      Counters now = e.getValue();
      Counters then = before.threads.get(e.getKey());
      if (then != null && !then.group().equals(now.group())) {
        then = null; // the thread id was reused by another thread
      }
      Usage u = new Usage(now.cpuNanos() - (then == null ? 0 : then.cpuNanos()),
          now.runs() - (then == null ? 0 : then.runs()), now.waits() - (then == null ? 0 : then.waits()));
      groups.merge(now.group(), u, Usage::plus);
    }
    return groups;
  }

  /**
   * The share of the CPU used between {@code before} and {@code after} (snapshots of the same
   * processes, in the same order) that went to the JIT compilers; 0 where nothing was counted.
   */
  public static double compilerShare(List<ThreadCpu> before, List<ThreadCpu> after) {
    long all = 0;
    long jit = 0;
    for (int i = 0; i < Math.min(before.size(), after.size()); i++) {
      for (Map.Entry<String, Usage> g : after.get(i).since(before.get(i)).entrySet()) {
        all += g.getValue().cpuNanos();
        if (isCompiler(g.getKey())) {
          jit += g.getValue().cpuNanos();
        }
      }
    }
    return all > 0 ? (double) jit / all : 0;
  }

  /** What a group of threads used: CPU nanoseconds, times put on a CPU, times it blocked (voluntary switches). */
  public record Usage(long cpuNanos, long runs, long waits) {
    Usage plus(Usage o) {
      return new Usage(cpuNanos + o.cpuNanos, runs + o.runs, waits + o.waits);
    }
  }
}
