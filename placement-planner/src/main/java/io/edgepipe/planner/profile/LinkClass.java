package io.edgepipe.planner.profile;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.edgepipe.api.Tier;

/**
 * The kind of link a hop crosses, implied by the tiers of its two ends. Same-tier hops are
 * in-node (loopback-like): a placement puts all of a tier's stages on one node of that tier.
 */
public enum LinkClass {
  EDGE_EDGE("edge-edge", true),
  EDGE_SERVER("edge-server", false),
  SERVER_SERVER("server-server", true);

  private final String label;
  private final boolean inNode;

  LinkClass(String label, boolean inNode) {
    this.label = label;
    this.inNode = inNode;
  }

  /** The link between a sender on {@code from} and a receiver on {@code to} (either direction). */
  public static LinkClass between(Tier from, Tier to) {
    if (from != to) {
      return EDGE_SERVER;
    }
    return from == Tier.EDGE ? EDGE_EDGE : SERVER_SERVER;
  }

  /** True for loopback-like links that never leave one node. */
  public boolean inNode() {
    return inNode;
  }

  @JsonValue
  public String label() {
    return label;
  }

  @JsonCreator
  public static LinkClass parse(String text) {
    for (LinkClass link : values()) {
      if (link.label.equals(text)) {
        return link;
      }
    }
    throw new IllegalArgumentException("unknown link class '" + text + "' (use edge-edge, edge-server or server-server)");
  }

  @Override
  public String toString() {
    return label;
  }
}
