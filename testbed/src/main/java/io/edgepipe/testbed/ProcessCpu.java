package io.edgepipe.testbed;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time a process has used so far (all its threads, user and system), read from /proc. */
public final class ProcessCpu {
  /** USER_HZ: the unit of utime and stime in /proc/PID/stat, 100 on every Linux this runs on. */
  private static final double TICKS_PER_SECOND = 100;

  private ProcessCpu() {}

  /** Seconds of CPU, or NaN when the process is gone or /proc cannot be read. */
  public static double seconds(long pid) {
    try {
      return parse(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /**
   * Seconds of CPU one thread of a process has used (/proc/PID/task/TID/stat), or NaN when it is
   * gone. Not /proc/TID/stat: that path names the thread but reports its whole process.
   */
  public static double threadSeconds(long pid, long tid) {
    try {
      return parse(Files.readString(Path.of("/proc", Long.toString(pid), "task", Long.toString(tid), "stat")));
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /** utime + stime of a /proc/PID/stat line, in seconds (the command name may hold spaces and parentheses). */
  static double parse(String stat) {
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
    // after "pid (comm) ": state is field 3 of the man page, utime 14, stime 15
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
  }
}
