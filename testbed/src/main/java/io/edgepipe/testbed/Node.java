package io.edgepipe.testbed;

import io.edgepipe.api.Tier;

/**
 * The two nodes of the testbed, each playing one {@link Tier}: its letter in a placement string
 * and its word are the tier's, so the two cannot drift apart.
 */
public enum Node {
  EDGE(Tier.EDGE),
  SERVER(Tier.SERVER);

  private final Tier tier;

  Node(Tier tier) {
    this.tier = tier;
  }

  public char letter() {
    return tier.letter();
  }

  /** {@code edge} or {@code server}: the tier name, also what stages record as their node. */
  public String word() {
    return tier.label();
  }

  /** The testbed node that plays a placement's tier. */
  public static Node of(Tier tier) {
    return tier == Tier.EDGE ? EDGE : SERVER;
  }

  public Node other() {
    return this == EDGE ? SERVER : EDGE;
  }
}
