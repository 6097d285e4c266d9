package io.edgepipe.planner.deploy;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.OptionalDouble;

/** Reads a pod's edgepipe_frames_out_total counter; empty when it cannot be read. */
public interface FramesCounter {
  String METRIC = "edgepipe_frames_out_total";

  OptionalDouble framesOut(Pod pod);
}
