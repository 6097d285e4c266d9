package io.edgepipe.runtime;

import com.google.protobuf.UnsafeByteOperations;
import io.edgepipe.api.EpochClock;
import io.edgepipe.api.LayerSpec;
import io.edgepipe.api.PayloadCodec;
import io.edgepipe.api.PipelineSpec;
import io.edgepipe.api.TensorShape;
import io.edgepipe.api.proto.DType;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.runtime.shm.SharedRing;
import io.edgepipe.vgpu.Gpu;
import io.grpc.Status;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A compute service's {@link FrameProcessor}: runs its group of one or more consecutive layers
 * ({@link LayerGroup}) on the frame's payload, in turn, on the service's one device. Between two
 * layers the payload is what the hop between them would carry raw (the first layer's output
 * element type), so a group computes bit-identically what the same layers compute as separate
 * services: only the hops disappear. The input is decoded and the output encoded with the hop
 * codecs ({@link PayloadCodecs}). This is the one place where layers run on a frame; a stage, a
 * fused service and the monolith all run through it.
 */
public final class LayerProcessor implements FrameProcessor {
  /** Told when each layer of the group has run (the monolith keeps a timing record per layer). */
  public interface LayerTimings {
    void ran(LayerSpec layer, long startMicros, long endMicros);
  }

  private final List<GpuLayer> layers;
  private final Gpu ownedDevice;
  private final String name;
  private final HostInput input; // where the payload is received: the device's host memory when that spares a copy
  private final LentOutputs lent; // outputs left where the device wrote them, until their custody ends
  private volatile Downstream next; // where outputs may be reserved in place; null = fresh buffers

  /** @param ownedDevice the stage's own device, closed with the processor (null if shared) */
  public LayerProcessor(GpuLayer layer, Gpu ownedDevice) {
    this(List.of(layer), ownedDevice);
  }

  /** @param ownedDevice the service's own device, closed with the processor (null if shared) */
  public LayerProcessor(List<GpuLayer> layers, Gpu ownedDevice) {
    if (layers.isEmpty()) {
      throw new IllegalArgumentException("a compute service needs at least one layer");
    }
    this.layers = List.copyOf(layers);
    this.ownedDevice = ownedDevice;
    this.name = LayerGroup.name(this.layers.stream().map(l -> l.spec().name()).toList());
    this.input = new HostInput(this.layers.get(0).device());
    this.lent = new LentOutputs(last().device());
  }

  /** The processor of the named consecutive layers of {@code spec}, each set up on {@code gpu}. */
  public static LayerProcessor open(PipelineSpec spec, List<String> names, Gpu gpu, Gpu ownedDevice) {
    List<TensorShape> shapes = spec.shapes();
    List<GpuLayer> layers = new ArrayList<>();
    try {
      for (String name : names) {
        int index = spec.indexOf(name);
        layers.add(Layers.create(spec.layers().get(index), shapes.get(index), gpu));
      }
    } catch (RuntimeException e) {
      layers.forEach(GpuLayer::close);
      throw e;
    }
    return new LayerProcessor(layers, ownedDevice);
  }

  /** The kinds of its layers, for a log line ({@code conv2d+relu}). */
  public String kinds() {
    return String.join("+", layers.stream().map(l -> l.spec().kind()).toList());
  }

  @Override
  public Frame.Builder process(Frame in) {
    return run(in, null, true, false);
  }

  /**
   * As {@link #process}; on a device whose host buffers it reads and writes in place (a vGPU with
   * its backend on this host), the last layer's output is left where the device wrote it, a region
   * of the session's shared memory, instead of being copied into a fresh heap array. The region is
   * reused only after {@link #outputDone}. Not when the output goes into the next hop's ring slot
   * or is encoded, or when the shared memory has no room (outputs still held take it): then as
   * {@link #process}.
   */
  @Override
  public Frame.Builder processLending(Frame in) {
    return run(in, null, true, true);
  }

  @Override
  public void outputDone(Frame out) {
    lent.done(out.getData());
  }

  /** Outputs lent by {@link #processLending} and not yet done with. */
  int outputsLent() {
    return lent.outstanding();
  }

  /**
   * The layers' output left raw, not encoded for a next hop (the monolith has none).
   *
   * @param timings told as each layer finishes, or null
   */
  public Frame.Builder processRaw(Frame in, LayerTimings timings) {
    return run(in, timings, false, false);
  }

  private Frame.Builder run(Frame in, LayerTimings timings, boolean encode, boolean lend) {
    TensorShape shape = TensorShape.of(in.getShape());
    DType type = in.getDtype();
    // an uncompressed payload is read in place, or received into the device's host memory when that
    // spares a copy (HostInput); the last output buffer is handed over to protobuf
    ByteBuffer data = input.receive(name, in);
    try {
      return runLayers(data, type, shape, timings, encode, lend);
    } finally {
      input.release();
    }
  }

  private Frame.Builder runLayers(ByteBuffer data, DType type, TensorShape shape, LayerTimings timings,
      boolean encode, boolean lend) {
    SharedRing.Reservation slot = null;
    ByteBuffer lentOut = null; // the last output's host buffer when it is lent
    for (GpuLayer layer : layers) {
      TensorShape out;
      try {
        out = layer.outputShape(shape);
      } catch (IllegalArgumentException e) {
        throw new FrameRejectedException(Status.Code.INVALID_ARGUMENT, layer.spec().name()
            + ": cannot take a " + shape + " frame: " + e.getMessage());
      }
      long start = timings == null ? 0 : EpochClock.nowMicros();
      if (encode && layer == last() && layer.spec().outputCodec() == PayloadCodec.NONE) {
        if (next != null) {
          slot = next.reserveOutput(layer.outputBytes(out)); // the last output goes straight to the next hop's memory
        }
        if (slot == null && lend) {
          lentOut = lent.buffer(layer.outputBytes(out)); // or stays where the device writes it
        }
      }
      try {
        data = layer.run(data, type, shape, slot != null ? slot.buffer() : lentOut);
      } catch (RuntimeException e) {
        if (slot != null) {
          slot.release();
        }
        if (lentOut != null) {
          lent.giveBack(lentOut);
        }
        throw e;
      }
      if (timings != null) {
        timings.ran(layer.spec(), start, EpochClock.nowMicros());
      }
      type = layer.spec().outputType();
      shape = out;
    }
    Frame.Builder result = Frame.newBuilder().setDtype(type).setShape(shape.toProto());
    if (slot != null) {
      return result.setData(slot.payload()).setCodec(PayloadCodec.NONE.proto());
    }
    if (lentOut != null) {
      return result.setData(lent.lend(lentOut)).setCodec(PayloadCodec.NONE.proto());
    }
    if (!encode) {
      return result.setData(UnsafeByteOperations.unsafeWrap(data.array()));
    }
    return PayloadCodecs.output(layers.get(layers.size() - 1).spec().outputCodec(), result, data.array());
  }

  private GpuLayer last() {
    return layers.get(layers.size() - 1);
  }

  /** The last layer's output is copied back from the device into a slot {@code next} reserves, when it can. */
  @Override
  public void writeOutputsFor(Downstream next) {
    this.next = next;
  }

  /** The payload is copied to the device inside {@link #process}; nothing of it is kept. */
  @Override
  public boolean keepsInput() {
    return false;
  }

  @Override
  public void close() {
    input.close();
    lent.close();
    layers.forEach(GpuLayer::close);
    if (ownedDevice != null) {
      ownedDevice.close();
    }
  }
}
