package io.edgepipe.api;

import io.edgepipe.api.proto.Codec;
import io.edgepipe.api.proto.DType;
import io.edgepipe.api.proto.Frame;

/**
 * Checks that a frame is well formed before any buffer is sized from it. Every check works on
 * the header only and in long arithmetic, so a hostile declared shape never causes an
 * allocation. The first problem found is returned as a message that names it; {@code null}
 * means the frame is valid.
 */
public final class FrameValidator {
  /** Longest flow id accepted; ids are names, not payloads. */
  public static final int MAX_FLOW_ID_LENGTH = 256;

  /**
   * Unknown field that marks a request the transport could not parse as a Frame at all; its
   * value is the parser's message. Real frames never carry it.
   */
  public static final int UNPARSEABLE_FIELD = 1_000_001;

  private final long maxFrameBytes;

  public FrameValidator(long maxFrameBytes) {
    this.maxFrameBytes = maxFrameBytes;
  }

  public long maxFrameBytes() {
    return maxFrameBytes;
  }

  /** The stand-in for bytes that are not a Frame, refused by {@link #problem} with the parser's message. */
  public static Frame unparseable(String parserMessage) {
    String m = parserMessage.length() > 200 ? parserMessage.substring(0, 200) : parserMessage;
    return Frame.newBuilder().setUnknownFields(com.google.protobuf.UnknownFieldSet.newBuilder()
        .addField(UNPARSEABLE_FIELD, com.google.protobuf.UnknownFieldSet.Field.newBuilder()
            .addLengthDelimited(com.google.protobuf.ByteString.copyFromUtf8(m)).build())
        .build()).build();
  }

  /**
   * Returns what is wrong with the frame, or null when nothing is. For a compressed payload only
   * the header is checked here (codec known, length within the codec's bound, a zstd frame's
   * declared size); {@link #payload} decodes and names corruption inside the data.
   */
  public String problem(Frame frame) {
    if (frame.getUnknownFields().hasField(UNPARSEABLE_FIELD)) {
      var values = frame.getUnknownFields().getField(UNPARSEABLE_FIELD).getLengthDelimitedList();
      String m = values.isEmpty() ? "" : values.get(0).toStringUtf8();
      return "not a well-formed Frame message: " + (m.length() > 200 ? m.substring(0, 200) : m);
    }
    if (frame.getFlowId().length() > MAX_FLOW_ID_LENGTH) {
      return "flow_id is " + frame.getFlowId().length() + " characters long (at most " + MAX_FLOW_ID_LENGTH + ")";
    }
    if (!frame.getDropReason().isEmpty()) {
      if (frame.getDropReason().length() > 1024) {
        return "drop_reason is " + frame.getDropReason().length() + " characters long (at most 1024)";
      }
      return frame.getData().isEmpty() ? null : "a tombstone (drop_reason set) must carry no data";
    }
    if (frame.hasShared()) { // a receiver replaces a slot it can read by the payload before validating
      return "shared-memory slot (offset " + frame.getShared().getOffset() + ", length "
          + frame.getShared().getLength() + ") is outside this stream's shared memory, or none was agreed";
    }
    if (frame.getTensorsCount() > 0) { // a model partition's named tensors (issue 12)
      return NamedTensorCheck.problem(frame, maxFrameBytes);
    }
    DType type = frame.getDtype();
    int elementSize = type == DType.UNRECOGNIZED ? -1 : ElementType.sizeOf(type);
    if (elementSize < 0) {
      return "dtype " + (type == DType.UNRECOGNIZED ? "value " + frame.getDtypeValue() : type.name())
          + " is not a known element type (U8, F16, F32)";
    }
    if (!frame.hasShape()) {
      return "shape is missing";
    }
    int c = frame.getShape().getC();
    int h = frame.getShape().getH();
    int w = frame.getShape().getW();
    if (c <= 0 || h <= 0 || w <= 0) {
      return "shape " + c + "x" + h + "x" + w + " has a dimension <= 0";
    }
    // c, h, w are each < 2^31, so the product of two fits a long; check before the third.
    long declared = (long) c * h;
    if (declared > maxFrameBytes || declared * w > maxFrameBytes
        || declared * w * elementSize > maxFrameBytes) {
      return "declared size " + c + "x" + h + "x" + w + " " + type.name() + " exceeds the limit of "
          + maxFrameBytes + " bytes";
    }
    long expected = declared * w * elementSize;
    if (frame.getCodec() == Codec.CODEC_NONE) {
      if (frame.getData().size() != expected) {
        return "data is " + frame.getData().size() + " bytes but shape " + c + "x" + h + "x" + w + " "
            + type.name() + " needs " + expected;
      }
      return null;
    }
    if (frame.getCodec() == Codec.UNRECOGNIZED) {
      return "codec value " + frame.getCodecValue() + " is not a known codec (CODEC_NONE, CODEC_LZ4, CODEC_ZSTD)";
    }
    String problem = PayloadCodec.of(frame).headerProblem(frame.getData(), expected);
    return problem == null ? null : problem + " (shape " + c + "x" + h + "x" + w + " " + type.name() + ")";
  }

  /**
   * The payload of a frame that passed {@link #problem}, decoded if it travelled compressed
   * (little-endian CHW bytes; NONE is read in place). A compressed payload is only known to be
   * intact once decoded, so this is the second half of validation.
   *
   * @throws PayloadCodec.CorruptPayloadException naming the problem, for INVALID_ARGUMENT
   */
  public static java.nio.ByteBuffer payload(Frame frame) {
    return PayloadCodec.payloadOf(frame);
  }
}
