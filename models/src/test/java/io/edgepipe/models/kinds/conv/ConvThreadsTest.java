package io.edgepipe.models.kinds.conv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;

/**
 * The Conv twin gives the same bits whatever the number of threads that share its bands (what
 * makes every split of a model agree bit for bit, whichever pool a service runs its layers in).
 */
class ConvThreadsTest {
  private static final Random RANDOM = new Random(5);

  private static float[] random(int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = RANDOM.nextFloat() * 4 - 2;
    }
    return v;
  }

  private static float[] runIn(ForkJoinPool pool, ConvGeometry s, float[] in, float[] wt, float[] bias) throws Exception {
    float[] out = new float[s.n() * s.cout() * s.pixels()];
    pool.submit(() -> ConvKernel.forward(s, in, wt, bias, out)).get();
    return out;
  }

  private static void sameBits(ConvGeometry s) throws Exception {
    float[] in = random(s.n() * s.cin() * s.h() * s.w());
    float[] wt = random(s.cout() * s.taps());
    float[] bias = random(s.cout());
    ForkJoinPool one = new ForkJoinPool(1);
    ForkJoinPool three = new ForkJoinPool(3);
    try {
      float[] a = runIn(one, s, in, wt, bias);
      float[] b = runIn(three, s, in, wt, bias);
      assertTrue(s.multiplyAdds() >= 1 << 16, "big enough to run on several threads");
      assertArrayEquals(a, b, "one thread vs three: " + s);
    } finally {
      one.shutdown();
      three.shutdown();
    }
  }

  @Test
  void oneThreadAndThreeThreadsAgreeBitForBit() throws Exception {
    // n, cin, h, w, cout, kh, kw, sh, sw, pt, pl, dh, dw, group, oh, ow
    sameBits(new ConvGeometry(2, 6, 45, 39, 10, 3, 3, 2, 1, 1, 0, 1, 2, 2, 23, 35));
    sameBits(new ConvGeometry(1, 40, 6, 7, 72, 1, 1, 1, 1, 0, 0, 1, 1, 1, 6, 7));
    sameBits(new ConvGeometry(1, 17, 50, 30, 17, 3, 3, 1, 1, 1, 1, 1, 1, 17, 50, 30));
  }
}
