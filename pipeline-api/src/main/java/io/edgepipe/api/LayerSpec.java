package io.edgepipe.api;

import io.edgepipe.api.proto.DType;

/**
 * One compute stage of the chain and its parameters. Which fields matter depends on
 * {@link #kind}: conv2d uses outChannels, kernel, stride, padding and weights; maxpool uses
 * window and stride; relu uses none. A {@code partition} is a service of an imported model (the
 * models module): {@code weightsFile} is the model spec it comes from, {@code name} its service
 * there, and {@code outChannels} the f32 elements of the named tensors it hands on; its frames
 * carry those tensors ({@code Frame.tensors}), so here its output is a flat 1x1xN that only sizes the hop.
 *
 * @param name        the stage's name (service name, metrics label), unique in the chain
 * @param kind        conv2d, relu or maxpool
 * @param outputType  element type of the hop leaving this stage
 * @param weightsFile conv2d weights file (see the kernels module for the format), or null
 * @param weightsSeed seed used to generate conv2d weights when no file is given
 * @param outputCodec how the hop leaving this stage encodes its payload (spec key {@code codec})
 */
public record LayerSpec(
    String name,
    String kind,
    int outChannels,
    int kernel,
    int stride,
    int padding,
    int window,
    String weightsFile,
    long weightsSeed,
    DType outputType,
    PayloadCodec outputCodec) {

  public static final String CONV2D = "conv2d";
  public static final String RELU = "relu";
  public static final String MAXPOOL = "maxpool";
  public static final String PARTITION = "partition";

  /** A layer whose output hop is not compressed. */
  public LayerSpec(String name, String kind, int outChannels, int kernel, int stride, int padding, int window,
      String weightsFile, long weightsSeed, DType outputType) {
    this(name, kind, outChannels, kernel, stride, padding, window, weightsFile, weightsSeed, outputType,
        PayloadCodec.NONE);
  }

  /** The same layer with another codec on its output hop (a run's or the planner's choice). */
  public LayerSpec withOutputCodec(PayloadCodec codec) {
    return new LayerSpec(name, kind, outChannels, kernel, stride, padding, window, weightsFile, weightsSeed,
        outputType, codec);
  }

  /** Shape this layer produces from {@code in}; throws a SpecException naming the key at fault. */
  public TensorShape outputShape(TensorShape in, String where) {
    switch (kind) {
      case CONV2D: {
        int oh = Math.floorDiv(in.h() + 2 * padding - kernel, stride) + 1;
        int ow = Math.floorDiv(in.w() + 2 * padding - kernel, stride) + 1;
        if (kernel > in.h() + 2 * padding || kernel > in.w() + 2 * padding) {
          throw new SpecException(where + ".kernel: " + kernel + " does not fit the input " + in
              + " with padding " + padding);
        }
        return new TensorShape(outChannels, oh, ow);
      }
      case MAXPOOL: {
        if (window > in.h() || window > in.w()) {
          throw new SpecException(where + ".window: " + window + " is larger than the input " + in);
        }
        return new TensorShape(in.c(), (in.h() - window) / stride + 1, (in.w() - window) / stride + 1);
      }
      case RELU:
        return in;
      case PARTITION:
        return new TensorShape(1, 1, outChannels);
      default:
        throw new SpecException(where + ".kind: unknown layer kind '" + kind + "'");
    }
  }
}
