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
   * The least-squares fit of {@code cells}.
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
    // normal equations A^T A x = A^T y with rows (1, compute, bytes); bytes in KB keeps them well scaled
    double[][] m = new double[3][4];
    for (Cell c : cells) {
      double[] row = {1, c.computeMs(), c.bytesSent() / 1000};
      for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 3; j++) {
          m[i][j] += row[i] * row[j];
        }
        m[i][3] += row[i] * c.cpuMs();
      }
    }
    double[] x = solve(m);
    if (x == null) {
      throw new IllegalArgumentException("calibration cells lie on one line in (compute, bytes): the fixed cost, "
          + "the compute slope and the cost per byte cannot be told apart");
    }
    return new Fit(x[0], x[1], x[2] / 1000);
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
