package io.edgepipe.vgpu;

/** Grid or block dimensions of a launch. */
public record Dim3(int x, int y, int z) {
  public static final Dim3 ONE = new Dim3(1, 1, 1);

  public static Dim3 of(int x) {
    return new Dim3(x, 1, 1);
  }
}
