package io.edgepipe.models.kinds;

import java.util.List;
import java.util.Map;

/**
 * What a {@link LayerKind} sees of one node when it creates its layer: the node's name, its
 * attributes, the shapes of its inputs and the values of those inputs that are constants.
 */
public record NodeView(
    String name,
    String op,
    int opset,                      // the model's default-domain opset
    List<String> inputs,
    List<int[]> inputShapes,
    List<float[]> constantInputs,   // null where the input is computed at run time
    Map<String, Object> attributes) { // Long, Float, String, long[], float[]

  public String where() {
    return op + " node '" + name + "'";
  }

  public int inputCount() {
    return inputs.size();
  }

  public boolean hasInput(int i) {
    return i < inputs.size() && !inputs.get(i).isEmpty();
  }

  public int[] shape(int i) {
    return inputShapes.get(i);
  }

  /** The constant value of input i; refused when it is computed at run time. */
  public float[] constant(int i, String what) {
    float[] v = hasInput(i) ? constantInputs.get(i) : null;
    if (v == null) {
      throw new UnsupportedNodeException(where() + ": " + what + " must be a constant");
    }
    return v;
  }

  public long intAttr(String key, long fallback) {
    Object v = attributes.get(key);
    return v == null ? fallback : ((Number) v).longValue();
  }

  public float floatAttr(String key, float fallback) {
    Object v = attributes.get(key);
    return v == null ? fallback : ((Number) v).floatValue();
  }

  public String stringAttr(String key, String fallback) {
    Object v = attributes.get(key);
    return v == null ? fallback : v.toString();
  }

  /** An int-list attribute as int[], or {@code fallback}. */
  public int[] intsAttr(String key, int[] fallback) {
    Object v = attributes.get(key);
    if (v == null) {
      return fallback;
    }
    long[] l = (long[]) v;
    int[] r = new int[l.length];
    for (int i = 0; i < l.length; i++) {
      r[i] = Math.toIntExact(l[i]);
    }
    return r;
  }

  /** Refuses an attribute this kind does not implement unless it has its default value. */
  public void refuseUnless(String key, Object defaultValue) {
    Object v = attributes.get(key);
    if (v != null && !v.equals(defaultValue)) {
      throw new UnsupportedNodeException(where() + ": attribute " + key + "=" + v + " is not supported");
    }
  }
}
