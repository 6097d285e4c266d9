package io.edgepipe.api;

import java.time.Instant;

/**
 * Microseconds since the Unix epoch, monotonic within a JVM. The wall clock is read once and
 * advanced with {@link System#nanoTime()}, so a stage's timings never go backwards when NTP
 * steps the clock, yet stay comparable across processes on one host.
 */
public final class EpochClock {
  private static final long BASE_US;
  private static final long BASE_NANOS;

  static {
    Instant now = Instant.now();
    BASE_NANOS = System.nanoTime();
    BASE_US = now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
  }

  private EpochClock() {}

  public static long nowMicros() {
    return BASE_US + (System.nanoTime() - BASE_NANOS) / 1_000;
  }
}
