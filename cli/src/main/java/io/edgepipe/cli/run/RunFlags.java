package io.edgepipe.cli.run;

import io.edgepipe.launcher.RunOptions;

import io.edgepipe.api.PipelineSpec;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The flags every command that streams frames shares (run, bench pipeline, measure). */
public final class RunFlags {
  @Option(names = "--spec", defaultValue = "pipelines/thesis.yaml", paramLabel = "FILE",
      description = "Pipeline spec (default: ${DEFAULT-VALUE}).")
  Path specFile;

  @Option(names = "--source", defaultValue = "synthetic",
      description = "synthetic, video:FILE (or a video path), rtsp://..., http(s)://..., camera:/dev/videoN, images:DIR (default: ${DEFAULT-VALUE}).")
  String source;

  @Option(names = "--frames", defaultValue = "200", description = "Frames per flow (default: ${DEFAULT-VALUE}).")
  long frames;

  @Option(names = "--fps", defaultValue = "0", description = "Pace each flow at this rate; 0 = as fast as possible (default).")
  double fps;

  @Option(names = "--flows", defaultValue = "1", description = "Concurrent flows, each with its own flow id (default: ${DEFAULT-VALUE}).")
  int flows;

  @Option(names = "--device", defaultValue = "${env:EDGEPIPE_DEVICE:-auto}",
      description = "auto, cpu, cuda or vgpu://HOST:PORT (default: ${DEFAULT-VALUE}).")
  String device;

  @Option(names = "--width", description = "Override the spec's input width.")
  Integer width;

  @Option(names = "--height", description = "Override the spec's input height.")
  Integer height;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of the synthetic source (flow i uses seed+i).")
  long seed;

  @Option(names = "--delivery", description = {"realtime (bounded queues drop the oldest frame; frames past the deadline are dropped)",
      "or reliable (nothing dropped, re-sent after a reconnect, delivered exactly once in order).",
      "Default: the spec's delivery key; else realtime for camera and stream sources, reliable otherwise."})
  String delivery;

  @Option(names = "--deadline-ms", description = "Realtime: drop frames older than this many ms (default: the spec's deadline_ms).")
  Long deadlineMs;

  public PipelineSpec spec() {
    PipelineSpec spec = PipelineSpec.load(specFile);
    if (width != null || height != null) {
      spec = spec.withInput(height != null ? height : spec.input().h(), width != null ? width : spec.input().w());
    }
    if (delivery != null) {
      spec = spec.withDelivery(io.edgepipe.api.Delivery.parse(delivery));
    } else if (!spec.deliveryDeclared() && isLiveSource(source)) {
      spec = spec.withDelivery(io.edgepipe.api.Delivery.REALTIME); // a camera does not wait
    }
    if (deadlineMs != null) {
      spec = spec.withDeadline(deadlineMs);
    }
    return spec;
  }

  static boolean isLiveSource(String source) {
    return source.startsWith("camera:") || source.startsWith("/dev/video") || source.startsWith("rtsp://")
        || source.startsWith("http://") || source.startsWith("https://");
  }

  public Path specFile() {
    return specFile;
  }

  public RunOptions options(Path saveOutputs, String outputFormat) {
    if (frames <= 0 || flows <= 0 || fps < 0) {
      throw new IllegalArgumentException("--frames and --flows must be positive and --fps >= 0");
    }
    return new RunOptions(spec(), specFile, source, frames, fps, flows, device, seed, saveOutputs, outputFormat);
  }
}
