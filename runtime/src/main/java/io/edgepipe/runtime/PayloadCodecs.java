package io.edgepipe.runtime;

import io.edgepipe.api.FrameValidator;
import io.edgepipe.api.PayloadCodec;
import io.edgepipe.api.proto.Frame;
import io.grpc.Status;
import java.nio.ByteBuffer;

/**
 * The one place where a service applies the hop codecs ({@link PayloadCodec}): it decodes the
 * payload it reads and encodes the payload it produces. A compressed payload that does not decode
 * is the sender's fault, so it is refused with INVALID_ARGUMENT naming the problem, like any other
 * malformed frame, and the service goes on.
 */
public final class PayloadCodecs {
  private PayloadCodecs() {}

  /** The input payload of a validated frame as raw CHW bytes (read in place when not compressed). */
  public static ByteBuffer input(String service, Frame in) {
    try {
      return FrameValidator.payload(in);
    } catch (PayloadCodec.CorruptPayloadException e) {
      throw new FrameRejectedException(Status.Code.INVALID_ARGUMENT, service + ": " + e.getMessage());
    }
  }

  /** Sets {@code out}'s data to {@code raw} encoded with {@code codec}, and its codec field. */
  public static Frame.Builder output(PayloadCodec codec, Frame.Builder out, byte[] raw) {
    return codec.encodeInto(out, raw);
  }

  /** {@code in} with its payload decoded (codec none), for a consumer that reads the bytes (the sink). */
  public static Frame decoded(String service, Frame in) {
    if (PayloadCodec.of(in) == PayloadCodec.NONE) {
      return in;
    }
    ByteBuffer raw = input(service, in);
    return in.toBuilder().setData(com.google.protobuf.UnsafeByteOperations.unsafeWrap(raw))
        .setCodec(PayloadCodec.NONE.proto()).build();
  }
}
