package io.edgepipe.producer;

import io.edgepipe.api.ElementType;
import io.edgepipe.api.PayloadCodec;
import io.edgepipe.api.TensorShape;
import io.edgepipe.api.proto.DType;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.kernels.Convert;
import io.edgepipe.producer.source.RawImage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Turns a camera image (u8, HWC, BGR or gray) into the first hop's payload: CHW in the spec's
 * input type. u8 is sent as the camera's bytes (a stage reads v as v/255); f32 and f16 carry
 * v/255 in [0,1], so every type means the same values.
 */
public final class FrameEncoder {
  private final TensorShape shape;
  private final DType type;
  private final PayloadCodec codec;

  public FrameEncoder(TensorShape shape, DType type) {
    this(shape, type, PayloadCodec.NONE);
  }

  /** @param codec how the first hop encodes the payload on the wire (the spec's {@code input.codec}) */
  public FrameEncoder(TensorShape shape, DType type, PayloadCodec codec) {
    this.shape = shape;
    this.type = type;
    this.codec = codec;
  }

  public Frame.Builder encode(RawImage image) {
    if (image.height() != shape.h() || image.width() != shape.w() || image.channels() != shape.c()) {
      throw new IllegalArgumentException("source gives " + image.channels() + "x" + image.height() + "x"
          + image.width() + " images but the pipeline takes " + shape);
    }
    int n = Math.toIntExact(shape.elements());
    byte[] payload;
    if (type == DType.U8) {
      payload = image.toChw();
    } else {
      float[] chw = new float[n];
      Convert.bgrU8HwcToF32Chw(image.pixels(), chw, shape.h(), shape.w(), shape.c());
      ByteBuffer bytes = ByteBuffer.allocate(n * ElementType.sizeOf(type)).order(ByteOrder.LITTLE_ENDIAN);
      if (type == DType.F32) {
        bytes.asFloatBuffer().put(chw);
      } else {
        short[] half = new short[n];
        Convert.f32ToF16(chw, half, n);
        bytes.asShortBuffer().put(half);
      }
      payload = bytes.array();
    }
    return codec.encodeInto(Frame.newBuilder()
        .setDtype(type)
        .setShape(shape.toProto())
        .setCaptureTimeUs(image.captureTimeMicros()), payload);
  }
}
