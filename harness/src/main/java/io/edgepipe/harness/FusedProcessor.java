package io.edgepipe.harness;

import io.edgepipe.api.TensorShape;
import io.edgepipe.api.proto.DType;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.runtime.FrameProcessor;
import io.edgepipe.runtime.FrameRejectedException;
import io.edgepipe.runtime.GpuLayer;
import io.edgepipe.runtime.PayloadCodecs;
import io.edgepipe.vgpu.Gpu;
import io.grpc.Status;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Several consecutive layers of the chain computed by one service: the frame goes through each
 * {@link GpuLayer} in turn on the service's one device, with the same element-type conversion
 * between layers as the monolith does (each layer's output is what its hop would have carried),
 * so a fused service's output is bit-identical to the unfused chain's. Only the gRPC hops
 * between the fused layers disappear.
 */
final class FusedProcessor implements FrameProcessor {
  private final String name;
  private final List<GpuLayer> layers;
  private final Gpu device;

  /** @param device the service's own device, closed with it */
  FusedProcessor(String name, List<GpuLayer> layers, Gpu device) {
    if (layers.isEmpty()) {
      throw new IllegalArgumentException("a fused service needs at least one layer");
    }
    this.name = name;
    this.layers = List.copyOf(layers);
    this.device = device;
  }

  @Override
  public Frame.Builder process(Frame in) {
    TensorShape shape = TensorShape.of(in.getShape());
    DType type = in.getDtype();
    ByteBuffer data = PayloadCodecs.input(name, in);
    for (GpuLayer layer : layers) {
      TensorShape out;
      try {
        out = layer.outputShape(shape);
      } catch (IllegalArgumentException e) {
        throw new FrameRejectedException(Status.Code.INVALID_ARGUMENT,
            name + ": cannot take a " + shape + " frame: " + e.getMessage());
      }
      data = layer.run(data, type, shape);
      type = layer.spec().outputType();
      shape = out;
    }
    return PayloadCodecs.output(layers.get(layers.size() - 1).spec().outputCodec(),
        Frame.newBuilder().setDtype(type).setShape(shape.toProto()), data.array());
  }

  @Override
  public void close() {
    layers.forEach(GpuLayer::close);
    device.close();
  }
}
