package io.edgepipe.launcher;

import io.edgepipe.api.PipelineSpec;
import java.nio.file.Path;

/**
 * One run of the chain.
 *
 * @param specFile    where the spec came from (stage processes read it again), or null
 * @param source      frame source: synthetic, video:PATH, rtsp://..., camera:/dev/videoN, images:DIR
 * @param frames      frames per flow
 * @param fps         pacing per flow (0 = as fast as possible)
 * @param flows       concurrent flows, each with its own source and flow id
 * @param device      device of every compute stage (auto, cpu, cuda, vgpu://host:port)
 * @param saveOutputs directory for the sink's outputs, or null
 * @param outputFormat npy or png
 * @param letterbox   fit each source frame into the spec's input unstretched (black bars), instead of resizing it
 */
public record RunOptions(
    PipelineSpec spec,
    Path specFile,
    String source,
    long frames,
    double fps,
    int flows,
    String device,
    long seed,
    Path saveOutputs,
    String outputFormat,
    boolean letterbox) {

  /** A run whose source frames are resized to the spec's input. */
  public RunOptions(PipelineSpec spec, Path specFile, String source, long frames, double fps, int flows, String device,
      long seed, Path saveOutputs, String outputFormat) {
    this(spec, specFile, source, frames, fps, flows, device, seed, saveOutputs, outputFormat, false);
  }
}
