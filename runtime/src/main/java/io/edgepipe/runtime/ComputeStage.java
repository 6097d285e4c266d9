package io.edgepipe.runtime;

import io.edgepipe.api.FrameValidator;
import io.edgepipe.api.LayerSpec;
import io.edgepipe.api.TensorShape;
import io.edgepipe.vgpu.Devices;
import io.edgepipe.vgpu.Gpu;
import java.util.logging.Logger;

/**
 * Assembles one compute stage from its options: device, layer, the streaming client to the
 * next hop, and the server. conv, relu and maxpool all start here and differ only in the layer
 * their module contributes.
 */
public final class ComputeStage {
  private static final Logger log = Logger.getLogger(ComputeStage.class.getName());

  private ComputeStage() {}

  /** Builds the stage's server, not yet started. */
  public static FrameServer create(StageOptions o) {
    LayerSpec layerSpec = o.spec().layer(o.stage());
    TensorShape input = o.spec().shapes().get(o.index());
    // a stage with a certificate reaches a remote vGPU over mutual TLS with it too
    Gpu gpu = Devices.open(o.device(), System.getenv(), o.tls() == null ? null : o.tls().channelCredentials());
    GpuLayer layer = Layers.create(layerSpec, input, gpu);
    StageMetrics metrics = new StageMetrics(o.stage());
    DownstreamClient downstream = new DownstreamClient(o.stage(),
        Transport.channel(o.next(), o.spec().maxFrameBytes(), o.tls()), true, o.feedsSink(), ack -> {
          metrics.downstreamRejected();
          log.warning(o.stage() + ": next hop refused " + ack.getFlowId() + "/" + ack.getSeq() + ": " + ack.getMessage());
        }, o.spec().delivery(), null, HopWindow.forHop(o.spec(), o.index() + 1),
        HopWindow.payloadBytes(o.spec(), o.index() + 1));
    FrameProcessor processor = new LayerProcessor(layer, gpu);
    FrameHandler handler = new FrameHandler(o.stage(), o.node(),
        new FrameValidator(o.spec().maxFrameBytes()), processor, downstream, metrics, o.spec().delivery(),
        o.spec().deadlineMillis());
    log.info(o.stage() + ": " + layerSpec.kind() + " on " + gpu.name() + ", next hop " + o.next());
    return new FrameServer(o.stage(), o.host(), o.port(), o.metricsPort(), o.spec().maxFrameBytes(),
        new StageService(handler), handler, downstream, o.tls());
  }
}
