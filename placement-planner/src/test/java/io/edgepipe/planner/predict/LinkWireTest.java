package io.edgepipe.planner.predict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LinkWireTest {
  @Test
  void everyStartedSegmentCarriesItsHeaders() {
    assertEquals(0, LinkWire.wireBytes(0));
    assertEquals(1 + 66, LinkWire.wireBytes(1));
    assertEquals(1448 + 66, LinkWire.wireBytes(1448));
    assertEquals(1449 + 2 * 66, LinkWire.wireBytes(1449));
    // a 1 MiB frame: 725 segments, 4.6% more on the wire
    assertEquals(1048576 + 725 * 66, LinkWire.wireBytes(1048576));
  }

  @Test
  void theLinkIsBusyWithTheFramedBytesAtItsRate() {
    LinkWire tenMbit = new LinkWire(10e6, 0);
    // 1 MiB with headers at 10 Mbit/s: 877 ms, not the payload's 839
    assertEquals(LinkWire.wireBytes(1048576) * 8 / 10e6 * 1e3, tenMbit.busyMs(1048576), 1e-9);
    assertEquals(877.1, tenMbit.busyMs(1048576), 0.1);
  }

  @Test
  void anIdleLinkLetsItsBucketThroughAtOnce() {
    LinkWire gbit = new LinkWire(1e9, 125_000); // the testbed's bucket: 1 ms of the link
    // 64 KiB fits the bucket: a paced frame does not wait for the rate; 256 KiB waits for what is beyond it
    assertEquals(0, gbit.idleMs(65536), 1e-12);
    assertEquals((LinkWire.wireBytes(262144) - 125_000) * 8 / 1e9 * 1e3, gbit.idleMs(262144), 1e-12);
    // frames that queue still take the full busy time each
    assertEquals(LinkWire.wireBytes(65536) * 8 / 1e9 * 1e3, gbit.busyMs(65536), 1e-12);
    // a real link has no bucket: idle and busy are the same
    assertEquals(new LinkWire(1e9, 0).busyMs(262144), new LinkWire(1e9, 0).idleMs(262144), 1e-12);
  }

  @Test
  void aLinkNeedsARate() {
    assertThrows(IllegalArgumentException.class, () -> new LinkWire(0, 0));
    assertThrows(IllegalArgumentException.class, () -> new LinkWire(1e6, -1));
  }
}
