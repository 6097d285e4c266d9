package io.edgepipe.runtime;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hops whose both ends live in this JVM (the embedded chain of {@code pipeline run}) skip the
 * socket: every {@link FrameServer} also serves its services in-process under its port number,
 * and {@link Transport#channel} connects to a loopback target served here through gRPC's
 * in-process transport. A Frame then travels by reference, the same object from sender to
 * receiver: no serialisation and no copy of the payload, while streams, flow control, acks,
 * custody and reconnects behave as over the network (the same stubs and handlers run).
 *
 * <p>Payloads are immutable once sent (each stage computes into a fresh buffer), so sharing them
 * is safe. {@code -Dedgepipe.sameJvmHops=socket} turns this off and sends every hop over
 * loopback TCP, to compare.
 */
public final class SameJvmHops {
  private static final boolean ENABLED = !"socket".equals(System.getProperty("edgepipe.sameJvmHops"));
  private static final Set<Integer> SERVING = ConcurrentHashMap.newKeySet();
  private static final java.util.Map<ManagedChannel, Boolean> IN_PROCESS =
      java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

  private SameJvmHops() {}

  /** Serves {@code services} in-process for loopback port {@code port}; null when turned off. */
  static Server serve(int port, List<ServerServiceDefinition> services) throws IOException {
    if (!ENABLED) {
      return null;
    }
    InProcessServerBuilder b = InProcessServerBuilder.forName(name(port));
    services.forEach(b::addService);
    Server server = b.build().start();
    SERVING.add(port);
    return server;
  }

  /** The in-process server for {@code port} is gone (stopped or killed). */
  static void stopped(int port) {
    SERVING.remove(port);
  }

  /** The port of a loopback target served in this JVM, or null. */
  static Integer servingPort(String target) {
    if (!ENABLED) {
      return null;
    }
    int colon = target.lastIndexOf(':');
    if (colon < 0) {
      return null;
    }
    String host = target.substring(0, colon);
    if (!host.equals("127.0.0.1") && !host.equals("localhost")) {
      return null;
    }
    try {
      int port = Integer.parseInt(target.substring(colon + 1));
      return SERVING.contains(port) ? port : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  static ManagedChannel channel(int port, int maxMessageBytes) {
    ManagedChannel channel = InProcessChannelBuilder.forName(name(port)).maxInboundMessageSize(maxMessageBytes).build();
    IN_PROCESS.put(channel, Boolean.TRUE);
    return channel;
  }

  /** Whether {@code channel} is a same-JVM hop (its payloads already travel by reference). */
  static boolean isInProcess(ManagedChannel channel) {
    return IN_PROCESS.containsKey(channel);
  }

  private static String name(int port) {
    return "edgepipe-local-" + port;
  }
}
