package io.edgepipe.harness;

import io.edgepipe.launcher.FlowDriver;
import io.edgepipe.launcher.RunOptions;

import com.google.protobuf.UnsafeByteOperations;
import io.edgepipe.api.EpochClock;
import io.edgepipe.api.PipelineSpec;
import io.edgepipe.api.TensorShape;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.api.proto.StageTiming;
import io.edgepipe.producer.Producer;
import io.edgepipe.producer.SinkRecorder;
import io.edgepipe.runtime.Downstream;
import io.edgepipe.runtime.GpuLayer;
import io.edgepipe.runtime.Layers;
import io.edgepipe.runtime.PayloadCodecs;
import io.edgepipe.vgpu.Devices;
import io.edgepipe.vgpu.Gpu;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The baseline: the same producer, the same layers on one device, the same element-type
 * conversions between layers, and the same sink, all in one process with no gRPC. Each
 * frame's timings are recorded as in the pipeline, so both report in the same table, and the
 * outputs are bit-identical to the pipeline's.
 */
public final class MonolithRun implements Downstream {
  private final PipelineSpec spec;
  private final Gpu gpu;
  private final List<GpuLayer> layers = new ArrayList<>();
  private final SinkRecorder sink;

  public MonolithRun(PipelineSpec spec, String device, Consumer<Frame> outputs) {
    this.spec = spec;
    this.gpu = Devices.open(device);
    List<TensorShape> shapes = spec.shapes();
    for (int i = 0; i < spec.layers().size(); i++) {
      layers.add(Layers.create(spec.layers().get(i), shapes.get(i), gpu));
    }
    this.sink = new SinkRecorder(outputs, spec.delivery());
  }

  public RunResult run(RunOptions o, Runnable progress) {
    Producer producer = new Producer(spec, this, "local");
    FlowDriver.drive(o, producer, progress);
    return RunResult.of("monolith", sink.summary(), producer.sentPerFlow());
  }

  /** Called by the producer for each frame: compute every layer in turn and deliver. */
  @Override
  public synchronized void send(Frame frame, Runnable onAnswered) {
    // no wire between the layers here: a compressed first hop is decoded once, the rest stays raw
    Frame.Builder f = PayloadCodecs.decoded("monolith", frame).toBuilder();
    for (GpuLayer layer : layers) {
      long received = EpochClock.nowMicros();
      TensorShape inShape = TensorShape.of(f.getShape());
      ByteBuffer out = layer.run(f.getData().asReadOnlyByteBuffer(), f.getDtype(), inShape);
      long processed = EpochClock.nowMicros();
      f.setDtype(layer.spec().outputType())
          .setShape(layer.outputShape(inShape).toProto())
          .setData(UnsafeByteOperations.unsafeWrap(out.array()))
          .addTimings(StageTiming.newBuilder().setStage(layer.spec().name()).setNode("local")
              .setReceivedUs(received).setProcessedUs(processed).setSentUs(processed));
    }
    sink.process(f.build());
    if (onAnswered != null) {
      onAnswered.run();
    }
  }

  @Override
  public void close() {
    layers.forEach(GpuLayer::close);
    gpu.close();
  }
}
