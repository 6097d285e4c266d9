package io.edgepipe.cli.model;

import java.util.HashMap;
import java.util.Map;

/** Parses {@code --input-shape NAME=1,3,48,192} (or {@code 1,3,48,192} for the only input). */
final class InputShapes {
  private InputShapes() {}

  /** The key under which a shape given without a name is kept. */
  static final String ONLY = "";

  static Map<String, int[]> parse(String text) {
    Map<String, int[]> m = new HashMap<>();
    if (text == null) {
      return m;
    }
    int eq = text.lastIndexOf('=');
    String name = eq < 0 ? ONLY : text.substring(0, eq);
    String[] parts = text.substring(eq + 1).split(",");
    int[] shape = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      try {
        shape[i] = Integer.parseInt(parts[i].trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--input-shape: '" + text + "' is not [NAME=]D0,D1,... with positive integers");
      }
      if (shape[i] < 1) {
        throw new IllegalArgumentException("--input-shape: dimensions must be >= 1, got " + text);
      }
    }
    m.put(name, shape);
    return m;
  }

  /** Resolves a nameless shape against the model's single symbolic input, found by a first import. */
  static Map<String, int[]> forModel(Map<String, int[]> given, java.nio.file.Path model) {
    if (!given.containsKey(ONLY)) {
      return given;
    }
    String input = io.edgepipe.models.onnx.OnnxInputs.firstInput(model);
    return Map.of(input, given.get(ONLY));
  }
}
