package io.edgepipe.launcher.options;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code --frames N}: a count, or {@code 0} / {@code all} for "until the source ends". */
public final class FrameCount implements ITypeConverter<Long> {
  /** The value of {@code --frames 0} and {@code --frames all}. */
  public static final long UNTIL_SOURCE_ENDS = Long.MAX_VALUE;

  @Override
  public Long convert(String value) {
    if (value.equalsIgnoreCase("all")) {
      return UNTIL_SOURCE_ENDS;
    }
    long n;
    try {
      n = Long.parseLong(value.strip());
    } catch (NumberFormatException e) {
      throw new TypeConversionException("'" + value + "' is not a frame count (a number, or 0 or all for the whole source)");
    }
    if (n < 0) {
      throw new TypeConversionException("'" + value + "' is negative (0 or all: until the source ends)");
    }
    return n == 0 ? UNTIL_SOURCE_ENDS : n;
  }

  public static boolean untilSourceEnds(long frames) {
    return frames == UNTIL_SOURCE_ENDS;
  }
}
