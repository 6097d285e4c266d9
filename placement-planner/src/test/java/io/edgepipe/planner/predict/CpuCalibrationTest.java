package io.edgepipe.planner.predict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.planner.predict.CpuCalibration.Cell;
import io.edgepipe.planner.predict.CpuCalibration.Fit;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The edge as the quiet BlazeFace sweep measured it: 2.08 ms + 0.59 x compute + 2.2 ns a byte sent. */
class CpuCalibrationTest {
  private static double edge(double computeMs, double bytes) {
    return 2.08 + 0.59 * computeMs + 2.2e-6 * bytes;
  }

  @Test
  void threeCellsGiveBackTheCostsThatMadeThem() {
    // all-server (no compute, the frame sent), all-edge (all compute, nothing sent), one cut between
    Fit f = CpuCalibration.fit(List.of(new Cell(0, 49152, edge(0, 49152)), new Cell(5.5, 0, edge(5.5, 0)),
        new Cell(2.1, 114688, edge(2.1, 114688))));
    assertEquals(2.08, f.fixedMs(), 1e-9);
    assertEquals(0.59, f.slope(), 1e-9);
    assertEquals(2.2e-6, f.msPerByte(), 1e-12);
    assertEquals(edge(3.0, 60928), f.cpuMs(3.0, 60928), 1e-9);
  }

  @Test
  void moreCellsAreFittedByLeastSquares() {
    // noise of +-0.1 ms that cancels in pairs at each point leaves the costs as they were
    double[][] points = {{0, 49152}, {5.5, 0}, {2.1, 114688}, {4.0, 60928}};
    List<Cell> cells = new java.util.ArrayList<>();
    for (double[] p : points) {
      cells.add(new Cell(p[0], p[1], edge(p[0], p[1]) + 0.1));
      cells.add(new Cell(p[0], p[1], edge(p[0], p[1]) - 0.1));
    }
    Fit f = CpuCalibration.fit(cells);
    assertEquals(2.08, f.fixedMs(), 1e-9);
    assertEquals(0.59, f.slope(), 1e-9);
  }

  @Test
  void aCostBelowZeroIsLeftOutAndTheRestRefitted() {
    // the cut between costs less than the fixed cost and its compute would say: fitted exactly,
    // its bytes would cost below zero; without them the fixed cost and slope fit the three cells
    Fit f = CpuCalibration.fit(List.of(new Cell(0, 49152, 2.0), new Cell(6, 0, 8.0), new Cell(3, 100_000, 4.7)));
    assertEquals(0, f.msPerByte());
    assertTrue(f.slope() > 0 && f.fixedMs() > 0, f.toString());
    assertEquals(2.0 + 8.0 + 4.7, f.cpuMs(0, 49152) + f.cpuMs(6, 0) + f.cpuMs(3, 100_000), 1e-9);
  }

  @Test
  void fewerThanThreeDistinctCellsAreRefused() {
    Cell a = new Cell(0, 49152, 2.2);
    Cell b = new Cell(5.5, 0, 5.3);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> CpuCalibration.fit(List.of(a, b, new Cell(0, 49152, 2.4))));
    assertTrue(e.getMessage().contains("3 distinct"), e.getMessage());
  }

  @Test
  void cellsOnOneLineAreRefused() {
    // bytes fall as compute grows, in step: compute and bytes cannot be told apart
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CpuCalibration.fit(List.of(
        new Cell(0, 100_000, 1), new Cell(1, 50_000, 2), new Cell(2, 0, 3))));
    assertTrue(e.getMessage().contains("one line"), e.getMessage());
  }
}
