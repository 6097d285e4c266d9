package io.edgepipe.experiments;

import io.edgepipe.api.PipelineSpec;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.harness.measure.HopTimer;
import io.edgepipe.api.Tier;
import io.edgepipe.planner.predict.LinkWire;
import io.edgepipe.planner.profile.FrameSize;
import io.edgepipe.planner.profile.LinkClass;
import io.edgepipe.planner.profile.Profile;
import io.edgepipe.planner.profile.ProfileBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * The planner's profile for E5, built from measurements with the same timers as
 * {@code pipeline measure}: compute per service and frame size (in this process, or taken from
 * a profile measured on a testbed node), each hop's transfer time over a loopback gRPC hop (the
 * in-node link classes), and the edge-server link as that same measured hop cost (serialization,
 * parsing, ack) plus the payload's time on the wire at the link's rate.
 */
public final class ProfileMeasurer {
  /** Compute and in-node hops, per frame size; the edge-server link is added per bandwidth. */
  record Measured(PipelineSpec base, List<Integer> sides, List<Compute> compute, List<Hop> hops) {}

  public record Compute(String stage, Tier tier, FrameSize size, double medianMs, double p95Ms) {}

  /** A hop's busy time per frame over loopback gRPC, and the CPU it cost (both ends, one core's ms). */
  record Hop(String hop, FrameSize size, long bytes, double loopbackMs, double cpuMs) {}

  /** Frames per hop measurement at least, and how long the gRPC path is warmed before any. */
  static final int MIN_HOP_FRAMES = 60;
  static final double HOP_WARMUP_SECONDS = 3;

  private ProfileMeasurer() {}

  static List<String> services(PipelineSpec spec) {
    List<String> names = new ArrayList<>(List.of("producer"));
    spec.layers().forEach(l -> names.add(l.name()));
    return names;
  }

  static String hopName(PipelineSpec spec, int i) {
    List<String> s = services(spec);
    return s.get(i) + "->" + (i + 1 < s.size() ? s.get(i + 1) : "sink");
  }

  /** Units of progress {@link #measure} reports: one per service and size, twice (compute, hop). */
  static long plannedSteps(SuitePlan plan, PipelineSpec spec) {
    return 2L * plan.sizes().size() * services(spec).size();
  }

  /**
   * Measures the sustained compute of every service in this process (for {@code tiers}; none on
   * the testbed, where each node measures its own) and every hop over loopback gRPC, for each
   * square size.
   */
  static Measured measure(Suite s, List<Tier> tiers) {
    int frames = s.plan.profileFrames();
    int warmup = Math.max(3, frames / 3);
    List<Compute> compute = new ArrayList<>();
    List<String> names = services(s.spec);
    if (tiers.isEmpty()) {
      s.stepBy((long) s.plan.sizes().size() * names.size());
    } else {
      s.task("E5 compute (sustained, in this process)");
      List<Compute> measured = new SustainedCompute(warmup, frames, s.plan.computeSeconds())
          .measure(s.spec, s.plan.sizes(), tiers.get(0), s.device, s::step);
      for (Tier t : tiers) {
        measured.forEach(c -> compute.add(new Compute(c.stage(), t, c.size(), c.medianMs(), c.p95Ms())));
      }
    }
    List<Hop> hops = new ArrayList<>();
    int hopFrames = Math.max(frames, MIN_HOP_FRAMES);
    try (HopTimer loopback = HopTimer.loopback(s.spec.maxFrameBytes())) {
      // the hop's CPU is counted per frame: compile the gRPC path first, or the JIT's work counts too
      s.task("E5 hop warm-up");
      Frame first = HopTimer.sampleFrame(s.spec.withInput(s.plan.sizes().get(0), s.plan.sizes().get(0)), 1, "profile");
      long until = System.nanoTime() + (long) (HOP_WARMUP_SECONDS * 1e9);
      while (System.nanoTime() < until) {
        loopback.measure(first, 0, 50);
      }
      for (int side : s.plan.sizes()) {
        PipelineSpec spec = s.spec.withInput(side, side);
        FrameSize size = FrameSize.of(side, side);
        for (int i = 0; i < names.size(); i++) {
          s.task("E5 hop " + size + " " + hopName(spec, i));
          Frame frame = HopTimer.sampleFrame(spec, i, "profile");
          HopTimer.Measurement t = loopback.measure(frame, hopFrames / 2, hopFrames);
          hops.add(new Hop(hopName(spec, i), size, frame.getData().size(), t.ms(), t.cpuMs()));
          s.step();
        }
      }
    }
    return new Measured(s.spec, s.plan.sizes(), compute, hops);
  }

  /** The measured compute of {@code tier} taken from a profile written by `pipeline measure` elsewhere. */
  static List<Compute> computeOf(Profile p, Tier tier) {
    return p.compute().stream().filter(c -> c.tier() == tier)
        .map(c -> new Compute(c.stage(), c.tier(), c.frameSize(), c.medianMs(), c.p95Ms())).toList();
  }

  /**
   * The profile for one link rate: every compute entry, hop bytes, in-node transfers as measured,
   * and edge-server transfers = measured loopback hop + bytes x 8 / rate.
   */
  static Profile profile(Measured m, List<Compute> compute, double bandwidthBitsPerSec) {
    return profile(m, compute, bandwidthBitsPerSec, List.of());
  }

  /** A service's CPU in a running chain on one tier: ms per frame, and cores whatever the rate. */
  record ServiceCost(String service, Tier tier, int side, double cpuMsPerFrame, double backgroundCores) {}

  /** The same with each service's CPU in a running chain (measured on the testbed) added to its compute entry. */
  static Profile profile(Measured m, List<Compute> compute, double bandwidthBitsPerSec,
      List<PlacementExperiment.ServiceCpuEntry> serviceCpu) {
    List<ServiceCost> costs = new ArrayList<>();
    for (PlacementExperiment.ServiceCpuEntry e : serviceCpu) {
      double perFrame = e.cpu().cpuMsPerFrame();
      if (Double.isFinite(perFrame)) {
        costs.add(new ServiceCost(e.service(), e.tier(), e.side(), perFrame, e.cpu().backgroundCores()));
      }
    }
    return withCosts(m, compute, bandwidthBitsPerSec, costs);
  }

  /** The profile with these services' CPU costs added to their compute entries. */
  static Profile withCosts(Measured m, List<Compute> compute, double bandwidthBitsPerSec, List<ServiceCost> costs) {
    return withCosts(m, compute, bandwidthBitsPerSec, costs, true);
  }

  /**
   * The same; {@code framed}: the link's bytes with their TCP/IP/Ethernet headers, and the link's
   * rate in the profile (so the planner can tell the wire's share of a hop from the sender's);
   * otherwise the payload alone and no rate (session 6's grid model, kept for comparison).
   */
  static Profile withCosts(Measured m, List<Compute> compute, double bandwidthBitsPerSec, List<ServiceCost> costs,
      boolean framed) {
    ProfileBuilder b = ProfileBuilder.forSpec(m.base());
    for (int side : m.sides()) {
      b.addHopsFromSpec(m.base().withInput(side, side));
    }
    for (Compute c : compute) {
      b.addCompute(c.stage(), c.tier(), c.size(), c.medianMs(), c.p95Ms());
    }
    for (ServiceCost c : costs) {
      b.addServiceCpu(c.service(), c.tier(), FrameSize.of(c.side(), c.side()), c.cpuMsPerFrame(), c.backgroundCores());
    }
    if (framed) {
      b.addLink(LinkClass.EDGE_SERVER, bandwidthBitsPerSec, 0);
    }
    for (Hop h : m.hops()) {
      if (Double.isFinite(h.cpuMs())) {
        b.addHopCpu(h.hop(), h.size(), h.cpuMs());
      }
      b.addTransfer(h.hop(), LinkClass.EDGE_EDGE, h.size(), h.loopbackMs());
      b.addTransfer(h.hop(), LinkClass.SERVER_SERVER, h.size(), h.loopbackMs());
      double wire = framed ? new LinkWire(bandwidthBitsPerSec, 0).busyMs(h.bytes()) : wireMs(h.bytes(), bandwidthBitsPerSec);
      b.addTransfer(h.hop(), LinkClass.EDGE_SERVER, h.size(), h.loopbackMs() + wire);
    }
    return b.build();
  }

  /** The payload's time at the rate, no headers (the model before {@link LinkWire}). */
  static double wireMs(long bytes, double bitsPerSec) {
    return bytes * 8.0 / bitsPerSec * 1e3;
  }
}
