package io.edgepipe.producer;

import io.edgepipe.api.PipelineSpec;
import io.edgepipe.runtime.DeliveryPolicy;
import io.edgepipe.runtime.DownstreamClient;
import io.edgepipe.runtime.HopWindow;
import io.grpc.ManagedChannel;

/**
 * The producer's connection to the first stage. Refusals travel on to the sink as tombstones, so
 * answers need no handling here. In realtime delivery the producer never waits (a camera does
 * not): a frame the first stage cannot take at once is dropped at the source and recorded
 * straight into the sink, which lives in the producer's process. Its window bounds the whole
 * chain: one frame per service downstream ({@link HopWindow}).
 */
public final class FirstHop {
  private FirstHop() {}

  public static DownstreamClient open(PipelineSpec spec, ManagedChannel channel, io.edgepipe.runtime.FrameProcessor sink) {
    return new DownstreamClient("producer", channel, true, false, ack -> { }, spec.delivery(),
        DeliveryPolicy.of(spec.delivery()).sourceDropsWhenBusy() ? sink::onTombstone : null, HopWindow.forHop(spec, 0),
        HopWindow.payloadBytes(spec, 0));
  }
}
