package io.edgepipe.testbed;

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

  public static Node ofLetter(char c) {
    return switch (Character.toUpperCase(c)) {
      case 'E' -> EDGE;
      case 'S' -> SERVER;
      default -> throw new IllegalArgumentException("placement letter '" + c + "' is not E (edge) or S (server)");
    };
  }

  public Node other() {
    return this == EDGE ? SERVER : EDGE;
  }
}
