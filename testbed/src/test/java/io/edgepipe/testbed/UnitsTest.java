package io.edgepipe.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class UnitsTest {
  @Test
  void ratesAreReadLikeTc() {
    assertEquals(1_000_000_000L, Units.parseRate("1gbit"));
    assertEquals(20_000_000L, Units.parseRate("20mbit"));
    assertEquals(500_000L, Units.parseRate("500kbit"));
    assertEquals(64_000L, Units.parseRate("64000"));
    assertEquals(80_000_000L, Units.parseRate("10mbps"), "mbps is megabytes per second, as in tc");
    assertEquals(1_500_000L, Units.parseRate("1.5MBit"));
    assertEquals("20mbit", Units.formatRate(20_000_000L));
    assertEquals("1gbit", Units.formatRate(1_000_000_000L));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Units.parseRate("fast"));
    assertTrue(e.getMessage().contains("fast"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Units.parseRate("10bit"));
    // any positive rate for the measure and plan --link flags, in the same units
    assertEquals(10.0, Units.bitsPerSecond("10bit"));
    assertEquals(2.5e6, Units.bitsPerSecond("2.5 mbit"));
    assertEquals(8e7, Units.bitsPerSecond("10MBps"));
    assertThrows(IllegalArgumentException.class, () -> Units.bitsPerSecond("0mbit"));
  }

  @Test
  void delaysAreReadInMillisecondsByDefault() {
    assertEquals(Duration.ZERO, Units.parseDelay("0ms"));
    assertEquals(Duration.ZERO, Units.parseDelay("0"));
    assertEquals(Duration.ofMillis(10), Units.parseDelay("10ms"));
    assertEquals(Duration.ofMillis(10), Units.parseDelay("10"));
    assertEquals(Duration.ofNanos(1_500_000), Units.parseDelay("1.5ms"));
    assertEquals(Duration.ofNanos(500_000), Units.parseDelay("500us"));
    assertEquals("1500us", Units.formatDelay(Duration.ofNanos(1_500_000)));
    assertEquals("10ms", Units.formatDelay(Duration.ofMillis(10)));
    assertThrows(IllegalArgumentException.class, () -> Units.parseDelay("-1ms"));
    assertThrows(IllegalArgumentException.class, () -> Units.parseDelay("11s"));
  }
}
