package io.edgepipe.runtime;

import io.edgepipe.api.TensorShape;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.vgpu.Gpu;
import io.grpc.Status;
import java.nio.ByteBuffer;

/** A compute stage's {@link FrameProcessor}: runs its {@link GpuLayer} on the frame's payload. */
public final class LayerProcessor implements FrameProcessor {
  private final GpuLayer layer;
  private final Gpu ownedDevice;

  /** @param ownedDevice the stage's own device, closed with the processor (null if shared) */
  public LayerProcessor(GpuLayer layer, Gpu ownedDevice) {
    this.layer = layer;
    this.ownedDevice = ownedDevice;
  }

  @Override
  public Frame.Builder process(Frame in) {
    TensorShape inShape = TensorShape.of(in.getShape());
    TensorShape outShape;
    try {
      outShape = layer.outputShape(inShape);
    } catch (IllegalArgumentException e) {
      throw new FrameRejectedException(Status.Code.INVALID_ARGUMENT, layer.spec().name()
          + ": cannot take a " + inShape + " frame: " + e.getMessage());
    }
    // the payload is read in place (no copy) and the output buffer is handed over to protobuf
    ByteBuffer out = layer.run(PayloadCodecs.input(layer.spec().name(), in), in.getDtype(), inShape);
    return PayloadCodecs.output(layer.spec().outputCodec(), Frame.newBuilder()
        .setDtype(layer.spec().outputType())
        .setShape(outShape.toProto()), out.array());
  }

  /** The payload is copied to the device inside {@link #process}; nothing of it is kept. */
  @Override
  public boolean keepsInput() {
    return false;
  }

  @Override
  public void close() {
    layer.close();
    if (ownedDevice != null) {
      ownedDevice.close();
    }
  }
}
