package io.edgepipe.experiments.bench;

import com.google.protobuf.ByteString;
import io.edgepipe.api.PayloadCodec;
import io.edgepipe.api.PipelineSpec;
import io.edgepipe.api.TensorShape;
import io.edgepipe.api.proto.DType;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.planner.codec.CodecCost;
import io.edgepipe.producer.FrameEncoder;
import io.edgepipe.producer.source.FrameSource;
import io.edgepipe.producer.source.FrameSources;
import io.edgepipe.producer.source.RawImage;
import io.edgepipe.runtime.GpuLayer;
import io.edgepipe.runtime.Layers;
import io.edgepipe.vgpu.Devices;
import io.edgepipe.vgpu.Gpu;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Every codec on every hop of a chain, on the payloads the chain really produces: frames from a
 * source (real footage for the report) go through the producer's encoder and each layer on the
 * cpu device, as in the monolith; each hop's payload is then encoded and decoded with each codec
 * on this thread, timed in thread CPU time, and checked to come back byte for byte.
 *
 * <p>The first {@code warmup} frames are computed and coded but not counted (JIT, native library
 * loading). Codecs run one frame at a time on one thread, as a stage's output step does.
 */
public final class CodecBench {
  /** One codec on one hop, per frame over the counted frames. */
  public record Row(int hop, String hopName, String payload, PayloadCodec codec, int frames, double rawBytes,
      double wireBytes, double encodeCpuMs, double decodeCpuMs) {
    public double ratio() {
      return rawBytes / wireBytes;
    }

    /** Raw megabytes encoded per CPU second (10^6 bytes). */
    public double encodeMBps() {
      return encodeCpuMs > 0 ? rawBytes / 1e6 / (encodeCpuMs / 1e3) : Double.POSITIVE_INFINITY;
    }

    public double decodeMBps() {
      return decodeCpuMs > 0 ? rawBytes / 1e6 / (decodeCpuMs / 1e3) : Double.POSITIVE_INFINITY;
    }

    /** The planner's view of this row (the same CPU at both ends: this machine's). */
    public CodecCost cost() {
      return new CodecCost(codec, ratio(), encodeCpuMs * 1e6 / rawBytes, decodeCpuMs * 1e6 / rawBytes);
    }
  }

  private final PipelineSpec spec;
  private final String source;
  private final ThreadMXBean cpu = ManagementFactory.getThreadMXBean();

  /** @param source a frame source as {@code pipeline run} takes it ({@code video:FILE}, {@code synthetic}, ...) */
  public CodecBench(PipelineSpec spec, String source) {
    this.spec = spec;
    this.source = source;
  }

  /** Codes {@code frames} counted frames after {@code warmup} uncounted ones; rows by hop, then codec. */
  public List<Row> run(int frames, int warmup) {
    if (frames < 1 || warmup < 0) {
      throw new IllegalArgumentException("need frames >= 1 and warmup >= 0, got " + frames + ", " + warmup);
    }
    List<TensorShape> shapes = spec.shapes();
    List<DType> types = spec.hopTypes();
    int hops = shapes.size();
    PayloadCodec[] codecs = PayloadCodec.values();
    double[][][] sums = new double[hops][codecs.length][4]; // raw, wire, encode ns, decode ns
    int counted = 0;
    TensorShape in = spec.input();
    try (Gpu gpu = Devices.open("cpu");
         FrameSource frames0 = FrameSources.open(source, in.h(), in.w(), in.c(), 42)) {
      List<GpuLayer> layers = new ArrayList<>();
      for (int i = 0; i < spec.layers().size(); i++) {
        layers.add(Layers.create(spec.layers().get(i), shapes.get(i), gpu));
      }
      FrameEncoder encoder = new FrameEncoder(in, spec.inputType());
      try {
        for (int f = 0; f < warmup + frames; f++) {
          Optional<RawImage> image = frames0.next();
          if (image.isEmpty()) {
            break;
          }
          Frame first = encoder.encode(image.get()).build();
          byte[] payload = first.getData().toByteArray();
          boolean count = f >= warmup;
          for (int hop = 0; hop < hops; hop++) {
            if (hop > 0) {
              GpuLayer layer = layers.get(hop - 1);
              payload = layer.run(ByteBuffer.wrap(payload), types.get(hop - 1), shapes.get(hop - 1)).array();
            }
            for (int c = 0; c < codecs.length; c++) {
              code(codecs[c], payload, count ? sums[hop][c] : new double[4]);
            }
          }
          if (count) {
            counted++;
          }
        }
      } finally {
        layers.forEach(GpuLayer::close);
      }
    }
    if (counted == 0) {
      throw new IllegalStateException("source " + source + " gave no frame after the " + warmup + " warm-up frames");
    }
    List<Row> rows = new ArrayList<>();
    for (int hop = 0; hop < hops; hop++) {
      String payload = types.get(hop).name().toLowerCase(java.util.Locale.ROOT) + " " + shapes.get(hop);
      for (int c = 0; c < codecs.length; c++) {
        double[] s = sums[hop][c];
        rows.add(new Row(hop, hopName(hop), payload, codecs[c], counted, s[0] / counted, s[1] / counted,
            s[2] / counted / 1e6, s[3] / counted / 1e6));
      }
    }
    return rows;
  }

  /** "producer->conv", ..., "maxpool->sink". */
  private String hopName(int hop) {
    String from = hop == 0 ? "producer" : spec.layers().get(hop - 1).name();
    String to = hop < spec.layers().size() ? spec.layers().get(hop).name() : "sink";
    return from + "->" + to;
  }

  /** Encodes and decodes one payload, adding raw bytes, wire bytes and CPU ns to {@code sum}. */
  private void code(PayloadCodec codec, byte[] raw, double[] sum) {
    long t0 = cpu.getCurrentThreadCpuTime();
    ByteString wire = codec.encode(raw);
    long t1 = cpu.getCurrentThreadCpuTime();
    byte[] back = codec == PayloadCodec.NONE ? raw : codec.decode(wire, raw.length);
    long t2 = cpu.getCurrentThreadCpuTime();
    if (!Arrays.equals(raw, back)) {
      throw new IllegalStateException(codec.label() + " did not give back the payload it was given");
    }
    sum[0] += raw.length;
    sum[1] += wire.size();
    sum[2] += t1 - t0;
    sum[3] += t2 - t1;
  }
}
