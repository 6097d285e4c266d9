package io.edgepipe.launcher;

import io.edgepipe.api.PipelineSpec;
import io.edgepipe.producer.FirstHop;
import io.edgepipe.producer.Producer;
import io.edgepipe.producer.SinkRecorder;
import io.edgepipe.producer.SinkServer;
import io.edgepipe.runtime.DownstreamClient;
import io.edgepipe.runtime.FrameServer;
import io.edgepipe.runtime.Transport;
import io.edgepipe.runtime.tls.TlsFiles;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The producer as a long-running service (its container): the sink listens beside it, frames
 * stream to the first stage, and a summary is logged every 10 s and at the end.
 */
final class ProducerService {
  private static final Logger log = Logger.getLogger(ProducerService.class.getName());

  private ProducerService() {}

  static int run(PipelineSpec spec, Path specFile, String host, int sinkPort, int metricsPort, String next,
      String node, RunOptions o, TlsFiles tls) throws InterruptedException {
    if (next == null || next.isBlank()) {
      throw new IllegalArgumentException("the producer needs --next (or EDGEPIPE_NEXT): the first stage's address");
    }
    SinkRecorder recorder = new SinkRecorder(null, spec.delivery());
    FrameServer sink;
    try {
      sink = SinkServer.create(recorder, host, sinkPort, metricsPort, spec.maxFrameBytes(), node, tls).start();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot start the sink on port " + sinkPort, e);
    }
    Thread reporter = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        try {
          Thread.sleep(10_000);
        } catch (InterruptedException e) {
          return;
        }
        log.info("sink: " + recorder.summary());
      }
    }, "sink-report");
    reporter.setDaemon(true);
    reporter.start();
    DownstreamClient toFirst = FirstHop.open(spec, Transport.channel(next, spec.maxFrameBytes(), tls), recorder);
    try {
      FlowDriver.drive(o, new Producer(spec, toFirst, node), null);
    } finally {
      toFirst.close();
      reporter.interrupt();
    }
    Thread.sleep(2_000); // let the last frames reach the sink before the final line
    log.info("done: " + recorder.summary());
    sink.stop(10, TimeUnit.SECONDS);
    return 0;
  }
}
