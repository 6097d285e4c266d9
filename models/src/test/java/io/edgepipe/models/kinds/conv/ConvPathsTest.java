package io.edgepipe.models.kinds.conv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.edgepipe.models.kinds.Epilogue;
import io.edgepipe.models.kinds.VectorSupport;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;

/**
 * The Conv twin gives the same bits whatever the number of threads that share its bands, and its
 * Vector API path gives the same bits as its portable path (what makes every split of a model
 * agree bit for bit, whichever pool or JVM runs a service). Both are checked against the naive
 * reference in KindsReferenceTest.
 */
class ConvPathsTest {
  private static final Random RANDOM = new Random(5);

  /** Odd shapes: strides, dilations, asymmetric pads, groups, depthwise, images over one band. */
  private static final List<ConvGeometry> SHAPES = List.of(
      // n, cin, h, w, cout, kh, kw, sh, sw, pt, pl, dh, dw, group, oh, ow
      new ConvGeometry(2, 6, 45, 39, 10, 3, 3, 2, 1, 1, 0, 1, 2, 2, 23, 35),
      new ConvGeometry(1, 40, 13, 11, 72, 1, 1, 1, 1, 0, 0, 1, 1, 1, 13, 11),
      new ConvGeometry(1, 17, 70, 50, 17, 3, 3, 1, 1, 1, 1, 1, 1, 17, 70, 50),
      new ConvGeometry(1, 3, 67, 61, 7, 5, 5, 2, 2, 1, 2, 1, 1, 1, 33, 31),
      new ConvGeometry(1, 9, 52, 33, 24, 3, 2, 1, 2, 0, 2, 2, 1, 3, 49, 19),
      new ConvGeometry(2, 14, 93, 41, 14, 5, 5, 2, 3, 2, 1, 2, 2, 14, 44, 13),
      // pointwise over 291 pixels: 4x4-vector tiles, single-vector tiles, pixels one by one; 90 = 22 x 4 + 2 outputs
      new ConvGeometry(1, 16, 3, 97, 90, 1, 1, 1, 1, 0, 0, 1, 1, 1, 3, 97),
      // depthwise stride 2 (phase planes filled from even and odd lanes), then 3x3 depthwise on small rows
      new ConvGeometry(1, 24, 130, 70, 24, 3, 3, 2, 2, 0, 1, 1, 1, 24, 64, 35),
      new ConvGeometry(2, 300, 8, 8, 300, 3, 3, 1, 1, 1, 1, 1, 1, 300, 8, 8),
      // stride 1, rows as wide as the input's: tap planes filled as one shifted run per plane, the
      // first reaching before the input (clamped), groups of 4 channels; then asymmetric pads and
      // a row dilation on a 3x5 kernel
      new ConvGeometry(1, 8, 21, 37, 12, 3, 3, 1, 1, 1, 1, 1, 1, 2, 21, 37),
      new ConvGeometry(1, 5, 30, 29, 6, 3, 5, 1, 1, 2, 3, 2, 1, 1, 30, 29));

  private static float[] random(int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = RANDOM.nextFloat() * 4 - 2;
    }
    return v;
  }

  private interface Path {
    void forward(ConvGeometry s, float[] in, float[] wt, float[] bias, float[] out, ConvPost post);
  }

  private static float[] runIn(ForkJoinPool pool, Path path, ConvGeometry s, float[][] args) throws Exception {
    return runIn(pool, path, s, args, null);
  }

  private static float[] runIn(ForkJoinPool pool, Path path, ConvGeometry s, float[][] args, ConvPost post)
      throws Exception {
    float[] out = new float[s.n() * s.cout() * s.pixels()];
    pool.submit(() -> path.forward(s, args[0], args[1], args[2], out, post)).get();
    return out;
  }

  /**
   * A hard-swish ({@code x * clip(x + 3, 0, 6) / 6}, x the Conv's result), a residual added, then
   * a Relu: every operand source of the epilogue.
   */
  private static ConvPost hardSwishResidualRelu(ConvGeometry s) {
    Epilogue e = new Epilogue(List.of(Epilogue.Op.binary(Epilogue.ADD, Epilogue.SCALAR, false, 3f),
        Epilogue.Op.unary(Epilogue.CLIP, 0f, 6f), Epilogue.Op.binary(Epilogue.MUL, Epilogue.HEAD, true, 0),
        Epilogue.Op.binary(Epilogue.DIV, Epilogue.SCALAR, false, 6f),
        Epilogue.Op.binary(Epilogue.ADD, Epilogue.EXTRA, true, 0), Epilogue.Op.unary(Epilogue.RELU, 0, 0)));
    return new ConvPost(e.program(), e.ops().size(), random(s.n() * s.cout() * s.pixels()));
  }

  /** The ops the first chain leaves out: HardSigmoid, Clip, a head on the left, scalars on the right of Div and Mul. */
  private static ConvPost hardSigmoidClipDiv(ConvGeometry s) {
    Epilogue e = new Epilogue(List.of(Epilogue.Op.unary(Epilogue.HARDSIGMOID, 0.2f, 0.5f),
        Epilogue.Op.binary(Epilogue.MUL, Epilogue.HEAD, false, 0), Epilogue.Op.unary(Epilogue.CLIP, -1f, 0.5f),
        Epilogue.Op.binary(Epilogue.DIV, Epilogue.SCALAR, true, 2f),
        Epilogue.Op.binary(Epilogue.ADD, Epilogue.EXTRA, false, 0),
        Epilogue.Op.binary(Epilogue.MUL, Epilogue.SCALAR, true, -3f)));
    return new ConvPost(e.program(), e.ops().size(), random(s.n() * s.cout() * s.pixels()));
  }

  /**
   * Every op with every operand order and no head, so that the Vector API path runs its loop per
   * op (a program that reads the head runs in one pass).
   */
  private static ConvPost everyOpWithoutTheHead(ConvGeometry s) {
    Epilogue e = new Epilogue(List.of(Epilogue.Op.binary(Epilogue.ADD, Epilogue.SCALAR, true, 0.5f),
        Epilogue.Op.unary(Epilogue.HARDSIGMOID, 0.3f, 0.4f), Epilogue.Op.binary(Epilogue.MUL, Epilogue.EXTRA, false, 0),
        Epilogue.Op.unary(Epilogue.CLIP, -0.7f, 0.9f), Epilogue.Op.binary(Epilogue.DIV, Epilogue.EXTRA, true, 0),
        Epilogue.Op.binary(Epilogue.ADD, Epilogue.EXTRA, false, 0),
        Epilogue.Op.binary(Epilogue.MUL, Epilogue.SCALAR, false, 1.5f),
        Epilogue.Op.binary(Epilogue.DIV, Epilogue.SCALAR, false, 3f),
        Epilogue.Op.binary(Epilogue.MUL, Epilogue.EXTRA, true, 0),
        Epilogue.Op.binary(Epilogue.DIV, Epilogue.EXTRA, false, 0),
        Epilogue.Op.binary(Epilogue.DIV, Epilogue.SCALAR, true, -2f),
        Epilogue.Op.binary(Epilogue.ADD, Epilogue.EXTRA, true, 0), Epilogue.Op.unary(Epilogue.RELU, 0, 0)));
    return new ConvPost(e.program(), e.ops().size(), random(s.n() * s.cout() * s.pixels()));
  }

  /** Both paths, on one and three threads: the fused launch gives the Conv's bits with the ops applied after. */
  @Test
  void epilogueGivesTheBitsOfTheConvolutionFollowedByItsOps() throws Exception {
    List<Path> paths = VectorSupport.ENABLED ? List.of(ConvKernel::forwardPortable, ConvVector::forward)
        : List.of(ConvKernel::forwardPortable);
    ForkJoinPool one = new ForkJoinPool(1);
    ForkJoinPool three = new ForkJoinPool(3);
    try {
      for (ConvGeometry s : SHAPES) {
        float[][] args = inputs(s);
        for (ConvPost post : List.of(hardSwishResidualRelu(s), hardSigmoidClipDiv(s), everyOpWithoutTheHead(s))) {
          for (Path path : paths) {
            float[] expected = runIn(one, path, s, args);
            post.apply(expected, 0, expected.length);
            assertArrayEquals(expected, runIn(one, path, s, args, post), "fused, one thread: " + s);
            assertArrayEquals(expected, runIn(three, path, s, args, post), "fused, three threads: " + s);
          }
        }
      }
    } finally {
      one.shutdown();
      three.shutdown();
    }
  }

  private static float[][] inputs(ConvGeometry s) {
    return new float[][] {random(s.n() * s.cin() * s.h() * s.w()), random(s.cout() * s.taps()), random(s.cout())};
  }

  private static void sameBitsOnOneAndThreeThreads(Path path) throws Exception {
    ForkJoinPool one = new ForkJoinPool(1);
    ForkJoinPool three = new ForkJoinPool(3);
    try {
      for (ConvGeometry s : SHAPES) {
        float[][] args = inputs(s);
        assertArrayEquals(runIn(one, path, s, args), runIn(three, path, s, args), "one thread vs three: " + s);
      }
    } finally {
      one.shutdown();
      three.shutdown();
    }
  }

  @Test
  void portablePathGivesTheSameBitsOnOneAndThreeThreads() throws Exception {
    assertTrue(SHAPES.stream().allMatch(s -> s.multiplyAdds() >= ConvKernel.PARALLEL_WORK), "every shape runs in bands");
    sameBitsOnOneAndThreeThreads(ConvKernel::forwardPortable);
  }

  @Test
  void vectorPathGivesTheSameBitsOnOneAndThreeThreads() throws Exception {
    assumeTrue(VectorSupport.ENABLED, "needs the JVM option --add-modules jdk.incubator.vector (the module's surefire passes it)");
    assertTrue(SHAPES.stream().allMatch(s -> s.multiplyAdds() >= ConvVector.PARALLEL_WORK), "every shape runs in bands");
    sameBitsOnOneAndThreeThreads(ConvVector::forward);
  }

  @Test
  void vectorPathGivesTheBitsOfThePortablePath() throws Exception {
    assumeTrue(VectorSupport.ENABLED, "needs the JVM option --add-modules jdk.incubator.vector (the module's surefire passes it)");
    ForkJoinPool pool = new ForkJoinPool(2);
    try {
      for (ConvGeometry s : SHAPES) {
        float[][] args = inputs(s);
        assertArrayEquals(runIn(pool, ConvKernel::forwardPortable, s, args), runIn(pool, ConvVector::forward, s, args),
            "portable vs Vector API: " + s);
      }
    } finally {
      pool.shutdown();
    }
  }
}
