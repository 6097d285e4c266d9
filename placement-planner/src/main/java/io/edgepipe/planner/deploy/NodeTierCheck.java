package io.edgepipe.planner.deploy;

import io.edgepipe.api.Placement;
import io.edgepipe.planner.StageChain;
import io.edgepipe.api.Tier;
import io.fabric8.kubernetes.client.KubernetesClient;

/** Refuses a placement that needs a tier no node is labelled with; pods would stay Pending. */
public final class NodeTierCheck {
  private NodeTierCheck() {}

  public static void check(KubernetesClient client, Placement placement, StageChain chain) {
    for (Tier tier : Tier.values()) {
      if (!placement.uses(tier)) {
        continue;
      }
      boolean found = !client.nodes().withLabel(Tier.NODE_LABEL, tier.label()).list().getItems().isEmpty();
      if (!found) {
        throw new ClusterException("no node is labelled " + Tier.NODE_LABEL + "=" + tier.label() + ", but placement "
            + placement + " puts " + String.join(", ", placement.stagesOn(tier, chain.stages())) + " on the " + tier
            + " tier (label one: kubectl label node NODE " + Tier.NODE_LABEL + "=" + tier.label() + ")");
      }
    }
  }
}
