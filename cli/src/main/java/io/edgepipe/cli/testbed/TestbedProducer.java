package io.edgepipe.cli.testbed;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgepipe.api.Delivery;
import io.edgepipe.api.PipelineSpec;
import io.edgepipe.cli.run.FlowDriver;
import io.edgepipe.cli.run.RunOptions;
import io.edgepipe.cli.run.RunResult;
import io.edgepipe.producer.FirstHop;
import io.edgepipe.producer.Producer;
import io.edgepipe.producer.SinkRecorder;
import io.edgepipe.producer.SinkServer;
import io.edgepipe.runtime.DownstreamClient;
import io.edgepipe.runtime.FrameServer;
import io.edgepipe.runtime.Transport;
import io.edgepipe.testbed.NodeProcess;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The producer side of a testbed run, as a child process in the producer's namespace: starts
 * the sink, waits until every stage answers its health check from here, streams the frames,
 * and, once {@link TestbedRun} has drained the stages, writes the {@link RunResult} as JSON
 * on stdout (see {@link ChildProtocol}).
 */
@Command(name = "testbed-producer")
public final class TestbedProducer implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long HEALTH_TIMEOUT_S = 180;

  @Option(names = "--spec", required = true) Path specFile;
  @Option(names = "--height", required = true) int height;
  @Option(names = "--width", required = true) int width;
  @Option(names = "--delivery", required = true) String delivery;
  @Option(names = "--deadline-ms", required = true) long deadlineMs;
  @Option(names = "--source", required = true) String source;
  @Option(names = "--frames", required = true) long frames;
  @Option(names = "--fps", required = true) double fps;
  @Option(names = "--flows", required = true) int flows;
  @Option(names = "--seed", required = true) long seed;
  @Option(names = "--device", required = true) String device;
  @Option(names = "--node", required = true) String node;
  @Option(names = "--sink-port", required = true) int sinkPort;
  @Option(names = "--next", required = true) String next;
  @Option(names = "--mode", required = true) String mode;
  @Option(names = "--await", description = "NAME=HOST:PORT of a stage to health-check first") Map<String, String> awaits
      = new LinkedHashMap<>();

  public static void main(String[] args) {
    int code = new CommandLine(new TestbedProducer())
        .setExecutionExceptionHandler((e, cmd, parsed) -> {
          say(ChildProtocol.ERROR + " " + String.valueOf(e.getMessage()).replace('\n', ' '));
          e.printStackTrace();
          return 1;
        }).execute(args);
    System.exit(code);
  }

  static synchronized void say(String line) {
    System.out.println(NodeProcess.PROTOCOL + line);
    System.out.flush();
  }

  @Override
  public Integer call() throws Exception {
    PipelineSpec spec = PipelineSpec.load(specFile).withInput(height, width)
        .withDelivery(Delivery.parse(delivery)).withDeadline(deadlineMs);
    SinkRecorder recorder = new SinkRecorder(null, spec.delivery());
    FrameServer sink = SinkServer.create(recorder, "0.0.0.0", sinkPort, -1, spec.maxFrameBytes(), node).start();
    for (Map.Entry<String, String> stage : awaits.entrySet()) {
      awaitServing(stage.getKey(), stage.getValue());
    }
    say(ChildProtocol.READY);
    DownstreamClient toFirst = FirstHop.open(spec, Transport.channel(next, spec.maxFrameBytes()), recorder);
    Producer producer = new Producer(spec, toFirst, node);
    RunOptions o = new RunOptions(spec, specFile, source, frames, fps, flows, device, seed, null, "npy");
    FrameCounter counter = new FrameCounter();
    try {
      FlowDriver.drive(o, producer, counter::frame);
    } finally {
      toFirst.close();
    }
    counter.flush();
    say(ChildProtocol.SENT);
    awaitDrained();
    sink.stop(10, TimeUnit.SECONDS);
    RunResult result = RunResult.of(mode, recorder.summary(), producer.sentPerFlow());
    say(ChildProtocol.RESULT + " " + JSON.writeValueAsString(result));
    return 0;
  }

  /** Reports progress as {@code FRAMES n} at most every 100 ms, so the log stays short. */
  private static final class FrameCounter {
    private long unreported;
    private long lastReport = System.nanoTime();

    synchronized void frame() {
      unreported++;
      if (System.nanoTime() - lastReport > 100_000_000L) {
        flush();
      }
    }

    synchronized void flush() {
      if (unreported > 0) {
        say(ChildProtocol.FRAMES + " " + unreported);
        unreported = 0;
      }
      lastReport = System.nanoTime();
    }
  }

  /** Blocks until the parent says the stages are drained (or closes our stdin). */
  private static void awaitDrained() throws java.io.IOException {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      if (line.strip().equals(ChildProtocol.DRAINED)) {
        return;
      }
    }
  }

  private static void awaitServing(String stage, String address) throws InterruptedException {
    ManagedChannel channel = Transport.channel(address, 1 << 20);
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(HEALTH_TIMEOUT_S);
      while (System.nanoTime() < deadline) {
        try {
          HealthCheckResponse r = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(1, TimeUnit.SECONDS)
              .check(HealthCheckRequest.getDefaultInstance());
          if (r.getStatus() == HealthCheckResponse.ServingStatus.SERVING) {
            return;
          }
        } catch (RuntimeException notYet) {
          // not listening yet
        }
        Thread.sleep(200);
      }
      throw new IllegalStateException("stage " + stage + " at " + address + " did not become healthy in "
          + HEALTH_TIMEOUT_S + " s");
    } finally {
      channel.shutdownNow();
    }
  }
}
