package io.edgepipe.experiments;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** E3's section: its reading on the recorded run. */
class ThroughputReportTest {
  @Test
  void throughputReadingGivesTheChangeAndTheThesisFigures() {
    String r = ThroughputSection.read(Csv.parse(RecordedRun.E3), Map.of("cores", "2"));
    assertTrue(r.contains("The monolith streams 118.3 fps; the 4-stage pipeline 35.02 fps (-70.4%)"), r);
    assertTrue(r.contains("the best pipeline here is 2-stage (producer | conv+relu+maxpool, 54.19 fps, -54.2%)"), r);
    assertTrue(r.contains("+76.58% on its server and +103.94% on the Xavier"), r);
    assertTrue(r.contains("this machine has 2 cores"), r);
    assertTrue(r.contains("22.90 ms of CPU per frame against the monolith's 11.05"), r);
  }
}
