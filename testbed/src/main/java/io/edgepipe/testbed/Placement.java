package io.edgepipe.testbed;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One letter per microservice in chain order, producer first: {@code EESS} = producer and conv
 * on the edge, relu and maxpool on the server. The sink lives with the producer.
 */
public record Placement(String text, List<Node> nodes) {
  public Placement {
    nodes = List.copyOf(nodes);
  }

  /**
   * @param services how many microservices the chain has (producer + compute stages)
   */
  public static Placement parse(String text, int services) {
    String t = text.strip().toUpperCase(Locale.ROOT);
    if (t.length() != services) {
      throw new IllegalArgumentException("placement '" + text + "' has " + t.length() + " letter(s); the chain has "
          + services + " microservices (producer + " + (services - 1) + " stages), e.g. " + "E".repeat(2)
          + "S".repeat(Math.max(0, services - 2)));
    }
    List<Node> nodes = new ArrayList<>();
    for (char c : t.toCharArray()) {
      nodes.add(Node.ofLetter(c));
    }
    return new Placement(t, nodes);
  }

  public Node producer() {
    return nodes.get(0);
  }

  /** Node of service {@code i} (0 = producer, 1.. = compute stages). */
  public Node node(int i) {
    return nodes.get(i);
  }

  public int size() {
    return nodes.size();
  }

  @Override
  public String toString() {
    return text;
  }
}
