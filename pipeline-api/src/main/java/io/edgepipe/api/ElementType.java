package io.edgepipe.api;

import io.edgepipe.api.proto.DType;
import java.util.Locale;

/** Sizes and names of the wire element types, kept in one place. */
public final class ElementType {
  private ElementType() {}

  /** Bytes per element, or -1 for a type that cannot be carried. */
  public static int sizeOf(DType type) {
    switch (type) {
      case U8: return 1;
      case F16: return 2;
      case F32: return 4;
      default: return -1;
    }
  }

  /** Parses "u8", "f16", "f32" (any case). */
  public static DType parse(String name) {
    switch (name.toLowerCase(Locale.ROOT)) {
      case "u8": return DType.U8;
      case "f16": return DType.F16;
      case "f32": return DType.F32;
      default: throw new IllegalArgumentException("unknown element type '" + name + "' (use u8, f16 or f32)");
    }
  }

  public static String name(DType type) {
    return type.name().toLowerCase(Locale.ROOT);
  }
}
