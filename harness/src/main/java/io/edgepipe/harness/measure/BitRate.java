package io.edgepipe.harness.measure;

import io.edgepipe.testbed.Units;

/**
 * Parses link rates the way tc writes them: 100mbit, 1gbit, 500kbit, or plain bits per second
 * ({@code mbps} and friends are bytes per second). The reading is {@link Units#bitsPerSecond}'s,
 * the one the testbed's flags use too.
 */
public final class BitRate {
  private BitRate() {}

  public static double parse(String text) {
    return Units.bitsPerSecond(text);
  }
}
