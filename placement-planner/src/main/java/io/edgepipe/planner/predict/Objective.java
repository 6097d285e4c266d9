package io.edgepipe.planner.predict;

import java.util.Locale;

/** What the planner ranks placements by. */
public enum Objective {
  /** Most frames per second through the pipelined chain. */
  THROUGHPUT,
  /** Shortest end-to-end time of one frame, producer to sink. */
  LATENCY;

  public static Objective parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown objective '" + text + "' (use throughput or latency)");
    }
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
