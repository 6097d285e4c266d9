package io.edgepipe.planner.predict;

import io.edgepipe.api.Placement;
import java.util.ArrayList;
import java.util.List;

/** The placements a planning run compares. */
public final class Candidates {
  private Candidates() {}

  /**
   * Default: the camera is on the edge, so the producer stays there and the chain moves to the
   * server at one cut point: E^k S^(n-k) for k = 1..n; plus S^n, the all-server reference.
   * With {@code all}: every one of the 2^n strings, in lexical order.
   */
  public static List<Placement> of(int stages, boolean all) {
    List<Placement> placements = new ArrayList<>();
    if (all) {
      for (int bits = 0; bits < (1 << stages); bits++) {
        StringBuilder letters = new StringBuilder();
        for (int i = stages - 1; i >= 0; i--) {
          letters.append((bits >> i & 1) == 0 ? 'E' : 'S');
        }
        placements.add(new Placement(letters.toString()));
      }
      return placements;
    }
    for (int k = 1; k <= stages; k++) {
      placements.add(new Placement("E".repeat(k) + "S".repeat(stages - k)));
    }
    placements.add(new Placement("S".repeat(stages)));
    return placements;
  }
}
