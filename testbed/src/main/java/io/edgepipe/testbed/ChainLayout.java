package io.edgepipe.testbed;

import io.edgepipe.api.Placement;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Where every service of a placed chain listens and whom it sends to. Ports are fixed (the
 * namespaces belong to the testbed): the sink on {@code basePort}, stage i on
 * {@code basePort + 1 + i}. Services on the same node talk over that namespace's loopback;
 * across nodes over the veth addresses, or, when the testbed has a delay, through the
 * {@link DelayProxy} of the sender's namespace, which listens on loopback at
 * {@code receiver port + }{@value #PROXY_PORT_OFFSET}.
 *
 * @param services     producer first, then the compute stages, in chain order
 * @param sinkPort     the sink's port (in the producer's namespace)
 * @param proxyRoutes  per node, the delay-proxy routes its senders use (empty without delay)
 */
public record ChainLayout(List<Service> services, int sinkPort, Map<Node, List<DelayProxy.Route>> proxyRoutes) {
  public static final int DEFAULT_BASE_PORT = 50100;
  public static final int PROXY_PORT_OFFSET = 1000;
  private static final String LOOPBACK = "127.0.0.1";

  /**
   * One microservice.
   *
   * @param port   where it listens (bound on 0.0.0.0 in its namespace); -1 for the producer
   * @param next   where it sends, as seen from its namespace
   * @param probe  where the producer's namespace reaches it for a health check (null for the producer)
   */
  public record Service(String name, Node node, int port, String next, String probe) {}

  /**
   * @param stageNames the compute stages in chain order (producer not included)
   */
  public static ChainLayout plan(Placement placement, List<String> stageNames, TestbedState state, int basePort) {
    if (placement.size() != stageNames.size() + 1) {
      throw new IllegalArgumentException("placement " + placement + " has " + placement.size()
          + " letters for " + (stageNames.size() + 1) + " microservices");
    }
    boolean delayed = state.delayMicros() > 0;
    int sinkPort = basePort;
    Node producer = Node.of(placement.producer());
    Map<Node, List<DelayProxy.Route>> routes = new EnumMap<>(Node.class);
    for (Node n : Node.values()) {
      routes.put(n, new ArrayList<>());
    }
    List<Service> services = new ArrayList<>();
    for (int i = 0; i < placement.size(); i++) {
      Node here = Node.of(placement.tier(i));
      boolean last = i == stageNames.size();
      Node there = last ? producer : Node.of(placement.tier(i + 1));
      int nextPort = last ? sinkPort : basePort + 1 + i;
      String next;
      if (here == there) {
        next = LOOPBACK + ":" + nextPort;
      } else if (delayed) {
        int proxyPort = nextPort + PROXY_PORT_OFFSET;
        routes.get(here).add(new DelayProxy.Route(LOOPBACK, proxyPort, state.address(there), nextPort));
        next = LOOPBACK + ":" + proxyPort;
      } else {
        next = state.address(there) + ":" + nextPort;
      }
      String name = i == 0 ? "producer" : stageNames.get(i - 1);
      int port = i == 0 ? -1 : basePort + i;
      String probe = i == 0 ? null : (here == producer ? LOOPBACK : state.address(here)) + ":" + port;
      services.add(new Service(name, here, port, next, probe));
    }
    routes.values().removeIf(List::isEmpty);
    return new ChainLayout(List.copyOf(services), sinkPort, Map.copyOf(routes));
  }

  public Service producer() {
    return services.get(0);
  }

  /** The compute stages, in chain order. */
  public List<Service> stages() {
    return services.subList(1, services.size());
  }
}
