package io.edgepipe.harness;

import io.edgepipe.api.PipelineSpec;
import io.edgepipe.producer.source.FrameSource;
import io.edgepipe.producer.source.FrameSources;
import io.edgepipe.producer.source.RawImage;
import java.util.Optional;

/**
 * How a source's own frame size meets the spec's input: a 768x576 video under a 1280x720 spec is
 * stretched to the spec (said so in the run's header, never silently), fitted into it unstretched
 * with black bars (letterbox), or run at its own size, the spec's later shapes following from it.
 *
 * @param sourceWidth  the source's own width, 0 when it has none (synthetic frames are made at any size)
 */
public record InputSizing(Mode mode, int sourceWidth, int sourceHeight) {
  /** {@code --input-size}. */
  public enum Mode { STRETCH, SOURCE, LETTERBOX }

  /** True when frames are fitted into the spec's input with bars (a source of its own size only). */
  public boolean letterbox() {
    return mode == Mode.LETTERBOX && sourceWidth > 0;
  }

  /** Opens the source once at its own size and reads one frame (synthetic sources have no size of their own). */
  public static InputSizing probe(String source, PipelineSpec spec, Mode mode) {
    if (source.startsWith("synthetic")) {
      return new InputSizing(mode, 0, 0);
    }
    try (FrameSource s = FrameSources.open(source, 0, 0, spec.input().c(), 1)) {
      Optional<RawImage> first = s.next();
      if (first.isEmpty()) {
        throw new IllegalArgumentException("source " + source + " has no frames");
      }
      return new InputSizing(mode, first.get().width(), first.get().height());
    }
  }

  /** The spec the run uses: the same one, or (--input-size source) the source's own size. */
  public PipelineSpec apply(PipelineSpec spec) {
    return mode == Mode.SOURCE && sourceWidth > 0 ? spec.withInput(sourceHeight, sourceWidth) : spec;
  }

  /** For the run's header and CSV: "768x576 -> 1280x720 (stretched)", "768x576 (source size)" or "1280x720". */
  public String describe(PipelineSpec used) {
    String target = used.input().w() + "x" + used.input().h();
    if (sourceWidth == 0) {
      return target;
    }
    String own = sourceWidth + "x" + sourceHeight;
    if (mode == Mode.SOURCE) {
      return own + " (source size)";
    }
    if (mode == Mode.LETTERBOX && !own.equals(target)) {
      int[] fit = io.edgepipe.producer.source.LetterboxSource.fitted(sourceHeight, sourceWidth, used.input().h(),
          used.input().w());
      return own + " -> " + target + " (letterboxed: " + fit[1] + "x" + fit[0] + " inside black bars)";
    }
    return own.equals(target) ? target : own + " -> " + target + " (stretched)";
  }
}
