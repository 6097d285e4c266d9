package io.edgepipe.planner.profile;

/** Which compute-time statistic a prediction uses: the median (typical) or p95 (pessimistic). */
public enum Statistic {
  MEDIAN,
  P95;

  public double of(Profile.Compute compute) {
    return this == MEDIAN ? compute.medianMs() : compute.p95Ms();
  }
}
