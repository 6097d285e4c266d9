package io.edgepipe.stages.conv;

import io.edgepipe.api.LayerSpec;
import io.edgepipe.api.TensorShape;
import io.edgepipe.kernels.ConvWeights;
import io.edgepipe.runtime.GpuLayer;
import io.edgepipe.vgpu.DevicePtr;
import io.edgepipe.vgpu.Gpu;
import io.edgepipe.vgpu.KernelArgs;
import io.edgepipe.vgpu.KernelCatalog;
import java.nio.file.Path;

/**
 * The conv stage's layer: a 2-D convolution with the spec's filters. Weights come from the
 * spec's file or are generated from its seed, and are uploaded to the device once.
 */
public final class ConvLayer extends GpuLayer {
  private final ConvWeights weights;
  private final DevicePtr weightsPtr;
  private final DevicePtr biasPtr;

  public ConvLayer(LayerSpec spec, TensorShape input, Gpu gpu) {
    super(spec, gpu);
    this.weights = spec.weightsFile() != null
        ? ConvWeights.load(Path.of(spec.weightsFile()), input.c())
        : ConvWeights.generate(spec.weightsSeed(), spec.outChannels(), input.c(), spec.kernel());
    if (weights.cout() != spec.outChannels() || weights.k() != spec.kernel()) {
      throw new IllegalArgumentException(spec.name() + ": weights file " + spec.weightsFile() + " holds "
          + weights.cout() + " filters of " + weights.k() + "x" + weights.k() + ", the spec asks for "
          + spec.outChannels() + " of " + spec.kernel() + "x" + spec.kernel());
    }
    this.weightsPtr = upload("weights", weights.weights());
    this.biasPtr = upload("bias", weights.bias());
  }

  @Override
  public TensorShape outputShape(TensorShape in) {
    if (in.c() != weights.cin()) {
      throw new IllegalArgumentException("the filters take " + weights.cin() + " input channels, the frame has " + in.c());
    }
    return super.outputShape(in);
  }

  @Override
  protected void launchLayer(DevicePtr in, DevicePtr out, TensorShape inShape, TensorShape outShape) {
    launch(KernelCatalog.CONV2D_F32, outShape.elements(), KernelArgs.of()
        .ptr(in).ptr(weightsPtr).ptr(biasPtr).ptr(out)
        .i32(inShape.c()).i32(inShape.h()).i32(inShape.w())
        .i32(outShape.c()).i32(spec.kernel()).i32(spec.stride()).i32(spec.padding())
        .i32(outShape.h()).i32(outShape.w()));
  }
}
