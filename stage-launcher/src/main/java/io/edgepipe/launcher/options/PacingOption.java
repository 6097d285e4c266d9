package io.edgepipe.launcher.options;

import picocli.CommandLine.Option;

/** {@code --fps}: the pace of each flow, the same flag and default for `run` and `stage producer`. */
public final class PacingOption {
  @Option(names = "--fps", defaultValue = "${env:EDGEPIPE_FPS:-0}", paramLabel = "FPS",
      description = "Pace each flow at this many frames per second; 0 = as fast as the chain takes them "
          + "(default: ${DEFAULT-VALUE}; env EDGEPIPE_FPS).")
  double fps;

  public double fps() {
    if (fps < 0) {
      throw new IllegalArgumentException("--fps must be >= 0 (0 = as fast as possible), got " + fps);
    }
    return fps;
  }
}
