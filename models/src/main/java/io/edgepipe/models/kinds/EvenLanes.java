package io.edgepipe.models.kinds;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Stride-2 reads for the Vector API twins: the even (or odd) elements of a run of 2L floats as
 * one vector of L, from two plain loads, two lane permutations and a blend (a gather, or a scalar
 * loop, costs about one element per cycle). Used by the 2x2 stride-2 MaxPool and by Conv's
 * phase planes of a stride-2 convolution. Only moves values: no arithmetic, so no bits change.
 * Load only behind {@link VectorSupport#ENABLED}.
 */
public final class EvenLanes {
  public static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  public static final int L = SPECIES.length();
  /** Lane i takes lane 2i (mod L): the evens of the first vector in the low half, of the second in the high half. */
  private static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(SPECIES, i -> 2 * i % L);
  private static final VectorShuffle<Float> ODD = VectorShuffle.fromOp(SPECIES, i -> (2 * i + 1) % L);
  private static final VectorMask<Float> HIGH = VectorMask.fromLong(SPECIES, ((1L << L) - 1) & ~((1L << (L / 2)) - 1));

  private EvenLanes() {}

  /** {@code a[at], a[at+2], ..., a[at+2L-2]}: reads a[at .. at+2L). */
  public static FloatVector evens(float[] a, int at) {
    FloatVector lo = FloatVector.fromArray(SPECIES, a, at);
    FloatVector hi = FloatVector.fromArray(SPECIES, a, at + L);
    return lo.rearrange(EVEN).blend(hi.rearrange(EVEN), HIGH);
  }

  /** {@code a[at+1], a[at+3], ..., a[at+2L-1]}: reads a[at .. at+2L). */
  public static FloatVector odds(float[] a, int at) {
    FloatVector lo = FloatVector.fromArray(SPECIES, a, at);
    FloatVector hi = FloatVector.fromArray(SPECIES, a, at + L);
    return lo.rearrange(ODD).blend(hi.rearrange(ODD), HIGH);
  }
}
