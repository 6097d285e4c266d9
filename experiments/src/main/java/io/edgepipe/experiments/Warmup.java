package io.edgepipe.experiments;

import io.edgepipe.api.PipelineSpec;

/**
 * Frames through the monolith and the pipeline before anything is timed, so the JIT has
 * compiled the hot paths (kernels, protobuf, gRPC) and the first experiment is not charged for it.
 */
public final class Warmup {
  public static final int FRAMES = 60;
  static final int SIDE = 512;

  private Warmup() {}

  public static void run(Suite s) {
    s.task("warm-up");
    PipelineSpec spec = s.spec.withInput(SIDE, SIDE);
    LatencyExperiment.oneInFlight(s, spec, true, FRAMES / 2, 0);
    LatencyExperiment.oneInFlight(s, spec, false, FRAMES / 2, 0);
  }
}
