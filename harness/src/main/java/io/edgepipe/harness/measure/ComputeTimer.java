package io.edgepipe.harness.measure;

import io.edgepipe.api.ElementType;
import io.edgepipe.api.Float16;
import io.edgepipe.api.PipelineSpec;
import io.edgepipe.api.TensorShape;
import io.edgepipe.api.proto.DType;
import io.edgepipe.producer.FrameEncoder;
import io.edgepipe.producer.source.SyntheticSource;
import io.edgepipe.producer.source.RawImage;
import io.edgepipe.runtime.GpuLayer;
import io.edgepipe.runtime.Layers;
import io.edgepipe.vgpu.Gpu;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;

/** Compute time per frame of each service of the chain on this machine, after warm-up. */
public final class ComputeTimer {
  /** Median and 95th percentile of per-frame times, in ms. */
  public record Stat(double medianMs, double p95Ms) {
    static Stat of(double[] ms) {
      double[] s = ms.clone();
      Arrays.sort(s);
      return new Stat(s[(s.length - 1) / 2], s[Math.min(s.length - 1, (int) Math.ceil(0.95 * s.length) - 1)]);
    }
  }

  private final int warmup;
  private final int frames;

  public ComputeTimer(int warmup, int frames) {
    this.warmup = warmup;
    this.frames = frames;
  }

  /** The producer's work per frame: encoding a camera image for the first hop. */
  public Stat producer(PipelineSpec spec) {
    TensorShape in = spec.input();
    try (SyntheticSource source = new SyntheticSource(1, in.h(), in.w(), in.c(), Long.MAX_VALUE)) {
      FrameEncoder encoder = new FrameEncoder(in, spec.inputType());
      RawImage image = source.next().orElseThrow();
      return time(() -> encoder.encode(image));
    }
  }

  /** Layer {@code index} of the spec on {@code gpu}, fed with payloads of its input hop's type. */
  public Stat layer(PipelineSpec spec, int index, Gpu gpu) {
    TensorShape shape = spec.shapes().get(index);
    DType type = spec.hopTypes().get(index);
    ByteBuffer payload = payload(shape, type);
    GpuLayer layer = Layers.create(spec.layers().get(index), shape, gpu);
    try {
      return time(() -> layer.run(payload.duplicate(), type, shape));
    } finally {
      layer.close();
    }
  }

  private Stat time(Runnable work) {
    for (int i = 0; i < warmup; i++) {
      work.run();
    }
    double[] ms = new double[frames];
    for (int i = 0; i < frames; i++) {
      long t0 = System.nanoTime();
      work.run();
      ms[i] = (System.nanoTime() - t0) / 1e6;
    }
    return Stat.of(ms);
  }

  /** Values like a camera's, in the hop's type (a layer's speed does not depend on them). */
  public static ByteBuffer payload(TensorShape shape, DType type) {
    int n = Math.toIntExact(shape.elements());
    ByteBuffer b = ByteBuffer.allocate(n * ElementType.sizeOf(type)).order(ByteOrder.LITTLE_ENDIAN);
    SplittableRandom random = new SplittableRandom(n);
    for (int i = 0; i < n; i++) {
      float v = (float) random.nextDouble();
      switch (type) {
        case U8 -> b.put((byte) random.nextInt(256));
        case F16 -> b.putShort(Float16.fromFloat(v));
        default -> b.putFloat(v);
      }
    }
    return b.flip();
  }
}
