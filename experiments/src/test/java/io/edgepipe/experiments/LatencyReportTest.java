package io.edgepipe.experiments;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** E1's section: its reading on the recorded run. */
class LatencyReportTest {
  @Test
  void latencyReadingComparesWithTheThesis() {
    String r = LatencySection.read(Csv.parse(RecordedRun.E1));
    assertTrue(r.startsWith("Four microservices add 2.66 ms per frame to the monolith at 128x128 (3.6x its latency)"), r);
    assertTrue(r.contains("54.14 ms at 1024x1024"), r);
    assertTrue(r.contains("communication grows 17.6x and compute 39.0x"), r);
    assertTrue(r.contains("Thesis (fig. 4.3 server, 4.6 Xavier)"), r);
    // recorded: compute -25% at 1024 (not "about the same"), communication 17.6x vs compute 39x
    assertTrue(r.contains("compute does not stay the same (-25%"), r);
    assertTrue(r.contains("communication grows more slowly than compute, as there."), r);
  }
}
