package io.edgepipe.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** E6's section: the capacity and the reading on the recorded run. */
class FlowCapacityReportTest {
  @Test
  void flowCapacityIsTheLastCountCarriedWithEverySmallerOne() {
    assertEquals(1, FlowCapacitySection.capacity(Csv.parse(RecordedRun.E6)));
    assertEquals(0, FlowCapacitySection.capacity(Csv.parse("flows,carried\n1,no\n2,yes\n")));
    assertEquals(3, FlowCapacitySection.capacity(Csv.parse("flows,carried\n1,yes\n2,yes\n3,yes\n4,no\n6,yes\n")));
    String r = FlowCapacitySection.read(Csv.parse(RecordedRun.E6), Csv.parse(RecordedRun.META).asMap());
    assertTrue(r.startsWith("Flow capacity: 1 flow(s) of 640x360 at 30.00 fps, embedded (4 services"), r);
    assertTrue(r.contains("At 2 flows it breaks: 17.33% late (p95 280.7 ms)"), r);
    assertTrue(r.contains("dual-plane"), r);
  }
}
