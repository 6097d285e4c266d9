package io.edgepipe.models.kinds;

import io.edgepipe.models.kinds.add.AddKind;
import io.edgepipe.models.kinds.averagepool.AveragePoolKind;
import io.edgepipe.models.kinds.batchnorm.BatchNormKind;
import io.edgepipe.models.kinds.clip.ClipKind;
import io.edgepipe.models.kinds.concat.ConcatKind;
import io.edgepipe.models.kinds.conv.ConvKind;
import io.edgepipe.models.kinds.div.DivKind;
import io.edgepipe.models.kinds.flatten.FlattenKind;
import io.edgepipe.models.kinds.gemm.GemmKind;
import io.edgepipe.models.kinds.globalaveragepool.GlobalAveragePoolKind;
import io.edgepipe.models.kinds.hardsigmoid.HardSigmoidKind;
import io.edgepipe.models.kinds.leakyrelu.LeakyReluKind;
import io.edgepipe.models.kinds.matmul.MatMulKind;
import io.edgepipe.models.kinds.maxpool.MaxPoolKind;
import io.edgepipe.models.kinds.mul.MulKind;
import io.edgepipe.models.kinds.pad.PadKind;
import io.edgepipe.models.kinds.relu.ReluKind;
import io.edgepipe.models.kinds.reshape.ReshapeKind;
import io.edgepipe.models.kinds.softmax.SoftmaxKind;
import io.edgepipe.models.kinds.transpose.TransposeKind;
import io.edgepipe.vgpu.KernelProvider;
import io.edgepipe.vgpu.RegisteredKernel;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The registration of the layer kinds that run: one line per kind. Their kernels reach the
 * devices through {@link KernelProvider} (listed in META-INF/services).
 */
public final class LayerKinds implements KernelProvider {
  public static final List<LayerKind> ALL = List.of(
      new ConvKind(), new ReluKind(), new ClipKind(), new HardSigmoidKind(), new LeakyReluKind(),
      new AddKind(), new MulKind(), new DivKind(), new ConcatKind(), new MaxPoolKind(), new AveragePoolKind(),
      new GlobalAveragePoolKind(), new BatchNormKind(), new FlattenKind(), new ReshapeKind(), new TransposeKind(),
      new GemmKind(), new MatMulKind(), new SoftmaxKind(), new PadKind());

  private static final Map<String, LayerKind> BY_OP = new TreeMap<>();

  static {
    for (LayerKind k : ALL) {
      BY_OP.put(k.op(), k);
    }
  }

  /** The kind of ONNX operator {@code op}, or null. */
  public static LayerKind of(String op) {
    return BY_OP.get(op);
  }

  @Override
  public List<RegisteredKernel> kernels() {
    return List.copyOf(Kernel.collect(ALL));
  }
}
