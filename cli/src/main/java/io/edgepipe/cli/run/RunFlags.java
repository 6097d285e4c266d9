package io.edgepipe.cli.run;

import io.edgepipe.launcher.RunOptions;
import io.edgepipe.harness.InputSizing;

import io.edgepipe.api.PipelineSpec;
import io.edgepipe.launcher.options.DeviceOption;
import io.edgepipe.launcher.options.FrameCount;
import io.edgepipe.launcher.options.PacingOption;
import io.edgepipe.launcher.options.SpecOption;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The flags every command that streams frames shares (run, bench pipeline, bench soak, testbed run). */
public final class RunFlags {
  @Mixin
  SpecOption specOption;

  @Mixin
  DeviceOption deviceOption;

  @Mixin
  PacingOption pacing;

  @Option(names = "--source", defaultValue = "synthetic",
      description = "synthetic, video:FILE (or a video path), rtsp://..., http(s)://..., camera:/dev/videoN, images:DIR (default: ${DEFAULT-VALUE}).")
  String source;

  @Option(names = "--frames", defaultValue = "200", converter = FrameCount.class, paramLabel = "N",
      description = "Frames per flow; 0 or all = until the source ends (default: ${DEFAULT-VALUE}).")
  long frames;

  @Option(names = "--flows", defaultValue = "1", description = "Concurrent flows, each with its own flow id (default: ${DEFAULT-VALUE}).")
  int flows;

  @Option(names = "--width", description = "Override the spec's input width.")
  Integer width;

  @Option(names = "--height", description = "Override the spec's input height.")
  Integer height;

  @Option(names = "--input-size", defaultValue = "stretch", paramLabel = "MODE",
      description = "When the source's frames differ in size from the spec's input: stretch (resize to the spec's "
          + "input, the default), letterbox (fit them in unstretched, with black bars), or source (run at the source's "
          + "own size; later shapes follow from the spec).")
  InputSizing.Mode inputSize;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of the synthetic source (flow i uses seed+i).")
  long seed;

  @Option(names = "--delivery", description = {"realtime (bounded queues drop the oldest frame; frames past the deadline "
      + "are dropped) or reliable (nothing dropped, re-sent after a reconnect, delivered exactly once in order). "
      + "Default: the spec's delivery key; else realtime for camera and stream sources, reliable otherwise."})
  String delivery;

  @Option(names = "--deadline-ms", description = "Realtime: drop frames older than this many ms (default: the spec's deadline_ms).")
  Long deadlineMs;

  private InputSizing sizing;

  /** The spec with this run's overrides: input size, delivery, deadline. */
  public PipelineSpec spec() {
    PipelineSpec spec = specOption.load();
    if (width != null || height != null) {
      spec = spec.withInput(height != null ? height : spec.input().h(), width != null ? width : spec.input().w());
    }
    spec = sizing(spec).apply(spec);
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

  /** How the source's own size relates to the spec's input (probed once: it opens the source). */
  public InputSizing sizing(PipelineSpec spec) {
    if (sizing == null) {
      sizing = InputSizing.probe(source, spec, inputSize);
    }
    return sizing;
  }

  public InputSizing sizing() {
    return sizing(specOption.load());
  }

  static boolean isLiveSource(String source) {
    return source.startsWith("camera:") || source.startsWith("/dev/video") || source.startsWith("rtsp://")
        || source.startsWith("http://") || source.startsWith("https://");
  }

  public String source() {
    return source;
  }

  public Path specFile() {
    return specOption.file();
  }

  /** Runs {@code resolved} instead of the --spec file (a model's split: auto, resolved). */
  public void useSpec(Path resolved) {
    specOption.use(resolved);
  }

  /**
   * A model spec with {@code split: auto}: the planner's cut ({@link io.edgepipe.experiments.models.AutoSplit},
   * planned for {@code on}, null = this machine), printed, and the resolved spec used from now on.
   * Null for any other spec.
   */
  public io.edgepipe.experiments.models.AutoSplit.Resolved resolveAutoSplit(Path outRoot,
      io.edgepipe.experiments.models.AutoSplit.Conditions on) {
    if (!isModel() || !io.edgepipe.models.spec.ModelSpec.load(specFile()).autoSplit()) {
      return null;
    }
    var auto = io.edgepipe.experiments.models.AutoSplit.resolve(specFile(), outRoot, device(), on);
    System.out.println(auto.choice());
    useSpec(auto.file());
    return auto;
  }

  /** Whether --spec names a model spec (pipeline model import) rather than a layer chain. */
  public boolean isModel() {
    return specOption.isModel();
  }

  /** The device for reports: {@code auto} resolved, a remote address without its token. */
  public String deviceResolved() {
    return deviceOption.resolved();
  }

  public String device() {
    return deviceOption.value();
  }

  /** True for {@code --frames 0} or {@code --frames all}. */
  public boolean untilSourceEnds() {
    return FrameCount.untilSourceEnds(frames);
  }

  /** Refuses {@code --frames all} where a command needs a count (benchmarks divide by it). */
  public RunFlags requireFrameCount(String command) {
    if (untilSourceEnds()) {
      throw new IllegalArgumentException(command + " needs a frame count: --frames N with N > 0");
    }
    return this;
  }

  public RunOptions options(Path saveOutputs, String outputFormat) {
    if (flows <= 0) {
      throw new IllegalArgumentException("--flows must be positive, got " + flows);
    }
    if (untilSourceEnds() && (source.equals("synthetic") || isLiveSource(source))) {
      throw new IllegalArgumentException("--frames all runs until the source ends, and " + source
          + " does not end: give --frames N, or a video file, image folder or synthetic:N source");
    }
    PipelineSpec spec = spec();
    return new RunOptions(spec, specOption.file(), source, frames, pacing.fps(), flows, deviceOption.checked(), seed,
        saveOutputs, outputFormat, sizing(spec).letterbox());
  }
}
