package io.edgepipe.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.edgepipe.harness.measure.BitRate;
import io.edgepipe.planner.predict.LinkWire;
import org.junit.jupiter.api.Test;

/** How long the grid's measured visits last: long enough to count frames where the link is slow. */
class GridWindowTest {
  @Test
  void theHopAPlacementSendsOverTheLink() {
    assertEquals(0, GridExperiment.linkHop("ESSS"));
    assertEquals(1, GridExperiment.linkHop("EESS"));
    assertEquals(2, GridExperiment.linkHop("EEES"));
    assertEquals(-1, GridExperiment.linkHop("EEEE"));
    assertEquals(-1, GridExperiment.linkHop("SSSS"));
  }

  @Test
  void aWindowHoldsAtLeastTheAskedFramesOnTheWire() {
    long bytes = 1_048_576; // a 512x512 f32 frame: about 0.85 s on a 10 Mbit wire
    double perFrameS = new LinkWire(BitRate.parse("10mbit"), 0).busyMs(bytes) / 1e3;
    assertEquals(8 * perFrameS, GridExperiment.framesOnWireSeconds(2, 8, bytes, "10mbit"), 1e-9);
    // where the frames pass quickly, the asked seconds stand
    assertEquals(2, GridExperiment.framesOnWireSeconds(2, 8, bytes, "1gbit"), 0);
    assertEquals(2, GridExperiment.framesOnWireSeconds(2, 8, 65_536, "10mbit"), 0);
  }
}
