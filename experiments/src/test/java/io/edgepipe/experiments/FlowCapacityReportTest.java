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

  /** On the testbed no frame's lateness is known, only percentiles: a p95 past the deadline breaks, said once. */
  @Test
  void aBreakByItsP95IsSaidOnce() {
    String csv = """
        flows,offered_fps,delivered_fps,frames,delivered,dropped,late,late_pct,lat_p50_ms,lat_p95_ms,lat_p99_ms,carried,attempts
        12,360.0,355.9,7200,7200,0,-,-,16.90,91.26,218.1,yes,1
        16,480.0,479.0,9600,9600,0,-,-,15.98,159.5,293.9,no,2
        """;
    String r = FlowCapacitySection.read(Csv.parse(csv), java.util.Map.of("e6_deadline_ms", "100.0",
        "e6_late_tolerance_pct", "5.00"));
    assertTrue(r.contains("At 16 flows it breaks (in both attempts): p95 159.5 ms. "), r);
  }
}
