package io.edgepipe.planner.predict;

import io.edgepipe.api.Placement;
import io.edgepipe.planner.StageChain;
import io.edgepipe.api.Tier;
import java.util.ArrayList;
import java.util.List;

/**
 * One deployed service of a chain: a single stage, or a run of adjacent stages fused into one
 * process ({@code first..last}), with its tier and replica count.
 */
public record ServiceUnit(int first, int last, Tier tier, int replicas) {
  public ServiceUnit {
    if (last < first || replicas < 1) {
      throw new IllegalArgumentException("bad unit " + first + ".." + last + " x" + replicas);
    }
  }

  /** One unit per stage, one replica each: the plain deployment of a placement. */
  public static List<ServiceUnit> plain(Placement placement) {
    List<ServiceUnit> units = new ArrayList<>();
    for (int i = 0; i < placement.size(); i++) {
      units.add(new ServiceUnit(i, i, placement.tier(i), 1));
    }
    return units;
  }

  /** "conv", or "conv+relu" for a fused unit. */
  public String name(StageChain chain) {
    return String.join("+", chain.stages().subList(first, last + 1));
  }

  public ServiceUnit withReplicas(int value) {
    return new ServiceUnit(first, last, tier, value);
  }
}
