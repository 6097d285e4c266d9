package io.edgepipe.planner.profile;

import io.edgepipe.api.LayerSpec;
import io.edgepipe.api.PipelineSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a profile's times depend on besides the frame size, one readable line each: the input's
 * channels and element type, then every layer's kind, shape parameters and output type. Weights
 * are left out on purpose: their values do not change how long a layer takes.
 */
public final class LayerSignature {
  private LayerSignature() {}

  public static List<String> of(PipelineSpec spec) {
    List<String> lines = new ArrayList<>();
    lines.add("input: " + spec.input().c() + " channel(s) " + lower(spec.inputType().name()));
    for (LayerSpec layer : spec.layers()) {
      lines.add(describe(layer));
    }
    return lines;
  }

  static String describe(LayerSpec l) {
    String params = switch (l.kind()) {
      case LayerSpec.CONV2D -> String.format(Locale.ROOT, " %d out, %dx%d/%d pad %d", l.outChannels(), l.kernel(),
          l.kernel(), l.stride(), l.padding());
      case LayerSpec.MAXPOOL -> String.format(Locale.ROOT, " %dx%d/%d", l.window(), l.window(), l.stride());
      default -> "";
    };
    return l.name() + ": " + l.kind() + params + " -> " + lower(l.outputType().name());
  }

  private static String lower(String text) {
    return text.toLowerCase(Locale.ROOT);
  }
}
