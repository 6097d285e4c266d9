package io.edgepipe.planner.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.api.Placement;
import io.edgepipe.api.Tier;
import io.edgepipe.api.proto.StageTiming;
import io.edgepipe.planner.StageChain;
import io.edgepipe.planner.predict.Objective;
import io.edgepipe.planner.predict.PlannerOptions;
import io.edgepipe.planner.profile.FrameSize;
import io.edgepipe.planner.profile.LinkClass;
import io.edgepipe.planner.profile.Profile;
import io.edgepipe.planner.profile.ProfileBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * E7's wrong move, replayed: the thesis chain at 256x256 runs EEEE over a 10 Mbit link and the
 * edge's quota is cut from half a core to a tenth. Four JVMs share that tenth, so each stage's
 * wall time is mostly waiting for the other three (here: its CPU x 4 / quota). The frames'
 * wall times times the quota then count that wait as CPU, predict EEEE at about 9 fps and move to
 * ESSS (19 fps, its 64 KiB hop over the link), although EEEE does 30 fps on the CPU it really
 * needs. With each process's CPU readings the controller prices the node as
 * (quota - background) / CPU per frame and stays.
 *
 * <p>The simulated chain follows that same CPU law (it is the model E7 checks on the testbed);
 * what this tests is that the controller reads the readings, fits them, and decides from them.
 */
class QuotaReplannerTest {
  static final List<String> STAGES = List.of("producer", "conv", "relu", "maxpool");
  static final FrameSize SIZE = FrameSize.of(256, 256);
  static final long[] BYTES = {65_536, 262_144, 262_144, 65_536};
  /** Per process: CPU ms per frame (any tier) and background cores; the producer's includes the sink. */
  static final double[] CPU_MS = {0.6, 1.2, 0.4, 0.5};
  static final double[] BACKGROUND = {0.005, 0.005, 0.005, 0.005};
  static final double LINK = 1e7;
  static final Replanner.Settings E7 = new Replanner.Settings(Objective.THROUGHPUT, 0.2, Duration.ofSeconds(1),
      Duration.ofSeconds(3), false);

  /** As E7's profile: server compute measured, the edge's as that over its half core, hop CPU from a bench. */
  static Profile profile() {
    ProfileBuilder b = new ProfileBuilder("thesis", STAGES);
    List<String> hops = new StageChain(STAGES).hopNames();
    double[] hopCpu = {1.67, 3.5, 3.17, 1.83};
    for (int i = 0; i < 4; i++) {
      b.addCompute(STAGES.get(i), Tier.SERVER, SIZE, CPU_MS[i], CPU_MS[i]);
      b.addCompute(STAGES.get(i), Tier.EDGE, SIZE, CPU_MS[i] / 0.5, CPU_MS[i] / 0.5);
      b.addHop(hops.get(i), SIZE, BYTES[i]).addHopCpu(hops.get(i), SIZE, hopCpu[i]);
    }
    b.addLink(LinkClass.EDGE_SERVER, LINK, 0);
    return b.build();
  }

  /** The chain on a node pair whose edge has {@code quota} cores; what its frames and processes report. */
  static final class QuotaChain {
    double quota = 0.5;
    final double[] cpuUs = new double[8]; // cumulative CPU per process: stage x tier
    final long[] framesSince = new long[8];

    /** Frames per second {@code p} does now: the least of the edge's CPU, the link and each stage alone. */
    double fps(Placement p) {
      double edgeCpu = 0;
      double edgeBackground = 0;
      double limit = Double.POSITIVE_INFINITY;
      for (int i = 0; i < 4; i++) {
        if (p.tier(i) == Tier.EDGE) {
          edgeCpu += CPU_MS[i];
          edgeBackground += BACKGROUND[i];
        }
        Tier next = i + 1 < 4 ? p.tier(i + 1) : p.tier(0);
        if (next != p.tier(i)) {
          limit = Math.min(limit, LINK / (BYTES[i] * 8.0));
        }
        limit = Math.min(limit, 1000 / CPU_MS[i]);
      }
      return Math.min(limit, (quota - edgeBackground) / edgeCpu * 1000);
    }

    /** One frame's timings, {@code at} us; an edge stage's wall time is its CPU stretched by the three others' turns. */
    List<StageTiming> frame(Placement p, long at) {
      List<StageTiming> out = new ArrayList<>();
      long t = at;
      for (int i = 0; i < 4; i++) {
        double wall = p.tier(i) == Tier.EDGE ? CPU_MS[i] * 4 / Math.min(1, quota) : CPU_MS[i];
        long processed = t + Math.round(wall * 1000);
        out.add(StageTiming.newBuilder().setStage(STAGES.get(i)).setNode(p.tier(i).label()).setReceivedUs(t)
            .setProcessedUs(processed).setSentUs(processed).build());
        t = processed + 50;
        framesSince[i * 2 + (p.tier(i) == Tier.EDGE ? 0 : 1)]++;
      }
      return out;
    }

    /**
     * Every process's CPU over the last {@code spanS} (the idle ones too: they burn their
     * background), read as the kernel counts it: in whole 10 ms ticks.
     */
    void reportCpu(LiveProfile live, double spanS) {
      for (int s = 0; s < 4; s++) {
        for (Tier tier : Tier.values()) {
          int k = s * 2 + (tier == Tier.EDGE ? 0 : 1);
          double before = Math.floor(cpuUs[k] / 10_000) * 10_000;
          cpuUs[k] += (BACKGROUND[s] * spanS + framesSince[k] * CPU_MS[s] / 1000) * 1e6;
          double after = Math.floor(cpuUs[k] / 10_000) * 10_000;
          live.observeCpu(STAGES.get(s), tier, framesSince[k], Math.round(spanS * 1e6), Math.round(after - before));
          framesSince[k] = 0;
        }
      }
    }
  }

  /**
   * {@code seconds} of the chain at its own pace: frames to the replanner, CPU readings every 250
   * ms (when {@code withCpu}), an evaluation every 100 ms; returns the moves.
   */
  static List<String> run(Replanner r, QuotaChain chain, double seconds, Instant[] now, boolean withCpu) {
    List<String> moves = new ArrayList<>();
    double frameDebt = 0;
    for (int tick = 0; tick < seconds * 10; tick++) {
      frameDebt += chain.fps(r.current()) / 10;
      for (; frameDebt >= 1; frameDebt--) {
        List<StageTiming> t = chain.frame(r.current(), now[0].toEpochMilli() * 1000);
        r.observe(t, t.get(3).getSentUs() + 50);
      }
      now[0] = now[0].plusMillis(100);
      if (withCpu && tick % 3 == 2) {
        chain.reportCpu(r.live(), 0.3);
      }
      r.observeLinkRate(LINK);
      r.observeCores(Tier.EDGE, chain.quota);
      Replanner.Decision d = r.evaluate(now[0]);
      if (d.move()) {
        moves.add(d.target().letters() + "@" + now[0].toEpochMilli());
        r.moved(d.target(), now[0]);
      }
    }
    return moves;
  }

  static Replanner replanner() {
    LiveProfile live = new LiveProfile(profile(), SIZE, 0.3, 0.5, 0);
    return new Replanner(live, PlannerOptions.defaults().withFrameSize(SIZE).withCores(0.5, 0), new Placement("EEEE"),
        E7).producerFixed(true);
  }

  /** 10 s of EEEE at half a core (every process, the server's standbys too, passes or idles), then 10 s at a tenth. */
  static List<String> cutTheQuota(Replanner r, QuotaChain chain, Instant[] now, boolean withCpu) {
    List<String> moves = new ArrayList<>();
    // the standbys on the server: each stage there for 2 s first, as the testbed's warm-up does
    for (String p : List.of("ESSS", "EEEE")) {
      r.moved(new Placement(p), now[0].minusSeconds(10)); // no cooldown: a warm-up visit, not a decision
      moves.addAll(run(r, chain, 2, now, withCpu));
    }
    moves.addAll(run(r, chain, 8, now, withCpu));
    chain.quota = 0.1;
    moves.addAll(run(r, chain, 10, now, withCpu));
    return moves;
  }

  @Test
  void aQuotaCutIsPricedFromWhatTheProcessesReallyUseNotFromTheirWaiting() {
    Replanner r = replanner();
    QuotaChain chain = new QuotaChain();
    Instant[] now = {Instant.ofEpochSecond(1_000_000)};
    assertEquals(List.of(), cutTheQuota(r, chain, now, true), "EEEE stays the best under a tenth of a core");
    double truth = chain.fps(new Placement("EEEE")); // (0.1 - 0.02) / 2.7 ms = 29.6 fps
    Replanner.Decision d = r.evaluate(now[0]);
    assertEquals("EEEE", d.best().placement().letters(), d.reason());
    assertEquals(truth, d.current().fps(), truth * 0.10, "EEEE under a tenth of a core, predicted from CPU readings");
    ServiceCpuFit conv = r.live().cpu("conv", Tier.EDGE);
    assertEquals(1.2, conv.cpuMsPerFrame(), 0.12);
    assertEquals(0.005, conv.backgroundCores(), 0.005);
  }

  @Test
  void theSameFramesWithoutCpuReadingsCountTheWaitAsCpuAndMoveWrongly() {
    // the old estimate (wall x quota) sees 4x the CPU: EEEE at about 9 fps, ESSS's 19 fps twice that
    Replanner r = replanner();
    QuotaChain chain = new QuotaChain();
    Instant[] now = {Instant.ofEpochSecond(1_000_000)};
    List<String> moves = cutTheQuota(r, chain, now, false);
    assertEquals(1, moves.size(), moves.toString());
    assertTrue(moves.get(0).startsWith("ESSS@"), moves.toString());
    assertTrue(chain.fps(new Placement("ESSS")) < 0.7 * chain.fps(new Placement("EEEE")), "a move to a slower placement");
  }

  @Test
  void aQuotaCutIsPredictedBeforeAnyFrameRunsUnderIt() {
    // the readings so far are CPU: the new quota prices them at once, no frame under it needed
    Replanner r = replanner();
    QuotaChain chain = new QuotaChain();
    Instant[] now = {Instant.ofEpochSecond(1_000_000)};
    for (String p : List.of("ESSS", "EEEE")) {
      r.moved(new Placement(p), now[0].minusSeconds(10));
      run(r, chain, 2, now, true);
    }
    run(r, chain, 8, now, true);
    chain.quota = 0.1;
    r.observeCores(Tier.EDGE, 0.1);
    double predicted = r.evaluate(now[0]).current().fps();
    double truth = chain.fps(new Placement("EEEE"));
    assertEquals(truth, predicted, truth * 0.25, "from readings at half a core only");
  }

  @Test
  void aStandbyThatNeverPassedFramesIsPricedFromTheSameStageElsewhereAndItsIdleCpu() {
    LiveProfile live = new LiveProfile(profile(), SIZE, 0.3, 0.5, 0);
    for (int i = 0; i < 8; i++) {
      live.observeCpu("conv", Tier.SERVER, 25, 250_000, Math.round((0.03 + 100 * 0.0012) * 250_000)); // 100 fps
      live.observeCpu("conv", Tier.SERVER, 5, 250_000, Math.round((0.03 + 20 * 0.0012) * 250_000)); // 20 fps
      live.observeCpu("conv", Tier.EDGE, 0, 250_000, 2_500); // idle on the edge: 0.01 cores
    }
    assertEquals(null, live.cpu("conv", Tier.EDGE), "no frames on the edge: no fit of its own");
    Profile.Compute edge = live.snapshot().compute().stream()
        .filter(c -> c.stage().equals("conv") && c.tier() == Tier.EDGE).findFirst().orElseThrow();
    assertEquals(1.2, edge.cpuMsPerFrame(), 0.01);
    assertEquals(0.01, edge.backgroundCores(), 0.001);
    assertEquals(1.2 / 0.5, live.computeMs("conv", Tier.EDGE), 0.02, "the CPU under half a core, not the profile's wall time");
  }
}
