package io.edgepipe.models.kinds;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.edgepipe.models.kinds.clip.ClipKind;
import io.edgepipe.models.kinds.reshape.ReshapeKind;
import org.junit.jupiter.api.Test;

/** The one size rule of the (in, out, n, ...) kernels: a copy and the element-wise unary ones. */
class SameSizeInOutTest {
  @Test
  void inAndOutHoldNElementsAndANegativeNIsRefused() {
    assertArrayEquals(new long[] {7, 7, 0}, new ReshapeKind.CopyKernel().elementsNeeded(new int[] {0, 0, 7}));
    assertArrayEquals(new long[] {7, 7, 0, 0, 0}, new ClipKind.ClipKernel().elementsNeeded(new int[] {0, 0, 7, 1, 2}));
    assertArrayEquals(new long[] {0, 0, 0}, new ReshapeKind.CopyKernel().elementsNeeded(new int[] {0, 0, 0}));
    assertThrows(IllegalArgumentException.class, () -> new ClipKind.ClipKernel().elementsNeeded(new int[] {0, 0, -1, 0, 0}));
  }
}
