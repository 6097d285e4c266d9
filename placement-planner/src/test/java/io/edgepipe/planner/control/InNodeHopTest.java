package io.edgepipe.planner.control;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.edgepipe.api.Placement;
import io.edgepipe.api.Tier;
import io.edgepipe.api.proto.StageTiming;
import io.edgepipe.planner.StageChain;
import io.edgepipe.planner.profile.FrameSize;
import io.edgepipe.planner.profile.LinkClass;
import io.edgepipe.planner.profile.Profile;
import io.edgepipe.planner.profile.ProfileBuilder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An in-node hop priced from what the frames see, not from a profile measured on a loaded host. */
class InNodeHopTest {
  static final List<String> STAGES = List.of("producer", "conv", "relu", "maxpool");
  static final FrameSize SIZE = FrameSize.of(256, 256);

  static double serverServerMs(Profile p, String hop) {
    return p.transfers().stream().filter(t -> t.hop().equals(hop) && t.linkClass() == LinkClass.SERVER_SERVER)
        .findFirst().orElseThrow().ms();
  }

  @Test
  void theLeastOfTheFramesRecentHopTimesReplacesTheProfilesFigureButNeverExceedsIt() {
    ProfileBuilder b = new ProfileBuilder("thesis", STAGES);
    List<String> hops = new StageChain(STAGES).hopNames();
    for (int i = 0; i < 4; i++) {
      b.addCompute(STAGES.get(i), Tier.SERVER, SIZE, 0.3, 0.3).addCompute(STAGES.get(i), Tier.EDGE, SIZE, 0.6, 0.6);
      b.addHop(hops.get(i), SIZE, 65_536);
      b.addTransfer(hops.get(i), LinkClass.SERVER_SERVER, SIZE, 8.8); // measured at load 35
      b.addTransfer(hops.get(i), LinkClass.EDGE_EDGE, SIZE, 8.8);
    }
    b.addLink(LinkClass.EDGE_SERVER, 1e9, 0);
    LiveProfile live = new LiveProfile(b.build(), SIZE, 0.3, 0.5, 2).linkFromFrames(false);
    Placement esss = new Placement("ESSS");
    for (int f = 0; f < 10; f++) {
      // conv -> relu on the server: 0.4 ms, once 0.3 ms, and a busy receiver's 12 ms
      long hop = f == 5 ? 300 : f == 7 ? 12_000 : 400;
      List<StageTiming> t = new ArrayList<>();
      long at = 0;
      for (int i = 0; i < 4; i++) {
        at += i == 2 ? hop : i > 0 ? 1_000 : 0;
        t.add(StageTiming.newBuilder().setStage(STAGES.get(i)).setNode(esss.tier(i).label()).setReceivedUs(at)
            .setProcessedUs(at + 300).setSentUs(at + 300).build());
        at += 300;
      }
      live.observe(esss, t, at + 1_000);
    }
    assertEquals(0.3, serverServerMs(live.snapshot(), "conv->relu"), 1e-9, "the least seen");
    assertEquals(1.0, serverServerMs(live.snapshot(), "relu->maxpool"), 1e-9);
    assertEquals(8.8, serverServerMs(live.snapshot(), "producer->conv"), 1e-9, "never crossed in-node: the profile's");
  }
}
