package io.edgepipe.runtime;

import io.edgepipe.api.FrameValidator;
import io.edgepipe.vgpu.Devices;
import io.edgepipe.vgpu.Gpu;
import java.util.List;
import java.util.logging.Logger;

/**
 * Assembles one compute service from its options: device, its group of layers (one layer, or
 * consecutive layers fused into one service, see {@link LayerGroup}), the streaming client to
 * the next hop, and the server. conv, relu, maxpool and any fused group all start here and
 * differ only in the layers their modules contribute.
 */
public final class ComputeStage {
  private static final Logger log = Logger.getLogger(ComputeStage.class.getName());

  private ComputeStage() {}

  /** Builds the stage's server, not yet started. */
  public static FrameServer create(StageOptions o) {
    return create(o, java.util.function.UnaryOperator.identity());
  }

  /**
   * As {@link #create(StageOptions)}, with the stage's downstream wrapped by {@code wrap} (a
   * controller that must repoint it to a moved next stage).
   */
  public static FrameServer create(StageOptions o, java.util.function.UnaryOperator<Downstream> wrap) {
    List<String> layers = o.layers();
    // a stage with a certificate reaches a remote vGPU over mutual TLS with it too
    Gpu gpu = Devices.open(o.device(), System.getenv(), o.tls() == null ? null : o.tls().channelCredentials());
    FrameProcessor processor;
    try {
      processor = StageProcessors.open(o.spec(), layers, gpu);
    } catch (RuntimeException e) {
      gpu.close();
      throw e;
    }
    StageMetrics metrics = new StageMetrics(o.stage());
    DownstreamClient downstream = new DownstreamClient(o.stage(),
        Transport.channel(o.next(), o.spec().maxFrameBytes(), o.tls()), true, o.feedsSink(), ack -> {
          metrics.downstreamRejected();
          log.warning(o.stage() + ": next hop refused " + ack.getFlowId() + "/" + ack.getSeq() + ": " + ack.getMessage());
        }, o.spec().delivery(), null, HopWindow.forHop(o.spec(), o.lastIndex() + 1),
        HopWindow.payloadBytes(o.spec(), o.lastIndex() + 1));
    Downstream out = wrap.apply(downstream);
    processor.writeOutputsFor(out);
    FrameHandler handler = new FrameHandler(o.stage(), o.node(),
        new FrameValidator(o.spec().maxFrameBytes()), processor, out, metrics, o.spec().delivery(),
        o.spec().deadlineMillis());
    log.info(o.stage() + ": " + StageProcessors.kinds(o.spec(), layers) + " on " + gpu.name() + ", next hop " + o.next());
    return new FrameServer(o.stage(), o.host(), o.port(), o.metricsPort(), o.spec().maxFrameBytes(),
        new StageService(handler), handler, out, o.tls());
  }
}
