package io.edgepipe.producer;

/**
 * Latencies in microseconds in a fixed amount of memory, whatever the run's length: exact below
 * 1024 us, then 512 buckets per doubling (a relative error under 0.2%), up to 2^50 us.
 */
final class LatencyHistogram {
  private static final int EXACT = 1024;
  private static final int PER_DOUBLING = 512;
  private static final int DOUBLINGS = 40;

  private final long[] counts = new long[EXACT + DOUBLINGS * PER_DOUBLING];
  private long total;
  private double sum;

  void record(long us) {
    long v = Math.max(0, us);
    counts[index(v)]++;
    total++;
    sum += v;
  }

  long count() {
    return total;
  }

  double meanMicros() {
    return total == 0 ? 0 : sum / total;
  }

  /** Nearest-rank percentile, as the lower bound of its bucket, in microseconds. */
  double percentileMicros(double p) {
    if (total == 0) {
      return 0;
    }
    long rank = Math.max(1, (long) Math.ceil(p / 100.0 * total));
    long seen = 0;
    for (int i = 0; i < counts.length; i++) {
      seen += counts[i];
      if (seen >= rank) {
        return lowerBound(i);
      }
    }
    return lowerBound(counts.length - 1);
  }

  static int index(long v) {
    if (v < EXACT) {
      return (int) v;
    }
    int msb = 63 - Long.numberOfLeadingZeros(v); // >= 10
    int shift = msb - 9;
    int sub = (int) (v >> shift) - PER_DOUBLING; // 0..511
    int doubling = Math.min(DOUBLINGS - 1, msb - 10);
    return EXACT + doubling * PER_DOUBLING + sub;
  }

  static long lowerBound(int index) {
    if (index < EXACT) {
      return index;
    }
    int doubling = (index - EXACT) / PER_DOUBLING;
    int sub = (index - EXACT) % PER_DOUBLING;
    return (long) (sub + PER_DOUBLING) << (doubling + 1);
  }
}
