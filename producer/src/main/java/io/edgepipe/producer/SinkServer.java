package io.edgepipe.producer;

import io.edgepipe.api.FrameValidator;
import io.edgepipe.runtime.FrameHandler;
import io.edgepipe.runtime.FrameServer;
import io.edgepipe.runtime.StageMetrics;

/** Builds the sink's server around a {@link SinkRecorder} (or anything that records like one). */
public final class SinkServer {
  private SinkServer() {}

  public static FrameServer create(io.edgepipe.runtime.FrameProcessor recorder, String host, int port, int metricsPort,
      long maxFrameBytes, String node) {
    return create(recorder, host, port, metricsPort, maxFrameBytes, node, null);
  }

  /** @param tls serve mutual TLS with these files; null = plaintext */
  public static FrameServer create(io.edgepipe.runtime.FrameProcessor recorder, String host, int port, int metricsPort,
      long maxFrameBytes, String node, io.edgepipe.runtime.tls.TlsFiles tls) {
    // the sink itself never drops: it reads with flow control whatever the delivery mode
    FrameHandler handler = new FrameHandler("sink", node, new FrameValidator(maxFrameBytes), recorder,
        null, new StageMetrics("sink"));
    // recording a frame waits on nothing: it is handled on the thread that read it, no hand-off
    return new FrameServer("sink", host, port, metricsPort, maxFrameBytes, new SinkService(handler), handler, null, tls)
        .handleOnTransportThread();
  }
}
