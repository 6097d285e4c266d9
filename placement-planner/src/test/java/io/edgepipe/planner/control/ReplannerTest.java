package io.edgepipe.planner.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.api.proto.StageTiming;
import io.edgepipe.api.Placement;
import io.edgepipe.planner.StageChain;
import io.edgepipe.api.Tier;
import io.edgepipe.planner.predict.PlannerOptions;
import io.edgepipe.planner.profile.CostModel;
import io.edgepipe.planner.profile.FrameSize;
import io.edgepipe.planner.profile.LinkClass;
import io.edgepipe.planner.profile.Profile;
import io.edgepipe.planner.profile.ProfileBuilder;
import io.edgepipe.planner.profile.Statistic;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The re-planner fed synthetic timing streams: a simulated chain whose link rate and edge CPU
 * change on cue, one frame every 10 ms of simulated time, evaluated after every frame.
 *
 * <p>The chain (thesis at 1280x720): hops carry 0.92 MB (producer, maxpool) or 3.7 MB (conv,
 * relu). Edge compute conv 20, relu 3, maxpool 5 ms; server 2, 0.3, 0.5 ms, and 50 ms for a
 * producer on the server (decoding a stream there). At 1 Gbit ESSS wins (about 135 fps, the
 * 7.4 ms producer hop); at 10 Mbit every split placement crawls and EEEE (50 fps, never on the
 * link) wins.
 */
class ReplannerTest {
  static final List<String> STAGES = List.of("producer", "conv", "relu", "maxpool");
  static final FrameSize HD = FrameSize.of(1280, 720);
  static final long[] BYTES = {921_600, 3_686_400, 3_686_400, 921_600};
  static final double[] EDGE = {0, 20, 3, 5};
  static final double[] SERVER = {50, 2, 0.3, 0.5};
  static final double GBIT = 1e9;
  static final double MBIT10 = 1e7;

  static Profile profile() {
    ProfileBuilder b = new ProfileBuilder("thesis", STAGES);
    List<String> hops = new StageChain(STAGES).hopNames();
    for (int i = 0; i < 4; i++) {
      b.addCompute(STAGES.get(i), Tier.EDGE, HD, EDGE[i], EDGE[i]);
      b.addCompute(STAGES.get(i), Tier.SERVER, HD, SERVER[i], SERVER[i]);
      b.addHop(hops.get(i), HD, BYTES[i]);
      b.addTransfer(hops.get(i), LinkClass.EDGE_EDGE, HD, 0);
      b.addTransfer(hops.get(i), LinkClass.SERVER_SERVER, HD, 0);
    }
    b.addLink(LinkClass.EDGE_SERVER, GBIT, 0.5);
    return b.build();
  }

  /** A simulated chain: what the frames' timings would say under the current conditions. */
  static final class SimulatedChain {
    double linkBitsPerSec = GBIT;
    double edgeSlowdown = 1;
    long clockUs = 1_000_000;

    /** One frame walking {@code placement}; returns its timings and sets {@code sinkUs[0]}. */
    List<StageTiming> frame(Placement placement, long[] sinkUs) {
      List<StageTiming> timings = new ArrayList<>();
      long t = clockUs;
      for (int i = 0; i < 4; i++) {
        Tier tier = placement.tier(i);
        double compute = tier == Tier.EDGE ? EDGE[i] * edgeSlowdown : SERVER[i];
        long received = t;
        long processed = received + Math.round(compute * 1000);
        timings.add(StageTiming.newBuilder().setStage(STAGES.get(i)).setNode(tier.label()).setReceivedUs(received)
            .setProcessedUs(processed).setSentUs(processed).build());
        Tier next = i + 1 < 4 ? placement.tier(i + 1) : placement.tier(0);
        t = processed + (next == tier ? 50 : Math.round((0.5 + BYTES[i] * 8.0 / linkBitsPerSec * 1000) * 1000));
      }
      sinkUs[0] = t;
      clockUs += 10_000;
      return timings;
    }
  }

  /** Runs {@code seconds} of simulated time, one frame per 10 ms, moving when told; returns the moves. */
  static List<String> run(Replanner r, SimulatedChain chain, double seconds, Instant[] now, boolean probeLink) {
    return run(r, chain, seconds, now, probeLink ? 10 : 0);
  }

  /** As above, with a probe of the link every {@code probeEvery} frames (0 = none). */
  static List<String> run(Replanner r, SimulatedChain chain, double seconds, Instant[] now, int probeEvery) {
    List<String> moves = new ArrayList<>();
    long[] sink = new long[1];
    for (int f = 0; f < seconds * 100; f++) {
      r.observe(chain.frame(r.current(), sink), sink[0]);
      if (probeEvery > 0 && f % probeEvery == 0) {
        r.observeLinkRate(chain.linkBitsPerSec);
      }
      now[0] = now[0].plusMillis(10);
      Replanner.Decision d = r.evaluate(now[0]);
      if (d.move()) {
        moves.add(d.target() + "@" + Duration.between(Instant.EPOCH, now[0]).toMillis());
        r.moved(d.target(), now[0]);
      }
    }
    return moves;
  }

  static Replanner replanner(Placement start, Replanner.Settings settings) {
    return new Replanner(new LiveProfile(profile(), HD, 0.2, 0, 0), PlannerOptions.defaults().withFrameSize(HD),
        start, settings);
  }

  @Test
  void aSlowLinkMovesTheChainToTheEdgeAndAFastOneBackAfterTheDwell() {
    Replanner.Settings settings = Replanner.Settings.defaults(); // 20% margin, 2 s dwell, 3 s cooldown
    Replanner r = replanner(new Placement("ESSS"), settings);
    SimulatedChain chain = new SimulatedChain();
    Instant[] now = {Instant.EPOCH};
    assertEquals(List.of(), run(r, chain, 5, now, true), "1 Gbit: ESSS stays");

    chain.linkBitsPerSec = MBIT10; // at 5 s
    List<String> down = run(r, chain, 5, now, true);
    assertEquals(1, down.size(), down.toString());
    assertTrue(down.get(0).startsWith("EEEE@"), down.toString());
    long movedAt = Long.parseLong(down.get(0).substring(5));
    assertTrue(movedAt >= 5000 + 2000 && movedAt <= 5000 + 2500, "the dwell, plus a few frames to notice: " + movedAt);

    chain.linkBitsPerSec = GBIT; // at 10 s; EEEE's frames no longer cross the link: only the probe tells
    List<String> up = run(r, chain, 5, now, true);
    assertEquals(1, up.size(), up.toString());
    assertTrue(up.get(0).startsWith("ESSS@"), up.toString());
    long backAt = Long.parseLong(up.get(0).substring(5));
    assertTrue(backAt >= 10_000 + 2000 && backAt <= 10_000 + 2500, "back after the dwell: " + backAt);
  }

  @Test
  void aLinkThatOscillatesFasterThanTheDwellMovesNothing() {
    Replanner r = replanner(new Placement("ESSS"), Replanner.Settings.defaults());
    SimulatedChain chain = new SimulatedChain();
    Instant[] now = {Instant.EPOCH};
    List<String> moves = new ArrayList<>();
    for (int half = 0; half < 40; half++) { // 20 s of 0.5 s slow, 0.5 s fast
      chain.linkBitsPerSec = half % 2 == 0 ? MBIT10 : GBIT;
      moves.addAll(run(r, chain, 0.5, now, 1)); // probed every frame: the estimate follows every swing
    }
    assertEquals(List.of(), moves, "no flapping");
    // the same oscillation with no dwell would move many times: the dwell is what holds it
    Replanner eager = replanner(new Placement("ESSS"), new Replanner.Settings(
        io.edgepipe.planner.predict.Objective.THROUGHPUT, 0.2, Duration.ZERO, Duration.ZERO, false));
    SimulatedChain again = new SimulatedChain();
    Instant[] later = {Instant.EPOCH};
    List<String> eagerMoves = new ArrayList<>();
    for (int half = 0; half < 40; half++) {
      again.linkBitsPerSec = half % 2 == 0 ? MBIT10 : GBIT;
      eagerMoves.addAll(run(eager, again, 0.5, later, 1));
    }
    assertTrue(eagerMoves.size() >= 20, eagerMoves.toString());
  }

  @Test
  void aGainUnderTheMarginIsNotWorthAMove() {
    // 400 Mbit: ESSS's 0.92 MB hop takes 18.9 ms (52.9 fps), EEEE runs at 50 fps: 6% apart
    Replanner r = replanner(new Placement("EEEE"), Replanner.Settings.defaults());
    SimulatedChain chain = new SimulatedChain();
    chain.linkBitsPerSec = 4e8;
    Instant[] now = {Instant.EPOCH};
    assertEquals(List.of(), run(r, chain, 10, now, true));
    Replanner.Decision d = r.evaluate(now[0]);
    assertEquals("ESSS", d.best().placement().letters());
    assertTrue(d.reason().contains("under the 20% margin"), d.reason());
  }

  @Test
  void aCutEdgeQuotaMovesTheComputeToTheServer() {
    // 100 Mbit: EEEE 50 fps, SSSS 20 fps (the producer's 50 ms there), ESSS 13.6 fps (its 74 ms hop).
    // With the edge cut to a quarter core its stages take 4x as long and share that quarter:
    // (80 + 12 + 20) x 0.25 ms of CPU over 0.25 cores = 112 ms, 8.9 fps; SSSS wins by 124%.
    Replanner r = replanner(new Placement("EEEE"), Replanner.Settings.defaults());
    List<String> moves = cutTheEdgeQuota(r);
    assertEquals(1, moves.size(), moves.toString());
    assertTrue(moves.get(0).startsWith("SSSS@"), moves.toString());
    assertEquals(80.0, r.live().computeMs("conv", Tier.EDGE), 1.0);
  }

  /** 5 s of EEEE at 100 Mbit, then 5 s with the edge cut to a quarter core (seen at once): the moves. */
  private static List<String> cutTheEdgeQuota(Replanner r) {
    SimulatedChain chain = new SimulatedChain();
    chain.linkBitsPerSec = 1e8;
    Instant[] now = {Instant.EPOCH};
    assertEquals(List.of(), run(r, chain, 5, now, true));
    chain.edgeSlowdown = 4;
    r.observeCores(Tier.EDGE, 0.25);
    return run(r, chain, 5, now, true);
  }

  @Test
  void aCutQuotaIsAnsweredOneDwellAfterItIsSeen() {
    // the quota is a reading: the live profile rescales the edge's compute at once, so the move
    // waits only for the dwell (E7's settings: 1 s), not for the averages to catch up
    Replanner r = replanner(new Placement("EEEE"), new Replanner.Settings(
        io.edgepipe.planner.predict.Objective.THROUGHPUT, 0.2, Duration.ofSeconds(1), Duration.ofSeconds(3), false));
    List<String> moves = cutTheEdgeQuota(r);
    assertEquals(1, moves.size(), moves.toString());
    long at = Long.parseLong(moves.get(0).substring(5));
    assertTrue(at >= 5000 + 1000 && at <= 5000 + 1000 + 20, "one dwell after the cut: " + moves);
  }

  @Test
  void aQuotaThatOscillatesFasterThanTheDwellMovesNothing() {
    Replanner.Settings e7 = new Replanner.Settings(io.edgepipe.planner.predict.Objective.THROUGHPUT, 0.2,
        Duration.ofSeconds(1), Duration.ofSeconds(3), false);
    List<String> moves = oscillateQuota(replanner(new Placement("EEEE"), e7));
    assertEquals(List.of(), moves, "no flapping");
    // the same oscillation with no dwell moves at every swing: the dwell is what holds it
    List<String> eager = oscillateQuota(replanner(new Placement("EEEE"), new Replanner.Settings(
        io.edgepipe.planner.predict.Objective.THROUGHPUT, 0.2, Duration.ZERO, Duration.ZERO, false)));
    assertTrue(eager.size() >= 20, eager.toString());
  }

  /** 20 s of the edge's quota swinging between a quarter core (0.5 s) and uncapped (0.5 s), at 100 Mbit. */
  private static List<String> oscillateQuota(Replanner r) {
    SimulatedChain chain = new SimulatedChain();
    chain.linkBitsPerSec = 1e8;
    Instant[] now = {Instant.EPOCH};
    List<String> moves = new ArrayList<>(run(r, chain, 2, now, true));
    for (int half = 0; half < 40; half++) {
      boolean cut = half % 2 == 0;
      chain.edgeSlowdown = cut ? 4 : 1;
      r.observeCores(Tier.EDGE, cut ? 0.25 : 0);
      moves.addAll(run(r, chain, 0.5, now, true));
    }
    return moves;
  }

  @Test
  void theLinkRateFromOneHopPricesEveryHop() {
    LiveProfile live = new LiveProfile(profile(), HD, 0.5, 0, 0);
    SimulatedChain chain = new SimulatedChain();
    chain.linkBitsPerSec = MBIT10;
    long[] sink = new long[1];
    Placement esss = new Placement("ESSS");
    for (int i = 0; i < 40; i++) {
      live.observe(esss, chain.frame(esss, sink), sink[0]);
    }
    assertEquals(MBIT10, live.linkBitsPerSec(), MBIT10 * 0.01);
    CostModel costs = new CostModel(live.snapshot(), HD, Statistic.MEDIAN);
    // conv->relu never crossed the link, yet is priced at the measured rate: 3.7 MB at 10 Mbit
    assertEquals(0.5 + 3_686_400 * 8.0 / MBIT10 * 1000, costs.transferMs(1, LinkClass.EDGE_SERVER), 30);
    assertEquals(2.0, costs.computeMs(1, Tier.SERVER), 1e-9);
    assertEquals(20.0, costs.computeMs(1, Tier.EDGE), 1e-9); // not observed: the profile's
  }
}
