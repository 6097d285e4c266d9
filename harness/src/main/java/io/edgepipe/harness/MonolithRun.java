package io.edgepipe.harness;

import io.edgepipe.launcher.FlowDriver;
import io.edgepipe.launcher.RunOptions;

import io.edgepipe.api.LayerSpec;
import io.edgepipe.api.PipelineSpec;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.api.proto.StageTiming;
import io.edgepipe.producer.Producer;
import io.edgepipe.producer.SinkRecorder;
import io.edgepipe.runtime.Downstream;
import io.edgepipe.api.EpochClock;
import io.edgepipe.runtime.FrameProcessor;
import io.edgepipe.runtime.LayerProcessor;
import io.edgepipe.runtime.StageProcessors;
import io.edgepipe.runtime.PayloadCodecs;
import io.edgepipe.vgpu.Devices;
import io.edgepipe.vgpu.Gpu;
import java.util.function.Consumer;

/**
 * The baseline: the same producer, every layer as one group on one device ({@link LayerProcessor},
 * as a compute service runs its layers), and the same sink, all in one process with no gRPC and
 * no hops. Each frame keeps a timing record per layer as in the pipeline, so both report in the
 * same table, and the outputs are bit-identical to the pipeline's.
 */
public final class MonolithRun implements Downstream {
  private final PipelineSpec spec;
  private final FrameProcessor layers;
  private final SinkRecorder sink;

  public MonolithRun(PipelineSpec spec, String device, Consumer<Frame> outputs) {
    this.spec = spec;
    Gpu gpu = Devices.open(device);
    try {
      this.layers = StageProcessors.open(spec, spec.layers().stream().map(LayerSpec::name).toList(), gpu);
    } catch (RuntimeException e) {
      gpu.close();
      throw e;
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
    Frame decoded = PayloadCodecs.decoded("monolith", frame);
    Frame.Builder f = decoded.toBuilder();
    Frame.Builder out;
    if (layers instanceof LayerProcessor perLayer) {
      out = perLayer.processRaw(decoded, (layer, received, processed) -> f.addTimings(timing(layer.name(), received, processed)));
    } else { // a model: the whole of it is one partition, timed as one
      long received = EpochClock.nowMicros();
      out = layers.process(decoded);
      f.addTimings(timing(spec.name(), received, EpochClock.nowMicros()));
    }
    sink.process(f.setDtype(out.getDtype()).setShape(out.getShape()).setData(out.getData())
        .clearTensors().addAllTensors(out.getTensorsList()).build());
    if (onAnswered != null) {
      onAnswered.run();
    }
  }

  private static StageTiming timing(String stage, long received, long processed) {
    return StageTiming.newBuilder().setStage(stage).setNode("local").setReceivedUs(received).setProcessedUs(processed)
        .setSentUs(processed).build();
  }

  @Override
  public void close() {
    layers.close();
  }
}
