package io.edgepipe.experiments;

import io.edgepipe.api.PipelineSpec;
import io.edgepipe.api.TensorShape;
import io.edgepipe.api.proto.DType;
import io.edgepipe.api.Tier;
import io.edgepipe.planner.profile.FrameSize;
import io.edgepipe.planner.profile.ProfileBuilder;
import io.edgepipe.producer.FrameEncoder;
import io.edgepipe.producer.source.RawImage;
import io.edgepipe.producer.source.SyntheticSource;
import io.edgepipe.runtime.GpuLayer;
import io.edgepipe.runtime.Layers;
import io.edgepipe.vgpu.Devices;
import io.edgepipe.vgpu.Gpu;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Compute time per frame of each service, as the planner should see it on a node whose CPU is
 * capped: the <em>sustained</em> mean, total wall time over frames computed back to back for at
 * least {@code minSeconds}. A CFS quota (the testbed edge's 0.5 core = 50 ms every 100 ms) lets a
 * short burst run at full speed and then stops the group until the next period, so the median of
 * a few frames (what {@code pipeline measure} reports) hardly moves under the cap while the rate
 * a service can keep up halves; the sustained mean carries the throttling. The p95 stays the
 * per-frame p95.
 */
public final class SustainedCompute {
  private final int warmup;
  private final int minFrames;
  private final double minSeconds;

  public SustainedCompute(int warmup, int minFrames, double minSeconds) {
    this.warmup = warmup;
    this.minFrames = minFrames;
    this.minSeconds = minSeconds;
  }

  /** Every service (producer first) at every square side, for {@code tier}. */
  public List<ProfileMeasurer.Compute> measure(PipelineSpec base, List<Integer> sides, Tier tier, String device,
      Runnable progress) {
    List<ProfileMeasurer.Compute> out = new ArrayList<>();
    List<String> names = ProfileMeasurer.services(base);
    try (Gpu gpu = Devices.open(device)) {
      // one untimed pass first: the JIT compiles each service's code once, whatever the size
      new SustainedCompute(warmup, 1, Math.max(0.5, minSeconds)).measureAll(base, sides.get(0), gpu, names.size());
      for (int side : sides) {
        PipelineSpec spec = base.withInput(side, side);
        FrameSize size = FrameSize.of(side, side);
        for (int i = 0; i < names.size(); i++) {
          double[] stat = i == 0 ? producer(spec) : layer(spec, i - 1, gpu);
          out.add(new ProfileMeasurer.Compute(names.get(i), tier, size, stat[0], stat[1]));
          if (progress != null) {
            progress.run();
          }
        }
      }
    }
    return out;
  }

  /**
   * What a video source's producer does per frame after stamping its capture time (so inside the
   * latency, outside {@link #producer}'s encode): copy the decoder's bgr24 picture out of its
   * native buffer and turn it into the input's channels (luma for one channel), as
   * {@code GrabberSource} does; per square side, as the producer's compute on {@code tier}.
   */
  public List<ProfileMeasurer.Compute> videoSource(PipelineSpec base, List<Integer> sides, Tier tier) {
    List<ProfileMeasurer.Compute> out = new ArrayList<>();
    String producer = ProfileMeasurer.services(base).get(0);
    for (int side : sides) {
      int channels = base.input().c();
      ByteBuffer decoded = ByteBuffer.allocateDirect(side * side * 3);
      time(() -> pick(decoded, side, channels)); // compiled once before it is timed
      double[] stat = time(() -> pick(decoded, side, channels));
      out.add(new ProfileMeasurer.Compute(producer, tier, FrameSize.of(side, side), stat[0], stat[1]));
    }
    return out;
  }

  private static byte[] pick(ByteBuffer decoded, int side, int channels) {
    byte[] bgr = new byte[side * side * 3];
    decoded.duplicate().get(bgr);
    return channels == 1 ? io.edgepipe.producer.source.Pixels.bgrToGray(bgr, side * side) : bgr;
  }

  private void measureAll(PipelineSpec base, int side, Gpu gpu, int services) {
    PipelineSpec spec = base.withInput(side, side);
    for (int i = 0; i < services; i++) {
      if (i == 0) {
        producer(spec);
      } else {
        layer(spec, i - 1, gpu);
      }
    }
  }

  /** Writes {@code compute} as a profile (with the spec's hop sizes) for the suite to read back. */
  public static void write(PipelineSpec base, List<Integer> sides, List<ProfileMeasurer.Compute> compute, Path file) {
    ProfileBuilder b = ProfileBuilder.forSpec(base);
    for (int side : sides) {
      b.addHopsFromSpec(base.withInput(side, side));
    }
    compute.forEach(c -> b.addCompute(c.stage(), c.tier(), c.size(), c.medianMs(), c.p95Ms()));
    b.write(file);
  }

  private double[] producer(PipelineSpec spec) {
    TensorShape in = spec.input();
    try (SyntheticSource source = new SyntheticSource(1, in.h(), in.w(), in.c(), Long.MAX_VALUE)) {
      FrameEncoder encoder = new FrameEncoder(in, spec.inputType());
      RawImage image = source.next().orElseThrow();
      return time(() -> encoder.encode(image));
    }
  }

  private double[] layer(PipelineSpec spec, int index, Gpu gpu) {
    TensorShape shape = spec.shapes().get(index);
    DType type = spec.hopTypes().get(index);
    ByteBuffer payload = io.edgepipe.harness.measure.ComputeTimer.payload(shape, type);
    GpuLayer layer = Layers.create(spec.layers().get(index), shape, gpu);
    try {
      return time(() -> layer.run(payload.duplicate(), type, shape));
    } finally {
      layer.close();
    }
  }

  /** {sustained mean ms, p95 ms}. */
  private double[] time(Runnable work) {
    // warm-up by count and by time (half the window), so the JIT has compiled the kernel first
    long warmStart = System.nanoTime();
    for (int i = 0; i < warmup || System.nanoTime() - warmStart < (long) (minSeconds * 0.5e9); i++) {
      work.run();
    }
    List<Double> ms = new ArrayList<>();
    long start = System.nanoTime();
    long minNanos = (long) (minSeconds * 1e9);
    while (ms.size() < minFrames || System.nanoTime() - start < minNanos) {
      long t0 = System.nanoTime();
      work.run();
      ms.add((System.nanoTime() - t0) / 1e6);
    }
    double mean = (System.nanoTime() - start) / 1e6 / ms.size();
    double[] sorted = ms.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(sorted);
    return new double[] {mean, sorted[Math.min(sorted.length - 1, (int) Math.ceil(0.95 * sorted.length) - 1)]};
  }
}
