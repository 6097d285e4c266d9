package io.edgepipe.vgpu;

/**
 * A device's peak memory bandwidth as its driver reports it, or why it is not known: a kernel's
 * achieved bytes per second are judged against it (a memory-bound kernel should come near 1).
 * {@code bytesPerSecond} is NaN exactly when {@code note} says why it is unknown (else the note is empty).
 */
public record MemoryBandwidth(double bytesPerSecond, String note) {
  public MemoryBandwidth {
    if (Double.isNaN(bytesPerSecond) == (note == null || note.isBlank())) {
      throw new IllegalArgumentException("a bandwidth is either known (> 0) or unknown with a reason");
    }
    if (bytesPerSecond <= 0) {
      throw new IllegalArgumentException("peak bandwidth must be > 0, got " + bytesPerSecond);
    }
  }

  /** Unknown, because {@code why}. */
  public static MemoryBandwidth unknown(String why) {
    return new MemoryBandwidth(Double.NaN, why);
  }

  /**
   * From the driver's attributes, as CUDA documents the peak: the memory clock (kHz) times the
   * bus width (bits), times 2 for double data rate, over 8 bits a byte.
   */
  public static MemoryBandwidth ofMemoryClock(int memoryClockKHz, int busWidthBits) {
    if (memoryClockKHz <= 0 || busWidthBits <= 0) {
      return unknown("the driver reports memory clock " + memoryClockKHz + " kHz, bus width " + busWidthBits
          + " bits");
    }
    return new MemoryBandwidth(memoryClockKHz * 1000.0 * busWidthBits * 2 / 8, "");
  }

  public boolean known() {
    return !Double.isNaN(bytesPerSecond);
  }

  /** In GB/s (10^9 bytes), NaN when unknown. */
  public double gigabytesPerSecond() {
    return bytesPerSecond / 1e9;
  }
}
