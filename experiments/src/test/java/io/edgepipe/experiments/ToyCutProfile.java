package io.edgepipe.experiments;

import io.edgepipe.api.Tier;
import io.edgepipe.planner.profile.FrameSize;
import io.edgepipe.planner.profile.LinkClass;
import io.edgepipe.planner.profile.ProfileBuilder;
import java.util.List;

/** The cut tests' model: three layers, 2 / 3 / 4 ms on the edge, hops of 40, 30, 20 and 10 KB. */
final class ToyCutProfile {
  static final FrameSize SIZE = FrameSize.of(64, 64);
  static final List<String> STAGES = List.of("producer", "L0", "L1", "L2");

  private ToyCutProfile() {}

  /** Its profile so far, layer i taking {@code serverMs[i]} on the server; a test adds what it needs and builds. */
  static ProfileBuilder builder(double... serverMs) {
    ProfileBuilder b = new ProfileBuilder("toy", STAGES);
    for (int i = 0; i < 3; i++) {
      b.addCompute(STAGES.get(i + 1), Tier.EDGE, SIZE, 2 + i, 2 + i);
      b.addCompute(STAGES.get(i + 1), Tier.SERVER, SIZE, serverMs[i], serverMs[i]);
    }
    for (int i = 0; i < 4; i++) {
      String hop = STAGES.get(i) + "->" + (i < 3 ? STAGES.get(i + 1) : "sink");
      long bytes = 10_000L * (4 - i);
      b.addHop(hop, SIZE, bytes);
      b.addHopCpu(hop, SIZE, 1);
      b.addTransfer(hop, LinkClass.SERVER_SERVER, SIZE, 0.3 + 1e-5 * bytes);
    }
    return b;
  }
}
