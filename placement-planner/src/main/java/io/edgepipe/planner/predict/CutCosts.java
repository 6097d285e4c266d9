package io.edgepipe.planner.predict;

import io.edgepipe.api.Tier;
import io.edgepipe.planner.StageChain;
import io.edgepipe.planner.profile.FrameSize;
import io.edgepipe.planner.profile.LinkClass;
import io.edgepipe.planner.profile.Profile;
import io.edgepipe.planner.profile.ProfileBuilder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's profile as {@link CutPlanner} hands it to the predictor: the per-cut hop figures
 * replaced by {@link HopFit}s, the edge-server link charged a hop's fixed cost beside its bytes,
 * and each layer's CPU per frame given where the profile has none, so that a node's CPU limit is
 * figured from CPU.
 *
 * <p>Why the CPU: {@code measure} times layers under the edge's CFS quota (0.5 core = 50 ms in
 * every 100 ms period). A layer or a whole model of a few ms mostly runs inside one period's
 * budget, so the median time is what it costs unthrottled, i.e. its CPU time, not twice it. The
 * predictor's estimate without a measured service CPU takes a time under a quota below one core
 * as that many times its CPU (x 0.5 here), which halves the edge's compute in its CPU limit.
 * Per stage, CPU = compute time (x the whole model's CPU over its wall time where {@code measure}
 * recorded both, {@link #cpuPerWall}) + half of the hop it receives + half of the hop it sends (a
 * service's CPU as measured in a running chain; fused services lose the hops between them), and
 * the producer's is half its frame's hop plus half the results' hop (the sink is in its process).
 *
 * <p>Why a hop's CPU is its busy time in the node, not {@code measure}'s CPU figure: that figure
 * is the process's CPU in 10 ms ticks over 5-15 frames (steps of 0.67 ms, JIT and GC threads
 * included), while a warm hop end costs about 0.1 ms. On the quiet model-cuts sweeps the edge's
 * half core was the limit at 1 Gbit for every cut past 0 (median 0.50 core used), so the fps error
 * there is the edge CPU's: the producer alone used 0.24 ms a frame where those figures charged it
 * 1.33 ms (the classifier's fit: 1.33 ms a hop), and the whole edge was over-charged 75% (median).
 * A busy hop's time per frame on the uncapped node is timed in ns; its two ends work inside it,
 * on their own threads, so it is taken as the hop's CPU (both ends). {@code measure}'s figure is
 * used only for a profile without in-node times.
 */
public final class CutCosts {
  private CutCosts() {}

  /**
   * The fits the profile gave (null where it had too few figures).
   *
   * @param transfer in-node transfer time of a hop (busy, per frame)
   * @param cpu      a hop's CPU, both ends: the transfer fit where there is one (see above), else
   *                 the fit of {@code measure}'s CPU figures
   */
  public record Fits(HopFit transfer, HopFit cpu) {}

  /** {@code profile} at {@code size} with fitted hops, link transfers and per-stage CPU, as described above. */
  public static Profile tune(Profile profile, FrameSize size) {
    StageChain chain = profile.chain();
    Fits fits = fits(profile, size);
    ProfileBuilder b = ProfileBuilder.copyOf(profile);
    Map<String, Long> bytes = hopBytes(profile, size);
    Profile.Link link = profile.links().stream().filter(l -> l.linkClass() == LinkClass.EDGE_SERVER).findFirst()
        .orElse(null);
    boolean linkMeasured = profile.transfers().stream()
        .anyMatch(t -> t.linkClass() == LinkClass.EDGE_SERVER && t.frameSize().equals(size));
    double[] hopEnd = new double[chain.size()]; // half a hop's CPU, charged at each of its two ends
    for (int i = 0; i < chain.size(); i++) {
      String hop = chain.hopName(i);
      Long n = bytes.get(hop);
      if (n == null) {
        continue;
      }
      if (fits.transfer() != null) {
        double inNode = fits.transfer().ms(n);
        b.addTransfer(hop, LinkClass.EDGE_EDGE, size, inNode);
        b.addTransfer(hop, LinkClass.SERVER_SERVER, size, inNode);
        if (link != null && !linkMeasured) {
          b.addTransfer(hop, LinkClass.EDGE_SERVER, size,
              inNode + link.latencyMs() + n * 8.0 / link.bandwidthBitsPerSec() * 1000.0);
        }
      }
      double hopCpu;
      if (fits.cpu() != null) {
        hopCpu = fits.cpu().ms(n);
      } else {
        Double measured = measuredHopCpu(profile, hop, size);
        hopCpu = measured != null ? measured : 0;
      }
      hopEnd[i] = hopCpu / 2;
      if (fits.cpu() != null) {
        b.addHopCpu(hop, size, hopCpu);
      }
    }
    addStageCpu(profile, size, chain, hopEnd, b);
    return b.build();
  }

  /** The fits of the profile's in-node transfers (the server's, unthrottled, where measured) and hop CPU (see {@link Fits}). */
  public static Fits fits(Profile profile, FrameSize size) {
    Map<String, Long> bytes = hopBytes(profile, size);
    StageChain chain = profile.chain();
    List<Long> sizes = new ArrayList<>();
    List<Double> cpu = new ArrayList<>();
    Map<LinkClass, List<Double>> transfer = new HashMap<>();
    for (int i = 0; i < chain.size(); i++) {
      String hop = chain.hopName(i);
      sizes.add(bytes.getOrDefault(hop, -1L));
      cpu.add(measuredHopCpu(profile, hop, size));
      for (LinkClass c : List.of(LinkClass.EDGE_EDGE, LinkClass.SERVER_SERVER)) {
        transfer.computeIfAbsent(c, k -> new ArrayList<>()).add(profile.transfers().stream()
            .filter(t -> t.hop().equals(hop) && t.linkClass() == c && t.frameSize().equals(size))
            .map(Profile.Transfer::ms).findFirst().orElse(null));
      }
    }
    // a hop timed under the edge's quota times the quota; the server's node is not capped
    HopFit t = HopFit.of(HopFit.bySize(sizes, transfer.get(LinkClass.SERVER_SERVER)));
    if (t == null) {
      t = HopFit.of(HopFit.bySize(sizes, transfer.get(LinkClass.EDGE_EDGE)));
    }
    HopFit ticks = HopFit.of(HopFit.bySize(sizes, cpu));
    return new Fits(t, t != null ? t : ticks);
  }

  /** Each stage's CPU per frame on each tier it has a time for, where the profile has no service CPU. */
  private static void addStageCpu(Profile profile, FrameSize size, StageChain chain, double[] hopEnd,
      ProfileBuilder b) {
    int last = chain.size() - 1;
    Map<String, Profile.Compute> compute = new HashMap<>();
    for (Profile.Compute c : profile.compute()) {
      if (c.frameSize().equals(size)) {
        compute.put(c.stage() + "|" + c.tier(), c);
      }
    }
    for (Tier tier : Tier.values()) {
      for (int i = 0; i < chain.size(); i++) {
        Profile.Compute c = compute.get(chain.stage(i) + "|" + tier);
        if (c != null && c.hasServiceCpu()) {
          return; // measured in a running chain: the predictor's own model applies
        }
      }
    }
    for (Tier tier : Tier.values()) {
      double cpuPerWall = cpuPerWall(profile, tier, size);
      for (int i = 0; i < chain.size(); i++) {
        Profile.Compute c = compute.get(chain.stage(i) + "|" + tier);
        double cpu;
        if (i == 0) {
          if (c == null) {
            b.addCompute(chain.stage(0), tier, size, 0, 0);
          }
          // the producer's process is also the sink: it receives the last hop
          cpu = (c == null ? 0 : c.medianMs()) + hopEnd[0] + hopEnd[last];
        } else if (c != null) {
          cpu = c.medianMs() * cpuPerWall + hopEnd[i - 1] + hopEnd[i];
        } else {
          continue;
        }
        b.addServiceCpu(chain.stage(i), tier, size, cpu, 0);
      }
    }
  }

  /**
   * The CPU a layer costs per ms of its compute time on {@code tier}: the whole model's CPU per
   * frame over its wall time per frame, as {@code measure} timed it back to back after the JIT
   * settled ({@link Profile.Whole#cpuPerWall}); 1 where the profile has no such figure (every
   * profile measured before it was recorded), i.e. a layer's time taken as its CPU.
   *
   * <p>Why: the kernels split each layer across the calling thread and the pool's (one per core),
   * so on a node with idle cores a frame's compute takes less wall time than CPU. The wall time
   * paces a service; the CPU is what its node's cores or CPU quota must pay.
   */
  static double cpuPerWall(Profile profile, Tier tier, FrameSize size) {
    return profile.wholeModel().stream().filter(w -> w.tier() == tier && w.frameSize().equals(size))
        .mapToDouble(Profile.Whole::cpuPerWall).findFirst().orElse(1);
  }

  private static Double measuredHopCpu(Profile profile, String hop, FrameSize size) {
    for (Profile.Hop h : profile.hops()) {
      if (h.hop().equals(hop) && h.frameSize().equals(size)) {
        return h.cpuMs();
      }
    }
    return null;
  }

  private static Map<String, Long> hopBytes(Profile profile, FrameSize size) {
    Map<String, Long> bytes = new HashMap<>();
    for (Profile.Hop h : profile.hops()) {
      if (h.frameSize().equals(size)) {
        bytes.put(h.hop(), h.bytes());
      }
    }
    return bytes;
  }
}
