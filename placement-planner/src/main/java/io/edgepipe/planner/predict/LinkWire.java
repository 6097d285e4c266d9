package io.edgepipe.planner.predict;

/**
 * How long a frame's bytes occupy a shaped link, apart from the CPU that sends and receives them.
 *
 * <p>Framing: a hop's payload travels in TCP segments of at most {@value #MSS_BYTES} bytes (an
 * Ethernet MTU of 1500 less 20 bytes of IPv4, 20 of TCP and 12 of TCP timestamps), and each
 * segment occupies {@value #FRAME_BYTES} bytes of the link (the 14-byte Ethernet header included:
 * tc's rate counts it). So the wire carries 1514/1448 = 4.6% more than the payload. (HTTP/2's
 * 9-byte header per 16 KiB data frame adds 0.05%, left out.)
 *
 * <p>Busy time: a link passes one frame per {@code wire bytes x 8 / rate}, whatever the sender's
 * CPU does meanwhile (the sender serialises the next frame while the link drains this one), so
 * that is the link's own period, not a part of the sender's.
 *
 * <p>Idle crossing: a token-bucket shaper (the testbed's htb + tbf) lets its bucket of
 * {@code burstBytes} through at once when the link has been idle, as it is for a paced frame; only
 * the bytes beyond it wait for the rate. On a real link the burst is 0.
 *
 * @param bitsPerSec the link's rate
 * @param burstBytes what a full bucket holds (0: no shaper bucket)
 */
public record LinkWire(double bitsPerSec, long burstBytes) {
  static final long MSS_BYTES = 1448;
  static final long FRAME_BYTES = 1514;

  public LinkWire {
    if (!(bitsPerSec > 0) || burstBytes < 0) {
      throw new IllegalArgumentException("a link needs a rate > 0 and a burst >= 0, got " + bitsPerSec + " bit/s, "
          + burstBytes + " bytes");
    }
  }

  /** Bytes on the wire for {@code payload} bytes: every started segment carries its headers. */
  public static long wireBytes(long payload) {
    return payload <= 0 ? 0 : payload + segments(payload) * (FRAME_BYTES - MSS_BYTES);
  }

  /** TCP segments a payload of {@code payload} bytes takes (0 for none). */
  public static long segments(long payload) {
    return payload <= 0 ? 0 : (payload + MSS_BYTES - 1) / MSS_BYTES;
  }

  /** ms the link is busy with one frame of {@code payload} bytes: its period when frames queue. */
  public double busyMs(long payload) {
    return wireBytes(payload) * 8.0 / bitsPerSec * 1e3;
  }

  /** ms a frame of {@code payload} bytes takes over the link when it finds it idle (its bucket full). */
  public double idleMs(long payload) {
    return Math.max(0, wireBytes(payload) - burstBytes) * 8.0 / bitsPerSec * 1e3;
  }
}
