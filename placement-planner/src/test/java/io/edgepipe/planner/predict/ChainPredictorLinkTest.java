package io.edgepipe.planner.predict;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.edgepipe.api.Placement;
import io.edgepipe.api.Tier;
import io.edgepipe.planner.StageChain;
import io.edgepipe.planner.TestProfiles;
import io.edgepipe.planner.profile.FrameSize;
import io.edgepipe.planner.profile.LinkClass;
import io.edgepipe.planner.profile.Profile;
import io.edgepipe.planner.profile.ProfileBuilder;
import io.edgepipe.planner.profile.QuotaCpu;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The edge-server link as a limit of its own, a paced frame's crossing, hop CPU by kind, and the node's CPU rule. */
class ChainPredictorLinkTest {
  private static final FrameSize SIZE = TestProfiles.SIZE;
  private static final List<String> HOPS = new StageChain(TestProfiles.STAGES).hopNames();
  /** Payload of the hop leaving each service: 64 KiB in, 256 KiB between the layers, 64 KiB back to the sink. */
  private static final long[] BYTES = {65536, 262144, 262144, 65536};
  /** Each hop's own cost (serialising, parsing, acking) over loopback, ms; and its socket CPU, both ends. */
  private static final double HOP_MS = 0.9;
  private static final double[] HOP_CPU = {0.4, 1.2, 1.2, 0.4};

  /** compute 0.5 ms per stage; a hop over the link = its own cost + its framed bytes at {@code rate} (as the grid measures it). */
  private static Profile profile(double rate, boolean withRate) {
    ProfileBuilder b = new ProfileBuilder("test", TestProfiles.STAGES);
    LinkWire wire = new LinkWire(rate, 0);
    for (int i = 0; i < 4; i++) {
      String stage = TestProfiles.STAGES.get(i);
      b.addCompute(stage, Tier.EDGE, SIZE, 0.5, 0.6);
      b.addCompute(stage, Tier.SERVER, SIZE, 0.5, 0.6);
      b.addHop(HOPS.get(i), SIZE, BYTES[i]);
      b.addHopCpu(HOPS.get(i), SIZE, HOP_CPU[i]);
      b.addTransfer(HOPS.get(i), LinkClass.EDGE_SERVER, SIZE, HOP_MS + wire.busyMs(BYTES[i]));
      b.addTransfer(HOPS.get(i), LinkClass.EDGE_EDGE, SIZE, HOP_MS);
      b.addTransfer(HOPS.get(i), LinkClass.SERVER_SERVER, SIZE, HOP_MS);
    }
    if (withRate) {
      b.addLink(LinkClass.EDGE_SERVER, rate, 0);
    }
    return b.build();
  }

  private static Prediction predict(Profile p, PlannerOptions o, String placement) {
    return new Planner(o.withFrameSize(SIZE)).predict(p, new Placement(placement));
  }

  @Test
  void aFastLinkDrainsOneFrameWhileTheSenderPreparesTheNext() {
    // 1 Gbit/s: conv->relu's 256 KiB keep the link busy 2.19 ms; conv needs 0.5 + 0.9 ms of its own
    PlannerOptions apart = PlannerOptions.defaults().withWireApart(true);
    Prediction eess = predict(profile(1e9, true), apart, "EESS");
    double busy = new LinkWire(1e9, 0).busyMs(262144);
    assertEquals(1000 / busy, eess.fps(), 1e-6);
    assertEquals("edge-server link (conv->relu)", eess.bottleneck());
    // without the link's rate the profile cannot tell the wire from the sender, and without wireApart the send is
    // the sender's: the sum
    double summed = 1000 / (0.5 + HOP_MS + busy);
    assertEquals(summed, predict(profile(1e9, false), apart, "EESS").fps(), 1e-6);
    assertEquals(summed, predict(profile(1e9, true), PlannerOptions.defaults(), "EESS").fps(), 1e-6);
  }

  @Test
  void aSlowSenderOnAFastLinkIsItsOwnLimit() {
    // 10 Gbit/s: 256 KiB take 0.22 ms on the wire, conv's own 1.4 ms set the pace
    Prediction eess = predict(profile(10e9, true), PlannerOptions.defaults().withWireApart(true), "EESS");
    assertEquals(1000 / (0.5 + HOP_MS), eess.fps(), 1e-6);
  }

  @Test
  void aPacedFrameCrossesAFullBucketAtOnce() {
    Profile p = profile(1e9, true);
    PlannerOptions apart = PlannerOptions.defaults().withWireApart(true);
    Prediction plain = predict(p, apart, "EESS");
    Prediction bucket = predict(p, apart.withLinkBurstBytes(125_000), "EESS");
    LinkWire wire = new LinkWire(1e9, 125_000);
    // the latency saves what the bucket holds on both crossings (conv->relu, maxpool->sink), capped at each frame
    double saved = wire.busyMs(262144) - wire.idleMs(262144) + wire.busyMs(65536) - wire.idleMs(65536);
    assertEquals(plain.latencyMs() - saved, bucket.latencyMs(), 1e-9);
    assertEquals(4 * 0.5 + 4 * HOP_MS + wire.idleMs(262144), bucket.latencyMs(), 1e-9);
    // a queue of frames still waits for the rate
    assertEquals(plain.fps(), bucket.fps(), 1e-9);
  }

  /** The profile with each service's CPU per frame measured: 1 ms each on either node, no background. */
  private static Profile withServiceCpu(Profile p) {
    ProfileBuilder b = new ProfileBuilder("test", TestProfiles.STAGES).merge(p, "base");
    for (String stage : TestProfiles.STAGES) {
      b.addServiceCpu(stage, Tier.EDGE, SIZE, 1.0, 0);
      b.addServiceCpu(stage, Tier.SERVER, SIZE, 1.0, 0);
    }
    return b.build();
  }

  @Test
  void onAnInNodeBasisEveryHopOverTheLinkAddsItsSocketCpuHalfAtEachEnd() {
    Profile p = withServiceCpu(profile(100e9, true));
    PlannerOptions o = PlannerOptions.defaults().withCores(0.5, 0).withHopCpu(PlannerOptions.HopCpu.IN_NODE_BASIS);
    // EESS on the edge: producer and conv (2 ms) + half of conv->relu's socket CPU + half of the sink's hop back
    double edgeMs = 2.0 + HOP_CPU[1] / 2 + HOP_CPU[3] / 2;
    assertEquals(QuotaCpu.of(0.5).fps(edgeMs, 0), predict(p, o, "EESS").fps(), 1e-6);
    // EEEE: no hop leaves the node, nothing added
    assertEquals(QuotaCpu.of(0.5).fps(4.0, 0), predict(p, o, "EEEE").fps(), 1e-6);
    // as measured (the default): the service CPU is taken to cover its hops already
    assertEquals(QuotaCpu.of(0.5).fps(2.0, 0), predict(p, o.withHopCpu(PlannerOptions.HopCpu.AS_MEASURED), "EESS").fps(),
        1e-6);
  }

  @Test
  void aNodeWhoseBackgroundTakesItsQuotaCrawlsAsQuotaCpuSays() {
    ProfileBuilder b = new ProfileBuilder("test", TestProfiles.STAGES).merge(profile(100e9, true), "base");
    for (String stage : TestProfiles.STAGES) {
      b.addServiceCpu(stage, Tier.EDGE, SIZE, 1.0, 0.2);
      b.addServiceCpu(stage, Tier.SERVER, SIZE, 1.0, 0);
    }
    Prediction eeee = predict(b.build(), PlannerOptions.defaults().withCores(0.1, 0), "EEEE");
    // four JVMs of 0.2 cores each leave no CPU of 0.1 cores: a crawl, not 0 fps or a division by 0
    assertEquals(QuotaCpu.of(0.1).fps(4.0, 0.8), eeee.fps(), 1e-9);
    assertEquals(QuotaCpu.MIN_FREE_CORES * 1000 / 4.0, eeee.fps(), 1e-9);
    assertEquals(Limit.Kind.NODE_CPU, eeee.limit().kind());
  }
}
