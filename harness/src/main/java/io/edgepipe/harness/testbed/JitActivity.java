package io.edgepipe.harness.testbed;

import io.edgepipe.testbed.ProcessCpu;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU the JIT compiler threads of a set of JVMs have used, read from /proc (no JVM flag needed):
 * a JVM whose compiler threads are idle while frames flow has compiled its hot code, and one whose
 * compiler threads work after a move is still warming up. HotSpot names them "C1 CompilerThread0",
 * "C2 CompilerThread0" (the kernel keeps 15 characters of a thread's name).
 */
public final class JitActivity {
  private final Map<Long, Double> lastByThread = new HashMap<>(); // thread id -> CPU s when last read
  private double total;

  /**
   * Reads the compiler threads of {@code pids} (processes that are not JVMs have none) and returns
   * the compile CPU seconds they used since the previous call (every thread's first reading counts
   * from the previous call too: a JVM that was not read before adds its whole compile time).
   */
  public synchronized double advance(List<Long> pids) {
    double sum = 0;
    for (long pid : pids) {
      for (long tid : compilerThreads(pid)) {
        double cpu = ProcessCpu.threadSeconds(pid, tid);
        if (!Double.isFinite(cpu)) {
          continue;
        }
        Double before = lastByThread.put(tid, cpu);
        sum += Math.max(0, cpu - (before == null ? 0 : before));
      }
    }
    total += sum;
    return sum;
  }

  /** Compile CPU seconds so far of one process's compiler threads (0 when it has none or is gone). */
  public static double compileSeconds(long pid) {
    double sum = 0;
    for (long tid : compilerThreads(pid)) {
      double cpu = ProcessCpu.threadSeconds(pid, tid);
      sum += Double.isFinite(cpu) ? cpu : 0;
    }
    return sum;
  }

  /** All compile CPU seconds counted so far. */
  public synchronized double total() {
    return total;
  }

  /** Thread ids of a process's JIT compiler threads; empty when it has none or is gone. */
  static List<Long> compilerThreads(long pid) {
    Path tasks = Path.of("/proc", Long.toString(pid), "task");
    try (Stream<Path> s = Files.list(tasks)) {
      return s.filter(t -> isCompiler(readComm(t))).map(t -> Long.parseLong(t.getFileName().toString())).toList();
    } catch (IOException | RuntimeException e) {
      return List.of();
    }
  }

  /** Whether a thread's name (its /proc comm) is one of HotSpot's compiler threads. */
  static boolean isCompiler(String comm) {
    return comm != null && (comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre"));
  }

  private static String readComm(Path task) {
    try {
      return Files.readString(task.resolve("comm")).trim();
    } catch (IOException e) {
      return null;
    }
  }
}
