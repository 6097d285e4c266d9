package io.edgepipe.planner.predict;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One tier's CPU per frame fitted from measured cells: {@code fixed + slope x profile compute +
 * perByte x bytes the tier sends}, by least squares.
 *
 * <p>Why: on the quiet model-cuts sweeps the profile's figures miss the chain's CPU in all three
 * terms at once (BlazeFace's edge at 1 Gbit: 2.08 ms + 0.59 x compute + 2.2 ns/B measured, against
 * 0.56 + 1.0 x compute + 1.0 ns/B charged; reports/s9-cuts.md). A user calibrates from a few cells
 * (all-edge, all-server, one cut with layers on both nodes) before trusting a plan.
 */
public final class CpuCalibration {
  /** A measured cell: the profile's compute on the tier, the bytes it sends per frame, the CPU measured. */
  public record Cell(double computeMs, double bytesSent, double cpuMs) {}

  /** The fitted costs; {@link #cpuMs} predicts a cell from them. */
  public record Fit(double fixedMs, double slope, double msPerByte) {
    public double cpuMs(double computeMs, double bytesSent) {
      return fixedMs + slope * computeMs + msPerByte * bytesSent;
    }
  }

  private CpuCalibration() {}

  /**
   * The least-squares fit of {@code cells}, with no cost below zero: where the full fit gives the
   * compute slope or the cost per byte below zero, that term is left out and the rest refitted.
   *
   * @throws IllegalArgumentException with fewer than three distinct (compute, bytes) points, or
   *                                  points on one line (the three terms cannot be told apart)
   */
  public static Fit fit(List<Cell> cells) {
    Set<List<Double>> distinct = new HashSet<>();
    for (Cell c : cells) {
      distinct.add(List.of(c.computeMs(), c.bytesSent()));
    }
    if (distinct.size() < 3) {
      throw new IllegalArgumentException("calibration needs cells at 3 distinct (compute, bytes) points, got "
          + distinct.size());
    }
    Fit all = leastSquares(cells, true, true);
    // a cost below zero is noise fitted into a term (three cells fit three terms exactly): drop that
    // term and fit the others, else it extrapolates (BlazeFace's edge fitted -2.9 ns/B from its three)
    if (all.msPerByte() < 0 || all.slope() < 0) {
      Fit noBytes = leastSquares(cells, true, false);
      Fit noCompute = leastSquares(cells, false, true);
      if (all.msPerByte() < 0 && noBytes.slope() >= 0) {
        return noBytes;
      }
      if (all.slope() < 0 && noCompute.msPerByte() >= 0) {
        return noCompute;
      }
      return leastSquares(cells, false, false);
    }
    return all;
  }

  /** The least-squares fit with the fixed cost and the terms asked for (the others 0). */
  private static Fit leastSquares(List<Cell> cells, boolean compute, boolean bytes) {
    // normal equations A^T A x = A^T y over the columns used; bytes in KB keeps them well scaled
    int n = 1 + (compute ? 1 : 0) + (bytes ? 1 : 0);
    double[][] m = new double[n][n + 1];
    for (Cell c : cells) {
      double[] row = new double[n];
      int k = 0;
      row[k++] = 1;
      if (compute) {
        row[k++] = c.computeMs();
      }
      if (bytes) {
        row[k] = c.bytesSent() / 1000;
      }
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          m[i][j] += row[i] * row[j];
        }
        m[i][n] += row[i] * c.cpuMs();
      }
    }
    double[] x = solve(m);
    if (x == null) {
      throw new IllegalArgumentException("calibration cells lie on one line in (compute, bytes): the fixed cost, "
          + "the compute slope and the cost per byte cannot be told apart");
    }
    return new Fit(x[0], compute ? x[1] : 0, bytes ? x[n - 1] / 1000 : 0);
  }

  /** Gaussian elimination with partial pivoting; null where the system is singular. */
  private static double[] solve(double[][] m) {
    int n = m.length;
    double scale = 0;
    for (double[] row : m) {
      for (int j = 0; j < n; j++) {
        scale = Math.max(scale, Math.abs(row[j]));
      }
    }
    for (int col = 0; col < n; col++) {
      int pivot = col;
      for (int r = col + 1; r < n; r++) {
        if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) {
          pivot = r;
        }
      }
      if (Math.abs(m[pivot][col]) <= 1e-9 * scale) {
        return null;
      }
      double[] t = m[col];
      m[col] = m[pivot];
      m[pivot] = t;
      for (int r = 0; r < n; r++) {
        if (r != col) {
          double f = m[r][col] / m[col][col];
          for (int j = col; j <= n; j++) {
            m[r][j] -= f * m[col][j];
          }
        }
      }
    }
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = m[i][n] / m[i][i];
    }
    return x;
  }
}
