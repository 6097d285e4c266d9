package io.edgepipe.harness.testbed;

import io.edgepipe.api.Delivery;
import io.edgepipe.api.PipelineSpec;
import io.edgepipe.harness.adaptive.SwitchableDownstream;
import io.edgepipe.harness.adaptive.UpstreamLinks;
import io.edgepipe.runtime.ComputeStage;
import io.edgepipe.runtime.FrameServer;
import io.edgepipe.runtime.StageOptions;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * A compute stage of an adaptive testbed run, as a child process on its node: the service
 * {@code pipeline stage NAME} runs (same arguments, see {@link io.edgepipe.launcher.StageArgs}),
 * whose downstream the parent can repoint when the next stage moves. It says {@code READY} once
 * it listens; on stdin, {@code REPOINT HOST:PORT} sends its output to the moved next stage from
 * then on (the old one finishes what it was sent meanwhile; see {@link RepointCommands}). SIGTERM drains it into whatever is next, as a plain
 * stage does.
 */
@Command(name = "testbed-stage")
public final class TestbedStage implements Callable<Integer> {
  /** How long a repoint waits for the old next stage to answer what it was sent. */
  static final long REPOINT_TIMEOUT_MS = 30_000;

  @Parameters(index = "0") String name;
  @Option(names = "--spec", required = true) Path specFile;
  @Option(names = "--height", required = true) int height;
  @Option(names = "--width", required = true) int width;
  @Option(names = "--bind", required = true) String bind;
  @Option(names = "--port", required = true) int port;
  @Option(names = "--metrics-port", defaultValue = "-1") int metricsPort;
  @Option(names = "--next", required = true) String next;
  @Option(names = "--device", required = true) String device;
  @Option(names = "--node", required = true) String node;
  @Option(names = "--delivery", required = true) String delivery;
  @Option(names = "--deadline-ms", required = true) long deadlineMs;

  public static void main(String[] args) {
    ChildProtocol.runChild(new TestbedStage(), args);
  }

  @Override
  public Integer call() throws Exception {
    PipelineSpec spec = PipelineSpec.load(specFile).withInput(height, width).withDelivery(Delivery.parse(delivery))
        .withDeadline(deadlineMs);
    int index = indexOf(spec, name);
    AtomicReference<SwitchableDownstream> out = new AtomicReference<>();
    FrameServer server = ComputeStage.create(new StageOptions(spec, name, bind, port, metricsPort, next, device, node),
        downstream -> {
          SwitchableDownstream switchable = new SwitchableDownstream(downstream);
          out.set(switchable);
          return switchable;
        }).start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        server.stop(20, TimeUnit.SECONDS); // SIGTERM drains in-flight frames into the next stage
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "drain"));
    ChildProtocol.say(ChildProtocol.READY);
    Thread commands = new Thread(() -> RepointCommands.follow(System.in,
        address -> out.get().switchTo(UpstreamLinks.toStage(spec, index + 1, address, null)),
        ChildProtocol::say, null), "repoint-commands");
    commands.setDaemon(true);
    commands.start();
    server.awaitTermination();
    return 0;
  }

  private static int indexOf(PipelineSpec spec, String stage) {
    for (int i = 0; i < spec.layers().size(); i++) {
      if (spec.layers().get(i).name().equals(stage)) {
        return i;
      }
    }
    throw new IllegalArgumentException("unknown stage '" + stage + "' in pipeline " + spec.name());
  }
}
