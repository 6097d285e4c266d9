package io.edgepipe.experiments.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.api.PipelineSpec;
import io.edgepipe.api.TensorShape;
import io.edgepipe.api.proto.DType;
import io.edgepipe.runtime.GpuLayer;
import io.edgepipe.runtime.Layers;
import io.edgepipe.vgpu.DevicePtr;
import io.edgepipe.vgpu.cpu.CpuGpu;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GpuKernelBenchTest {
  /** The thesis chain at 8x6: one channel, a 3x3 conv with a bias, relu, 2x2 max-pool. */
  private static PipelineSpec thesis() {
    return PipelineSpec.load(Path.of("../pipelines/thesis.yaml")).withInput(6, 8);
  }

  @Test
  void bytesEachLaunchMovesByHand() {
    List<GpuKernelBench.Row> rows = new ArrayList<>();
    try (CpuGpu cpu = new CpuGpu()) {
      new GpuKernelBench(GpuKernelBench.MIN_ITERATIONS, 0).run(thesis(), cpu, rows::add);
      assertEquals(0, cpu.bytesInUse(), "the bench frees its buffers and the layers'");
    }
    assertEquals(List.of("conv", "relu", "maxpool"), rows.stream().map(GpuKernelBench.Row::stage).toList());
    // conv: 8x6 f32 in (192 B) and out (192 B), 9 weights + 1 bias (40 B)
    assertEquals(new GpuKernelBench.Traffic(192, 192, 40), rows.get(0).traffic());
    assertEquals(424, rows.get(0).traffic().total());
    // relu: in and out 192 B, no constants
    assertEquals(new GpuKernelBench.Traffic(192, 192, 0), rows.get(1).traffic());
    // maxpool: 192 B in, 4x3 f32 out (48 B)
    assertEquals(new GpuKernelBench.Traffic(192, 48, 0), rows.get(2).traffic());
    for (GpuKernelBench.Row r : rows) {
      assertEquals(1, r.sets());
      assertEquals(GpuKernelBench.MIN_ITERATIONS, r.iterations());
      assertTrue(r.synced().min() > 0 && r.synced().min() <= r.synced().median()
          && r.synced().median() <= r.synced().max(), r.toString());
      assertTrue(r.backToBackMs() > 0, r.toString());
      assertEquals(r.traffic().total() / (r.synced().median() / 1e3), r.bytesPerSecond(), 1e-6 * r.bytesPerSecond());
    }
  }

  @Test
  void bufferSetsFillTheRotationAndAtLeastOne() {
    assertEquals(1, GpuKernelBench.sets(424, 0));
    assertEquals(1, GpuKernelBench.sets(424, 424));
    assertEquals(3, GpuKernelBench.sets(424, 1000));
    // 1280x720 conv: 7,372,800 B of buffers a set; 256 MiB takes 37 sets
    assertEquals(37, GpuKernelBench.sets(7_372_800, 256L << 20));
  }

  @Test
  void tooFewIterationsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new GpuKernelBench(GpuKernelBench.MIN_ITERATIONS - 1, 0));
  }

  @Test
  void fractionIsUnknownWithoutAPeak() {
    assertTrue(Double.isNaN(GpuKernelBench.Row.fractionOf(1e9, io.edgepipe.vgpu.MemoryBandwidth.unknown("no"))));
    assertEquals(0.5, GpuKernelBench.Row.fractionOf(1e9, io.edgepipe.vgpu.MemoryBandwidth.ofMemoryClock(1000, 8_000))); // 2e9 B/s
  }

  /** What the bench times is the stage's own computation: launchOn writes what run returns. */
  @Test
  void launchOnComputesWhatTheStageComputes() {
    PipelineSpec spec = thesis();
    TensorShape shape = spec.shapes().get(0);
    byte[] payload = StageVgpuBench.payload(shape, DType.F32, 5);
    try (CpuGpu cpu = new CpuGpu(); GpuLayer conv = Layers.create(spec.layers().get(0), shape, cpu)) {
      ByteBuffer want = conv.run(ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN), DType.F32, shape);
      DevicePtr in = cpu.malloc(payload.length);
      DevicePtr out = cpu.malloc(want.remaining());
      cpu.copyHtoD(in, ByteBuffer.wrap(payload));
      conv.launchOn(in, out, shape);
      cpu.synchronize();
      ByteBuffer got = ByteBuffer.allocate(want.remaining()).order(ByteOrder.LITTLE_ENDIAN);
      cpu.copyDtoH(got, out);
      assertEquals(want, got);
      assertTrue(hasNonZero(got), "the conv output of random input is not all zeros");
      assertEquals(40, conv.constantBytes());
    }
  }

  private static boolean hasNonZero(ByteBuffer b) {
    for (int i = 0; i < b.limit(); i++) {
      if (b.get(i) != 0) {
        return true;
      }
    }
    return false;
  }
}
