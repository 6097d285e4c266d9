package io.edgepipe.planner.codec;

import io.edgepipe.api.PayloadCodec;

/**
 * What one codec costs on one hop's payloads, as measured ({@code pipeline bench codec}): how
 * much it shrinks them, and the CPU time per raw payload byte to encode at the sender and to
 * decode at the receiver. Each end's figure is for that end's CPU: an edge node's is larger.
 *
 * @param ratio             raw bytes / encoded bytes ({@code 1} for none; below 1 when it grows)
 * @param encodeNsPerByte   sender CPU nanoseconds per raw byte
 * @param decodeNsPerByte   receiver CPU nanoseconds per raw byte
 */
public record CodecCost(PayloadCodec codec, double ratio, double encodeNsPerByte, double decodeNsPerByte) {
  public CodecCost {
    if (!(ratio > 0) || encodeNsPerByte < 0 || decodeNsPerByte < 0) {
      throw new IllegalArgumentException(codec.label() + ": ratio must be > 0 and CPU costs >= 0, got ratio "
          + ratio + ", encode " + encodeNsPerByte + " ns/B, decode " + decodeNsPerByte + " ns/B");
    }
  }

  /** The identity codec: nothing saved, nothing spent. */
  public static CodecCost none() {
    return new CodecCost(PayloadCodec.NONE, 1, 0, 0);
  }
}
