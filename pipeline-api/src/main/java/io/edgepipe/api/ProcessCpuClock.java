package io.edgepipe.api;

import java.lang.management.ManagementFactory;

/**
 * CPU time this process has used since it started, all threads together (compute, gRPC event
 * loops, GC, the JIT), in microseconds; what a CPU quota on the process's cgroup is charged. Read
 * from the JVM's {@code OperatingSystemMXBean} (on Linux the kernel's user + system time: cheap,
 * one system call, resolution a clock tick of 10 ms, which cancels out over successive readings
 * because the counter is cumulative). 0 where the JVM does not say.
 */
public final class ProcessCpuClock {
  private static final com.sun.management.OperatingSystemMXBean OS =
      ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os ? os : null;

  private ProcessCpuClock() {}

  public static long nowMicros() {
    if (OS == null) {
      return 0;
    }
    long nanos = OS.getProcessCpuTime();
    return nanos > 0 ? nanos / 1_000 : 0;
  }
}
