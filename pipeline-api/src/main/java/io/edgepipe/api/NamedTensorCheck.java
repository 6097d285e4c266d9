package io.edgepipe.api;

import io.edgepipe.api.proto.DType;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.api.proto.NamedTensor;
import java.util.HashSet;
import java.util.Set;

/**
 * Checks the named tensors of a frame that carries a model partition's tensors
 * ({@code Frame.tensors}, issue 12), header first and in long arithmetic, like
 * {@link FrameValidator} does for the single-tensor payload.
 */
final class NamedTensorCheck {
  private NamedTensorCheck() {}

  /** Rank above which a tensor is refused (models here use at most 6). */
  static final int MAX_RANK = 8;

  static String problem(Frame frame, long maxFrameBytes) {
    long total = 0;
    Set<String> names = new HashSet<>();
    for (int i = 0; i < frame.getTensorsCount(); i++) {
      NamedTensor t = frame.getTensors(i);
      String where = "tensors[" + i + "]";
      if (t.getName().isEmpty() || t.getName().length() > 1024) {
        return where + ": name must be 1 to 1024 characters";
      }
      if (!names.add(t.getName())) {
        return where + ": name '" + t.getName() + "' is used twice";
      }
      DType type = t.getDtype();
      if (type == DType.UNRECOGNIZED || type == DType.DTYPE_UNSPECIFIED) {
        return where + " (" + t.getName() + "): dtype is not a known element type (U8, F16, F32)";
      }
      if (t.getDimsCount() == 0 || t.getDimsCount() > MAX_RANK) {
        return where + " (" + t.getName() + "): rank " + t.getDimsCount() + " is outside 1.." + MAX_RANK;
      }
      long elements = 1;
      for (int d : t.getDimsList()) {
        if (d <= 0) {
          return where + " (" + t.getName() + "): dims " + t.getDimsList() + " have a dimension <= 0";
        }
        elements *= d;
        if (elements > maxFrameBytes) {
          return where + " (" + t.getName() + "): dims " + t.getDimsList() + " exceed the limit of " + maxFrameBytes + " bytes";
        }
      }
      long bytes = elements * ElementType.sizeOf(type);
      if (t.getData().size() != bytes) {
        return where + " (" + t.getName() + "): data is " + t.getData().size() + " bytes but dims "
            + t.getDimsList() + " " + type.name() + " need " + bytes;
      }
      total += bytes;
    }
    return total > maxFrameBytes ? "tensors hold " + total + " bytes, more than the limit of " + maxFrameBytes : null;
  }
}
