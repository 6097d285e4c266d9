package io.edgepipe.models.post;

import java.util.Map;

/** PaddleOCR's direction classifier output ([1, 2] softmax) as a label and its probability. */
public final class TextDirection {
  private TextDirection() {}

  public record Result(String label, float probability) {
    @Override
    public String toString() {
      return String.format("%s %.4f", label, probability);
    }
  }

  static final String[] LABELS = {"0", "180"};

  public static Result of(Map<String, float[]> outputs) {
    if (outputs.size() != 1) {
      throw new IllegalArgumentException("the classifier has one output, got " + outputs.keySet());
    }
    float[] p = outputs.values().iterator().next();
    if (p.length != 2) {
      throw new IllegalArgumentException("the classifier's output has 2 classes (0, 180), got " + p.length + " values");
    }
    int best = p[1] > p[0] ? 1 : 0;
    return new Result(LABELS[best], p[best]);
  }
}
