package io.edgepipe.planner.profile;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** A frame's width and height in pixels, written "1280x720" (width first, as video sizes are). */
public record FrameSize(int width, int height) implements Comparable<FrameSize> {
  public FrameSize {
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException("frame size " + width + "x" + height + " has a side <= 0");
    }
  }

  public static FrameSize of(int width, int height) {
    return new FrameSize(width, height);
  }

  @JsonCreator
  public static FrameSize parse(String text) {
    String[] parts = text.trim().toLowerCase().split("x");
    if (parts.length != 2) {
      throw new IllegalArgumentException("frame size '" + text + "' is not WIDTHxHEIGHT, e.g. 1280x720");
    }
    try {
      return new FrameSize(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("frame size '" + text + "' is not WIDTHxHEIGHT, e.g. 1280x720");
    }
  }

  public long pixels() {
    return (long) width * height;
  }

  @Override
  public int compareTo(FrameSize other) {
    int byPixels = Long.compare(pixels(), other.pixels());
    return byPixels != 0 ? byPixels : Integer.compare(width, other.width);
  }

  @JsonValue
  @Override
  public String toString() {
    return width + "x" + height;
  }
}
