package io.edgepipe.planner.profile;

import io.edgepipe.planner.StageChain;
import io.edgepipe.api.Tier;
import java.util.HashMap;
import java.util.Map;

/**
 * The profile's numbers for one frame size, looked up the way the predictor needs them.
 *
 * <p>Transfer time of a hop over a link class: a measured {@link Profile.Transfer} if there is
 * one; otherwise latencyMs + bytes * 8 / bandwidth from the link's parameters and the hop's
 * bytes; otherwise, for in-node links only (edge-edge, server-server), 0 ms, because a loopback
 * hop is cheap next to compute and a profile may well skip it. A hop that crosses the
 * edge-server link with nothing measured is an error: guessing there would decide the plan.
 *
 * <p>The producer's compute time defaults to 0 when not measured (its work is reading the
 * source); every other stage must have a time for each tier it is placed on.
 */
public final class CostModel {
  private final Profile profile;
  private final StageChain chain;
  private final FrameSize frameSize;
  private final Statistic statistic;
  private final Map<String, Profile.Compute> compute = new HashMap<>();
  private final Map<String, Long> bytes = new HashMap<>();
  private final Map<String, Double> hopCpu = new HashMap<>();
  private final Map<String, Double> measuredTransfer = new HashMap<>();
  private final Map<LinkClass, Profile.Link> links = new HashMap<>();

  public CostModel(Profile profile, FrameSize frameSize, Statistic statistic) {
    this.profile = profile;
    this.chain = profile.chain();
    this.frameSize = frameSize;
    this.statistic = statistic;
    if (!profile.frameSizes().contains(frameSize)) {
      throw new ProfileException("profile of '" + profile.pipeline() + "' has no measurements at " + frameSize
          + " (it has " + profile.frameSizes() + ")");
    }
    for (Profile.Compute c : profile.compute()) {
      if (c.frameSize().equals(frameSize)) {
        compute.put(c.stage() + "|" + c.tier(), c);
      }
    }
    for (Profile.Hop h : profile.hops()) {
      if (h.frameSize().equals(frameSize)) {
        bytes.put(h.hop(), h.bytes());
        if (h.cpuMs() != null) {
          hopCpu.put(h.hop(), h.cpuMs());
        }
      }
    }
    for (Profile.Transfer t : profile.transfers()) {
      if (t.frameSize().equals(frameSize)) {
        measuredTransfer.put(t.hop() + "|" + t.linkClass(), t.ms());
      }
    }
    for (Profile.Link l : profile.links()) {
      links.put(l.linkClass(), l);
    }
  }

  public StageChain chain() {
    return chain;
  }

  public FrameSize frameSize() {
    return frameSize;
  }

  public Statistic statistic() {
    return statistic;
  }

  public String pipeline() {
    return profile.pipeline();
  }

  /** Milliseconds per frame of stage {@code index} on {@code tier}, before any core sharing. */
  public double computeMs(int index, Tier tier) {
    String stage = chain.stage(index);
    Profile.Compute c = compute.get(stage + "|" + tier);
    if (c == null) {
      if (index == 0) {
        return 0; // the producer only reads its source; see class comment
      }
      throw new ProfileException("profile has no compute time for " + stage + " on the " + tier + " tier at "
          + frameSize + "; measure it (pipeline measure) or leave placements that need it out");
    }
    return statistic.of(c);
  }

  /** The measured CPU of stage {@code index}'s service process on {@code tier}, or null when not measured. */
  public Profile.Compute serviceCpu(int index, Tier tier) {
    Profile.Compute c = compute.get(chain.stage(index) + "|" + tier);
    return c != null && c.hasServiceCpu() ? c : null;
  }

  /** CPU milliseconds (one core, both ends) of moving one frame on the hop leaving stage {@code index}; 0 if not measured. */
  public double hopCpuMs(int index) {
    return hopCpu.getOrDefault(chain.hopName(index), 0.0);
  }

  /** Payload bytes of one frame on the hop leaving stage {@code index}, or -1 when the profile has none. */
  public long hopBytes(int index) {
    return bytes.getOrDefault(chain.hopName(index), -1L);
  }

  /** The rate the profile gives {@code link}, in bits per second; NaN when it gives none. */
  public double linkBitsPerSec(LinkClass link) {
    Profile.Link params = links.get(link);
    return params != null ? params.bandwidthBitsPerSec() : Double.NaN;
  }

  /** Milliseconds to move one frame on the hop leaving stage {@code index} over {@code link}. */
  public double transferMs(int index, LinkClass link) {
    String hop = chain.hopName(index);
    Double measured = measuredTransfer.get(hop + "|" + link);
    if (measured != null) {
      return measured;
    }
    Profile.Link params = links.get(link);
    Long hopBytes = bytes.get(hop);
    if (params != null && hopBytes != null) {
      return params.latencyMs() + hopBytes * 8.0 / params.bandwidthBitsPerSec() * 1000.0;
    }
    if (link.inNode()) {
      return 0;
    }
    throw new ProfileException("profile has no transfer time for hop " + hop + " over " + link + " at " + frameSize
        + (params == null ? " (no measured transfer and no " + link + " link parameters)"
            : " (no bytes for the hop to derive it from the link parameters)"));
  }
}
