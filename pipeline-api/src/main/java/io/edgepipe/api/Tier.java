package io.edgepipe.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** The class of a node: the letter in a placement string and the value of the node label. */
public enum Tier {
  EDGE('E', "edge"),
  SERVER('S', "server");

  /** Node label that k3s nodes carry; manifests select nodes with it. */
  public static final String NODE_LABEL = "edgepipe.io/tier";

  private final char letter;
  private final String label;

  Tier(char letter, String label) {
    this.letter = letter;
    this.label = label;
  }

  public char letter() {
    return letter;
  }

  /** Value of {@link #NODE_LABEL} and the name used in profiles ("edge", "server"). */
  @JsonValue
  public String label() {
    return label;
  }

  @JsonCreator
  public static Tier parse(String text) {
    for (Tier tier : values()) {
      if (tier.label.equals(text.toLowerCase(Locale.ROOT))) {
        return tier;
      }
    }
    throw new IllegalArgumentException("unknown tier '" + text + "' (use edge or server)");
  }

  public static Tier ofLetter(char letter) {
    for (Tier tier : values()) {
      if (tier.letter == letter) {
        return tier;
      }
    }
    throw new IllegalArgumentException("unknown placement letter '" + letter + "'");
  }

  @Override
  public String toString() {
    return label;
  }
}
