package io.edgepipe.testbed;

import io.edgepipe.api.Tier;

/** The two nodes of the testbed, and their letters in a placement string. */
public enum Node {
  EDGE('E', "edge"),
  SERVER('S', "server");

  private final char letter;
  private final String word;

  Node(char letter, String word) {
    this.letter = letter;
    this.word = word;
  }

  public char letter() {
    return letter;
  }

  /** {@code edge} or {@code server}: the tier name, also what stages record as their node. */
  public String word() {
    return word;
  }

  /** The testbed node that plays a placement's tier. */
  public static Node of(Tier tier) {
    return tier == Tier.EDGE ? EDGE : SERVER;
  }

  public Node other() {
    return this == EDGE ? SERVER : EDGE;
  }
}
