package io.edgepipe.harness.adaptive;

import io.edgepipe.api.PipelineSpec;
import io.edgepipe.producer.FirstHop;
import io.edgepipe.runtime.DownstreamClient;
import io.edgepipe.runtime.FrameProcessor;
import io.edgepipe.runtime.HopWindow;
import io.edgepipe.runtime.Transport;
import java.util.logging.Logger;

/**
 * The connection an upstream opens to a moved stage: the same kind of client the upstream made
 * for its first next hop (the producer's first hop, or a compute stage's downstream), with the
 * same window and payload budget, so a repointed hop behaves as it did before the move.
 */
public final class UpstreamLinks {
  private static final Logger log = Logger.getLogger(UpstreamLinks.class.getName());

  private UpstreamLinks() {}

  /**
   * A new connection to compute stage {@code i} (layer index) at {@code address}.
   *
   * @param sink the producer's sink, for the first hop's source drops (used when {@code i == 0})
   */
  public static DownstreamClient toStage(PipelineSpec spec, int i, String address, FrameProcessor sink) {
    var channel = Transport.channel(address, spec.maxFrameBytes());
    if (i == 0) {
      return FirstHop.open(spec, channel, sink);
    }
    String upstream = spec.layers().get(i - 1).name();
    return new DownstreamClient(upstream, channel, true, false,
        ack -> log.warning(upstream + ": next hop refused " + ack.getFlowId() + "/" + ack.getSeq() + ": "
            + ack.getMessage()),
        spec.delivery(), null, HopWindow.forHop(spec, i), HopWindow.payloadBytes(spec, i));
  }
}
