package io.edgepipe.planner.control;

import io.edgepipe.api.proto.StageTiming;
import io.edgepipe.api.Placement;
import io.edgepipe.planner.StageChain;
import io.edgepipe.api.Tier;
import io.edgepipe.planner.profile.FrameSize;
import io.edgepipe.planner.profile.LinkClass;
import io.edgepipe.planner.profile.Profile;
import io.edgepipe.planner.profile.ProfileBuilder;
import io.edgepipe.planner.profile.ProfileException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A profile kept current from what a running chain's frames carry: each stage's receive,
 * process and send times (the {@link StageTiming} records), the CPU each stage process used
 * ({@link #observeCpu}: from the {@code process_cpu_us} readings its frames carry) and each
 * node's cores.
 *
 * <ul>
 *   <li>CPU: per stage process (a stage on a tier), a {@link ServiceCpuFit} of its readings:
 *       CPU ms per frame and background cores. These are CPU times, charged as the node's quota
 *       charges them, so a node's throughput under any quota is (quota - background) / (CPU per
 *       frame of its services), which the planner's node limit computes from the snapshot's
 *       service CPU. A stage waiting for the other processes sharing its quota is not charged the
 *       wait; a quota change needs no rescaling and no fresh readings.</li>
 *   <li>Compute: per stage and the tier it runs on now, an exponentially weighted moving average
 *       (weight {@code alpha} per frame) of processed - received. With the stage's CPU known, its
 *       compute is the smaller of that wall time and its CPU per frame (a wall time under a quota
 *       includes waiting), as a time under the current quota alone. Without CPU readings (a
 *       cluster's metrics) the wall time is kept as CPU time the old way: times the node's cores
 *       when below one, which counts the waiting as CPU. Entries persist when a stage moves: its
 *       last figures on the old tier are the best guess for moving back.</li>
 *   <li>Edge-server link: per frame that crosses it, the hop's bytes (from the profile) over its
 *       time (receiver's received - sender's sent, less the link's latency), averaged as a rate. The rate then prices every hop over the link, not only the one that crosses it now,
 *       which is what lets the planner compare cuts. Both ends' clocks must agree (one host on the
 *       testbed; NTP on a cluster, where the error adds to the latency).</li>
 * </ul>
 * Not thread-safe: the caller serialises observations (one sink thread).
 */
public final class LiveProfile {
  private final Profile base;
  private final FrameSize size;
  private final StageChain chain;
  private final double alpha;
  private final Map<String, Double> cpuMs = new HashMap<>(); // wall x quota factor: the fallback without CPU readings
  private final Map<String, Double> wallMs = new HashMap<>();
  private final Map<String, ServiceCpuFit> cpuFits = new HashMap<>();
  private final Map<Tier, Double> cores = new EnumMap<>(Tier.class);
  private final Map<String, Long> hopBytes = new HashMap<>();
  private final double latencyMs;
  private double bitsPerSec;
  private long linkSamples;
  private boolean linkFromFrames = true;

  /**
   * @param base  the measured profile to start from; it must give the hops' bytes at {@code size}
   *              and an edge-server link (parameters, or a measured transfer of some hop)
   * @param alpha weight of each new frame in the averages, 0 < alpha <= 1
   * @param edgeCores cores of the edge node now (0 = unlimited)
   * @param serverCores cores of the server node now (0 = unlimited)
   */
  public LiveProfile(Profile base, FrameSize size, double alpha, double edgeCores, double serverCores) {
    if (!(alpha > 0 && alpha <= 1)) {
      throw new IllegalArgumentException("alpha must be in (0, 1], got " + alpha);
    }
    this.base = base;
    this.size = size;
    this.chain = base.chain();
    this.alpha = alpha;
    cores.put(Tier.EDGE, edgeCores);
    cores.put(Tier.SERVER, serverCores);
    for (Profile.Hop hop : base.hops()) {
      if (hop.frameSize().equals(size)) {
        hopBytes.put(hop.hop(), hop.bytes());
      }
    }
    if (hopBytes.size() < chain.size()) {
      throw new ProfileException("profile of '" + base.pipeline() + "' lacks the bytes of some hops at " + size
          + "; a live profile prices every hop from the link rate");
    }
    for (Profile.Compute c : base.compute()) {
      if (c.frameSize().equals(size)) {
        cpuMs.put(c.stage() + "|" + c.tier(), c.medianMs() * quotaFactor(c.tier()));
      }
    }
    Profile.Link link = base.links().stream().filter(l -> l.linkClass() == LinkClass.EDGE_SERVER).findFirst()
        .orElse(null);
    latencyMs = link != null ? link.latencyMs() : 0;
    bitsPerSec = link != null ? link.bandwidthBitsPerSec() : fromMeasuredTransfer();
  }

  private double fromMeasuredTransfer() {
    for (Profile.Transfer t : base.transfers()) {
      if (t.linkClass() == LinkClass.EDGE_SERVER && t.frameSize().equals(size) && hopBytes.get(t.hop()) > 0) {
        return hopBytes.get(t.hop()) * 8000.0 / t.ms();
      }
    }
    throw new ProfileException("profile of '" + base.pipeline() + "' has no edge-server link at " + size);
  }

  /**
   * Whether frames that cross the link update its rate (default). Off where a hop's time is
   * mostly queueing rather than transfer (a full window of frames waiting in the socket buffers of
   * a busy hop), which reads as a slower link than it is; the rate then comes only from
   * {@link #observeLinkRate}.
   */
  public LiveProfile linkFromFrames(boolean value) {
    this.linkFromFrames = value;
    return this;
  }

  /** What one frame's timings say, for a chain running as {@code placement}; {@code sinkReceivedUs} 0 = unknown. */
  public void observe(Placement placement, List<StageTiming> timings, long sinkReceivedUs) {
    observe(placement, timings, sinkReceivedUs, (stage, tier) -> true);
  }

  /**
   * As {@link #observe(Placement, List, long)}, taking a stage's compute only where {@code settled}
   * says so: a stage just started on a node (a fresh JVM still compiling) runs slower than it will,
   * and that figure would pull the placement back where it came from.
   */
  public void observe(Placement placement, List<StageTiming> timings, long sinkReceivedUs,
      java.util.function.BiPredicate<String, Tier> settled) {
    StageTiming previous = null;
    int previousIndex = -1;
    for (StageTiming t : timings) {
      int index = chain.indexOf(t.getStage());
      if (index < 0) {
        continue; // a stage this profile does not know (e.g. the sink's own record)
      }
      Tier tier = placement.tier(index);
      double compute = (t.getProcessedUs() - t.getReceivedUs()) / 1000.0;
      if (compute >= 0 && settled.test(t.getStage(), tier)) {
        average(cpuMs, t.getStage() + "|" + tier, compute * quotaFactor(tier));
        average(wallMs, t.getStage() + "|" + tier, compute);
      }
      if (previous != null && index == previousIndex + 1) {
        hop(placement, previousIndex, t.getReceivedUs() - previous.getSentUs());
      }
      previous = t;
      previousIndex = index;
    }
    if (previous != null && previousIndex == chain.size() - 1 && sinkReceivedUs > 0) {
      hop(placement, previousIndex, sinkReceivedUs - previous.getSentUs());
    }
  }

  /**
   * What one stage process on {@code tier} used: {@code cpuUs} of CPU (all its threads) over
   * {@code spanUs} while {@code frames} frames passed it; where they went is not known, so the
   * reading counts for the process whether its hops cross the link or not (see below).
   */
  public void observeCpu(String stage, Tier tier, long frames, long spanUs, long cpuUs) {
    observeCpu(null, stage, tier, frames, spanUs, cpuUs);
  }

  /**
   * As above, for frames that went through {@code placement}. A process's CPU per frame depends
   * on whether its hops cross the edge-server link: over a slow shaped link, TCP moves a frame in
   * many small rounds, and each end spends milliseconds of CPU per 64 KiB frame where an in-node
   * hop costs a fraction of one (E7 run 4: the producer 2.8 ms per frame sending over 10 Mbit,
   * 0.3-0.5 ms otherwise). One fit over both would read that extra CPU at the slow link's low
   * rate as background and charge it to placements that never cross the link, so each process
   * has a fit per side: "link" (some hop of it crosses; the producer's include the sink's; one
   * fit per decade of the link's rate) and "local". Spans that passed no frames (a standby idling beside the placement) show its
   * background and count for both; welcome, whatever the placement.
   */
  public void observeCpu(Placement placement, String stage, Tier tier, long frames, long spanUs, long cpuUs) {
    int index = chain.indexOf(stage);
    if (index < 0 || spanUs <= 0) {
      return;
    }
    for (boolean link : new boolean[] {false, true}) {
      if (placement == null || frames == 0 || onLink(placement, index) == link) {
        cpuFits.computeIfAbsent(cpuKey(stage, tier, link), k -> new ServiceCpuFit(CPU_MEMORY_S,
            priorBackground(stage, tier))).add(frames, spanUs / 1e6, cpuUs / 1e6);
      }
    }
  }

  /** Whether some hop of stage {@code index}'s process crosses the edge-server link in {@code placement}. */
  static boolean onLink(Placement placement, int index) {
    int n = placement.size();
    Tier own = placement.tier(index);
    boolean in = index > 0 ? placement.tier(index - 1) != own : placement.tier(n - 1) != own; // the producer holds the sink
    boolean out = placement.tier(index + 1 < n ? index + 1 : 0) != own;
    return in || out;
  }

  /**
   * A process's fit for one side: "local", or "link" at the link's rate now to within a decade
   * (a frame over 10 Mbit costs each end several times the CPU it costs over 1 Gbit, E7 run s7-1:
   * conv on the server 2.4 ms against 0.5; one fit over both priced ESSS at 1 Gbit from the slow
   * link's figures for 30 s after the rate came back).
   */
  private String cpuKey(String stage, Tier tier, boolean link) {
    return stage + "|" + tier + "|" + (link ? "link" + (int) Math.floor(Math.log10(Math.max(1, bitsPerSec))) : "local");
  }

  /**
   * Drops every process's CPU readings so far. For the end of a warm-up: its readings come from
   * JVMs still loading classes and compiling, and a process that passed its only frames then
   * (a standby that idles from then on) would keep that figure, since the forgetting below
   * weighs readings only against newer ones with frames. Until a process passes frames again
   * it is priced from the same stage on the other tier (see {@link #serviceCpu}).
   */
  public void forgetCpu() {
    cpuFits.clear();
  }

  /** Seconds over which a process's CPU readings are forgotten. */
  static final double CPU_MEMORY_S = 30;

  private double priorBackground(String stage, Tier tier) {
    Profile.Compute measured = baseCompute(stage, tier);
    return measured != null && measured.hasServiceCpu() ? measured.backgroundCores() : 0;
  }

  /**
   * The background of a process its own readings cannot tell (one rate, never idle: the
   * producer, which always streams): the base profile's, else the least that the other stage
   * processes on its tier used while idle (JVMs of the same runtime), else 0.
   */
  private double backgroundPrior(String stage, Tier tier) {
    double prior = priorBackground(stage, tier);
    if (prior > 0) {
      return prior;
    }
    double least = Double.NaN;
    for (Map.Entry<String, ServiceCpuFit> e : cpuFits.entrySet()) {
      double idle = e.getValue().idleCores();
      if (!e.getKey().startsWith(stage + "|") && e.getKey().contains("|" + tier + "|") && !Double.isNaN(idle)
          && !(idle >= least)) {
        least = idle;
      }
    }
    return Double.isNaN(least) ? 0 : least;
  }

  /** The fitted CPU of a stage's process on a tier (its local side first), or null before it passed enough frames there. */
  public ServiceCpuFit cpu(String stage, Tier tier) {
    ServiceCpuFit local = cpu(stage, tier, false);
    return local != null ? local : cpu(stage, tier, true);
  }

  private ServiceCpuFit cpu(String stage, Tier tier, boolean link) {
    ServiceCpuFit fit = cpuFits.get(cpuKey(stage, tier, link));
    return fit != null && fit.ready() ? fit : null;
  }

  /**
   * An out-of-band measurement of the edge-server link (a probe, or the rate a shaper was set to),
   * averaged like the frames' samples. Needed when no hop crosses the link (EEEE, SSSS): the
   * frames then say nothing about it.
   */
  public void observeLinkRate(double bitsPerSec) {
    if (!(bitsPerSec > 0)) {
      throw new IllegalArgumentException("link rate must be > 0, got " + bitsPerSec);
    }
    average(bitsPerSec);
  }

  /**
   * The link's rate as read where it is set (a shaper's configuration, a NIC's negotiated speed):
   * a reading, not a noisy sample, so it replaces the estimate at once instead of being averaged
   * in; a change is priced from the next evaluation on.
   */
  public void setLinkRate(double bitsPerSec) {
    if (!(bitsPerSec > 0)) {
      throw new IllegalArgumentException("link rate must be > 0, got " + bitsPerSec);
    }
    this.bitsPerSec = bitsPerSec;
    linkSamples++;
  }

  /** Cores a node has now (a changed CPU quota, a node's allocatable CPU); 0 = unlimited. */
  public void observeCores(Tier tier, double value) {
    if (value < 0) {
      throw new IllegalArgumentException("cores must be >= 0, got " + value);
    }
    cores.put(tier, value);
  }

  /** The services this profile prices, producer first. */
  public StageChain chain() {
    return chain;
  }

  public double cores(Tier tier) {
    return cores.get(tier);
  }

  /** The edge-server link's rate as currently estimated, in bits per second. */
  public double linkBitsPerSec() {
    return bitsPerSec;
  }

  /** Frames that crossed the edge-server link so far. */
  public long linkSamples() {
    return linkSamples;
  }

  /**
   * CPU ms per frame and background cores of stage {@code index}'s process on a tier in
   * {@code placement} (null: not known, its local side first), or null when unknown: its own fit
   * on the side the placement puts it (hops over the link or not), else its other side's; for a
   * process that never passed frames there (a standby idling beside the placement) the per-frame
   * CPU of the same stage on the other tier, with its own idle cores as its background where read.
   */
  double[] serviceCpu(String stage, Tier tier, Placement placement) {
    int index = chain.indexOf(stage);
    boolean link = placement != null && placement.tier(index) == tier && onLink(placement, index);
    ServiceCpuFit own = cpu(stage, tier, link) != null ? cpu(stage, tier, link) : cpu(stage, tier, !link);
    if (own != null) {
      double prior = backgroundPrior(stage, tier);
      return new double[] {own.cpuMsPerFrame(prior), own.backgroundCores(prior)};
    }
    Tier otherTier = tier == Tier.EDGE ? Tier.SERVER : Tier.EDGE;
    ServiceCpuFit other = cpu(stage, otherTier, link) != null ? cpu(stage, otherTier, link) : cpu(stage, otherTier, !link);
    if (other == null) {
      return null;
    }
    ServiceCpuFit idle = cpuFits.get(cpuKey(stage, tier, link)); // idle readings count for both sides
    double background = idle != null && idle.hasReadings() ? idle.meanCores() : other.backgroundCores();
    return new double[] {other.cpuMsPerFrame(), background};
  }

  /** The CPU figures the planner can use now, for a log: per stage, tier and side, ms per frame + background cores. */
  public String describeCpu() {
    StringBuilder out = new StringBuilder();
    for (Tier tier : Tier.values()) {
      for (int i = 0; i < chain.size(); i++) {
        for (boolean link : new boolean[] {false, true}) {
          ServiceCpuFit c = cpu(chain.stage(i), tier, link);
          if (c != null) {
            out.append(out.length() > 0 ? ", " : "").append(String.format(java.util.Locale.ROOT, "%s/%s%s %.2f ms+%.3f",
                chain.stage(i), tier.label(), link ? " (link)" : "", c.cpuMsPerFrame(), c.backgroundCores()));
          }
        }
      }
    }
    return out.toString();
  }

  /** Compute of a stage on a tier as predicted now, ms per frame; NaN when never measured. */
  public double computeMs(String stage, Tier tier) {
    return computeMs(stage, tier, null);
  }

  private double computeMs(String stage, Tier tier, Placement placement) {
    String key = stage + "|" + tier;
    double[] service = serviceCpu(stage, tier, placement);
    Double wall = wallMs.get(key);
    if (service != null) {
      double cpu = wall == null ? service[0] : Math.min(wall, service[0]);
      return cpu / quotaFactor(tier);
    }
    Double cpu = cpuMs.get(key);
    return cpu == null ? Double.NaN : cpu / quotaFactor(tier);
  }

  /** The profile as it stands, for no placement in particular (each process's CPU from its local side first). */
  public Profile snapshot() {
    return snapshot(null);
  }

  /**
   * The profile as it stands for predicting {@code placement}: measured compute replaced by the
   * averages, each process's CPU from the side of its fits that the placement puts it on, every
   * edge-server hop priced from the current link rate (measured edge-server transfers dropped),
   * the rest as measured.
   */
  public Profile snapshot(Placement placement) {
    ProfileBuilder b = ProfileBuilder.copyOf(withoutEdgeServerTransfers());
    java.util.Set<String> keys = new java.util.TreeSet<>(cpuMs.keySet());
    for (String k : cpuFits.keySet()) {
      keys.add(k.substring(0, k.lastIndexOf('|')));
    }
    for (String k : keys) {
      String[] key = k.split("\\|");
      Tier tier = Tier.parse(key[1]);
      double ms = computeMs(key[0], tier, placement);
      if (Double.isNaN(ms)) {
        continue; // CPU readings came in, but too few yet
      }
      b.addCompute(key[0], tier, size, ms, ms);
      double[] service = serviceCpu(key[0], tier, placement);
      Profile.Compute measured = baseCompute(key[0], tier);
      if (service != null) {
        b.addServiceCpu(key[0], tier, size, service[0], service[1]);
      } else if (measured != null && measured.hasServiceCpu() && cpuMs.containsKey(k)) {
        double cpuNow = cpuMs.get(k);
        // the service's CPU changes by as much as its compute does
        double cpu = Math.max(0, measured.cpuMsPerFrame() + (cpuNow - measured.medianMs() * quotaFactor(tier)));
        b.addServiceCpu(key[0], tier, size, cpu, measured.backgroundCores());
      }
    }
    b.addLink(LinkClass.EDGE_SERVER, linkBitsPerSec(), latencyMs);
    return b.build();
  }

  private Profile.Compute baseCompute(String stage, Tier tier) {
    for (Profile.Compute c : base.compute()) {
      if (c.frameSize().equals(size) && c.stage().equals(stage) && c.tier() == tier) {
        return c;
      }
    }
    return null;
  }

  private Profile withoutEdgeServerTransfers() {
    List<Profile.Transfer> kept = new ArrayList<>();
    for (Profile.Transfer t : base.transfers()) {
      if (t.linkClass() != LinkClass.EDGE_SERVER) {
        kept.add(t);
      }
    }
    return new Profile(base.schema(), base.pipeline(), base.stages(), base.layers(), base.frameSizes(), base.compute(),
        base.hops(), base.links(), kept);
  }

  private void hop(Placement placement, int sender, long micros) {
    Tier from = placement.tier(sender);
    Tier to = sender + 1 < placement.size() ? placement.tier(sender + 1) : placement.tier(0); // the sink is with the producer
    long bytes = hopBytes.get(chain.hopName(sender));
    if (from == to || bytes <= 0 || micros < 0 || !linkFromFrames) {
      return; // in-node hops keep their measured figures
    }
    average(bytes * 8000.0 / Math.max(1e-3, micros / 1000.0 - latencyMs));
  }

  /**
   * The rate itself is averaged (not the time per byte): a slow spell then weighs no more than a
   * fast one, so the estimate recovers from 10 Mbit to 1 Gbit as fast as it falls (a few frames).
   */
  private void average(double sampleBitsPerSec) {
    bitsPerSec += alpha * (sampleBitsPerSec - bitsPerSec);
    linkSamples++;
  }

  private void average(Map<String, Double> averages, String key, double sample) {
    Double old = averages.get(key);
    averages.put(key, old == null ? sample : old + alpha * (sample - old));
  }

  /** Wall time per CPU time on a tier: its cores when below one (a quota), else 1. */
  private double quotaFactor(Tier tier) {
    double c = cores.get(tier);
    return c > 0 ? Math.min(1, c) : 1;
  }
}
