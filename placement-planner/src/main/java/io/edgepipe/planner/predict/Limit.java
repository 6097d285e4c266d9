package io.edgepipe.planner.predict;

import io.edgepipe.api.Tier;
import java.util.Locale;

/**
 * What sets a placement's pace: one service's compute, one service's hop to the next (in-node),
 * the edge-server link under one hop, one node's CPU shared by its services, or (both nodes
 * emulated on one machine) the host's CPU. The table, the explanation and the replica advice
 * all read this one value, so they cannot disagree.
 *
 * @param kind     which of the above
 * @param service  the service whose compute, hop or link transfer limits; null for a CPU limit
 * @param hop      the hop ("conv->relu") for {@code HOP} and {@code LINK}, else null
 * @param tier     the service's tier, or the node's for {@code NODE_CPU}; null for {@code HOST_CPU}
 * @param periodMs milliseconds per frame the limit allows
 */
public record Limit(Kind kind, String service, String hop, Tier tier, double periodMs) {
  public enum Kind { COMPUTE, HOP, LINK, NODE_CPU, HOST_CPU }

  /** The table's bottleneck column: "conv compute (S)", "conv->relu hop (E)", "edge-server link (conv->relu)", "server CPU", "host CPU". */
  public String label() {
    return switch (kind) {
      case COMPUTE -> service + " compute (" + tier.letter() + ")";
      case HOP -> hop + " hop (" + tier.letter() + ")";
      case LINK -> "edge-server link (" + hop + ")";
      case NODE_CPU -> tier.label() + " CPU";
      case HOST_CPU -> "host CPU";
    };
  }

  /** Whether a CPU shared by several services, not one service, is the limit. */
  public boolean cpuBound() {
    return kind == Kind.NODE_CPU || kind == Kind.HOST_CPU;
  }

  /** The limit as the subject of a sentence: "the server node's CPU", "the edge-server link under conv->relu". */
  public String describe() {
    return switch (kind) {
      case COMPUTE -> "the compute of " + service + " on the " + tier;
      case HOP -> "the hop " + hop + " inside the " + tier + " node";
      case LINK -> "the edge-server link under " + hop;
      case NODE_CPU -> "the " + tier + " node's CPU";
      case HOST_CPU -> "the host's CPU (both nodes share it)";
    };
  }

  @Override
  public String toString() {
    return label() + String.format(Locale.ROOT, " %.2f ms", periodMs);
  }
}
