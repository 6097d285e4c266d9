package io.edgepipe.api;


import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One tier per microservice in chain order, producer first, written as letters: "EESS" puts the
 * producer and conv on the edge and relu and maxpool on the server. The one placement type: the
 * planner, the testbed and the experiments all read it here, with one set of rules.
 */
public record Placement(String letters) {
  public Placement {
    for (char c : letters.toCharArray()) {
      Tier.ofLetter(c); // throws on anything but E and S
    }
  }

  /**
   * Reads a placement for a chain of these services (producer first); lower case and surrounding
   * blanks are accepted. The error names the expected length, the services and the allowed
   * letters, so it can be printed as the only line.
   */
  public static Placement parse(String text, List<String> services) {
    int n = services.size();
    String expected = "expected " + n + " letters, one per stage (" + String.join(", ", services)
        + "), each E (edge) or S (server), e.g. " + "E".repeat(Math.max(1, n / 2)) + "S".repeat(n - Math.max(1, n / 2));
    if (text == null || text.isBlank()) {
      throw new PlacementException("placement is empty: " + expected);
    }
    String upper = text.trim().toUpperCase(Locale.ROOT);
    for (int i = 0; i < upper.length(); i++) {
      char c = upper.charAt(i);
      if (c != 'E' && c != 'S') {
        throw new PlacementException("placement '" + text + "' has '" + text.trim().charAt(i) + "' at position "
            + (i + 1) + ": " + expected);
      }
    }
    if (upper.length() != n) {
      throw new PlacementException("placement '" + text + "' has " + upper.length() + " letters: " + expected);
    }
    return new Placement(upper);
  }

  public int size() {
    return letters.length();
  }

  public Tier tier(int stageIndex) {
    return Tier.ofLetter(letters.charAt(stageIndex));
  }

  public List<Tier> tiers() {
    List<Tier> tiers = new ArrayList<>();
    for (int i = 0; i < letters.length(); i++) {
      tiers.add(tier(i));
    }
    return tiers;
  }

  public boolean uses(Tier tier) {
    return letters.indexOf(tier.letter()) >= 0;
  }

  public int count(Tier tier) {
    int count = 0;
    for (int i = 0; i < letters.length(); i++) {
      count += letters.charAt(i) == tier.letter() ? 1 : 0;
    }
    return count;
  }

  /** The tier of the producer (and of the sink, which lives beside it). */
  public Tier producer() {
    return tier(0);
  }

  /** Services (producer first, as {@link #parse} took them) placed on {@code tier}, in chain order. */
  public List<String> stagesOn(Tier tier, List<String> services) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < letters.length(); i++) {
      if (tier(i) == tier) {
        names.add(services.get(i));
      }
    }
    return names;
  }

  @Override
  public String toString() {
    return letters;
  }
}
