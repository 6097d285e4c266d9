package io.edgepipe.runtime;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The process CPU counter a cluster controller reads from two scrapes (autoplace's CPU per frame). */
class StageMetricsCpuTest {
  private static final Pattern CPU = Pattern.compile("^edgepipe_process_cpu_seconds_total\\{stage=\"conv\"\\} (\\S+)$",
      Pattern.MULTILINE);

  static double cpuSeconds(String scrape) {
    Matcher m = CPU.matcher(scrape);
    assertTrue(m.find(), "no process CPU counter in:\n" + scrape);
    return Double.parseDouble(m.group(1));
  }

  @Test
  void theProcessCpuIsExportedAsACounterThatGrowsWithWork() {
    StageMetrics metrics = new StageMetrics("conv");
    double before = cpuSeconds(metrics.scrape());
    long x = 0;
    long until = System.nanoTime() + 200_000_000L;
    while (System.nanoTime() < until) {
      x += Long.numberOfTrailingZeros(x + System.nanoTime()); // 0.2 s of this thread's CPU
    }
    double after = cpuSeconds(metrics.scrape());
    assertTrue(before > 0, "a running JVM has used some CPU: " + before);
    // kernel ticks are 10 ms; on a loaded host the thread may get less than the 0.2 s it spun
    assertTrue(after - before >= 0.02, "the counter grew by " + (after - before) + " s (" + x + ")");
  }
}
