package io.edgepipe.planner;

import io.edgepipe.api.Tier;

import io.edgepipe.planner.profile.FrameSize;
import io.edgepipe.planner.profile.LinkClass;
import io.edgepipe.planner.profile.Profile;
import io.edgepipe.planner.profile.ProfileBuilder;
import java.util.List;

/** Hand-made profiles for the four-stage chain, written as arrays in chain order. */
public final class TestProfiles {
  public static final List<String> STAGES = List.of("producer", "conv", "relu", "maxpool");
  public static final FrameSize SIZE = FrameSize.of(1280, 720);

  private TestProfiles() {}

  /**
   * @param edge       compute per stage on the edge (producer first; NaN = not measured)
   * @param server     compute per stage on the server
   * @param edgeServer transfer of the hop leaving each stage over edge-server
   * @param inNode     transfer of the hop leaving each stage over edge-edge and server-server
   */
  public static Profile of(double[] edge, double[] server, double[] edgeServer, double[] inNode) {
    ProfileBuilder b = new ProfileBuilder("test", STAGES);
    List<String> hops = new StageChain(STAGES).hopNames();
    for (int i = 0; i < STAGES.size(); i++) {
      if (!Double.isNaN(edge[i])) {
        b.addCompute(STAGES.get(i), Tier.EDGE, SIZE, edge[i], edge[i] * 1.2);
      }
      if (!Double.isNaN(server[i])) {
        b.addCompute(STAGES.get(i), Tier.SERVER, SIZE, server[i], server[i] * 1.2);
      }
      b.addTransfer(hops.get(i), LinkClass.EDGE_SERVER, SIZE, edgeServer[i]);
      b.addTransfer(hops.get(i), LinkClass.EDGE_EDGE, SIZE, inNode[i]);
      b.addTransfer(hops.get(i), LinkClass.SERVER_SERVER, SIZE, inNode[i]);
    }
    return b.build();
  }

  public static double[] ms(double... values) {
    return values;
  }
}
