package io.edgepipe.harness.testbed;

import io.edgepipe.api.Delivery;
import io.edgepipe.api.PipelineSpec;
import io.edgepipe.launcher.options.SpecOption;
import io.edgepipe.runtime.ComputeStage;
import io.edgepipe.runtime.FrameServer;
import io.edgepipe.runtime.StageOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One long-lived JVM per testbed node that starts and stops compute services on command, so that
 * a sweep over a model's cuts loads each cut's partitions into warm JVMs (their kernels already
 * compiled) instead of starting a JVM per partition. On stdin:
 * <ul>
 *   <li>{@code START NAME SPECFILE HEIGHT WIDTH DELIVERY DEADLINE_MS PORT NEXT}: serves service NAME of
 *       the spec on PORT, sending to NEXT; answered {@code STARTED NAME} once it listens;</li>
 *   <li>{@code STOP NAME}: drains it into its next hop and stops it; answered {@code STOPPED NAME}.</li>
 * </ul>
 * A failed command is answered {@code ERROR ...} and the host keeps serving. It says {@code READY}
 * at start; stdin closing or SIGTERM stops every service it runs.
 */
public final class PartitionHost {
  static final String START = "START";
  static final String STARTED = "STARTED";
  static final String STOP = "STOP";
  static final String STOPPED = "STOPPED";
  private static final long DRAIN_S = 20;

  private final String device;
  private final String node;
  private final Map<String, FrameServer> running = new LinkedHashMap<>();

  PartitionHost(String device, String node) {
    this.device = device;
    this.node = node;
  }

  /** {@code DEVICE NODE}: e.g. {@code cpu edge}. */
  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: PartitionHost DEVICE NODE");
      System.exit(2);
    }
    PartitionHost host = new PartitionHost(args[0], args[1]);
    Runtime.getRuntime().addShutdownHook(new Thread(host::stopAll, "partition-host-stop"));
    ChildProtocol.serveStdin(host::handle);
    host.stopAll();
    System.exit(0);
  }

  /** Runs one command; its answer line. */
  synchronized String handle(String command) {
    String[] w = command.split(" ");
    try {
      if (w[0].equals(START) && w.length == 9) {
        start(w[1], Path.of(w[2]), Integer.parseInt(w[3]), Integer.parseInt(w[4]), w[5], Long.parseLong(w[6]),
            Integer.parseInt(w[7]), w[8]);
        return STARTED + " " + w[1];
      }
      if (w[0].equals(STOP) && w.length == 2) {
        stop(w[1]);
        return STOPPED + " " + w[1];
      }
      return ChildProtocol.ERROR + " unknown command: " + command;
    } catch (Exception e) {
      e.printStackTrace();
      return ChildProtocol.ERROR + " " + w[0] + " " + (w.length > 1 ? w[1] : "") + ": "
          + ChildProtocol.oneLine(e);
    }
  }

  private void start(String name, Path specFile, int height, int width, String delivery, long deadlineMs, int port,
      String next) throws IOException {
    if (running.containsKey(name)) {
      throw new IllegalStateException("service " + name + " already runs here");
    }
    PipelineSpec spec = SpecOption.load(specFile).withInput(height, width).withDelivery(Delivery.parse(delivery))
        .withDeadline(deadlineMs);
    FrameServer server = ComputeStage.create(new StageOptions(spec, name, "0.0.0.0", port, -1, next, device, node))
        .start();
    running.put(name, server);
  }

  private void stop(String name) throws InterruptedException {
    FrameServer server = running.remove(name);
    if (server == null) {
      throw new IllegalStateException("no service " + name + " runs here");
    }
    server.stop(DRAIN_S, TimeUnit.SECONDS);
  }

  private synchronized void stopAll() {
    for (String name : running.keySet().toArray(String[]::new)) {
      try {
        stop(name);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        System.err.println("stopping " + name + ": " + e.getMessage());
      }
    }
  }
}
