package io.edgepipe.experiments.bench;

import static org.bytedeco.opencv.global.opencv_core.CV_32F;
import static org.bytedeco.opencv.global.opencv_core.CV_32FC1;
import static org.bytedeco.opencv.global.opencv_core.BORDER_CONSTANT;

import io.edgepipe.harness.report.Spread;
import io.edgepipe.kernels.Conv2d;
import io.edgepipe.kernels.MaxPool;
import io.edgepipe.kernels.Relu;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;

/**
 * Times our CPU kernels against OpenCV's nearest equivalents, in one JVM, on the same seeded
 * single-channel float32 frame (1280x720 by default), and checks that both give the same answer
 * (the maximum absolute difference is reported, so a fast but wrong comparison is visible).
 *
 * <table>
 *   <caption>What is compared</caption>
 *   <tr><th>row</th><th>ours</th><th>OpenCV</th></tr>
 *   <tr><td>conv2d</td><td>{@code Conv2d.forward}, 1->1 channel, 3x3, stride 1, pad 1, bias</td>
 *       <td>{@code filter2D(CV_32F, 3x3 kernel, anchor centre, delta = bias, BORDER_CONSTANT)}:
 *       also a cross-correlation with zero padding</td></tr>
 *   <tr><td>relu</td><td>{@code Relu.forward}</td>
 *       <td>{@code threshold(src, dst, 0, 0, THRESH_TOZERO)}: {@code src > 0 ? src : 0}</td></tr>
 *   <tr><td>maxpool</td><td>{@code MaxPool.forward}, window 2, stride 2</td>
 *       <td>OpenCV has no pooling call, so it is built from two element-wise maxima on zero-copy
 *       views: the H x W matrix reshaped to H x W/2 with 2 channels holds horizontal pairs,
 *       {@code extractChannel} 0 and 1 and {@code max} give H x W/2; that result reshaped to
 *       H/2 rows of 2*(W/2) columns puts rows 2r and 2r+1 side by side, and {@code max} of its
 *       left and right column halves gives the H/2 x W/2 pooled map. Exact, so the diff is 0.
 *       (H and W must be even.)</td></tr>
 * </table>
 *
 * <p>Method: inputs are copied into the Mats once, outside the timed region, so neither side pays
 * for Java/native copies; output buffers are allocated once and reused. Each kernel is warmed up
 * (JIT for ours, lazy init and thread pool for OpenCV) and then timed {@code iterations} times
 * (at least {@value #MIN_ITERATIONS}), the two sides alternating call by call; min, median and max
 * are reported and the ratio is of the medians. Each kernel is compared at both sides' default
 * parallelism and at one thread each (see {@link #runAll}).
 */
public final class KernelBench {
  /**
   * One compared kernel at one thread setting. Times are milliseconds per call over the timed
   * iterations; {@code ratio} is ours / OpenCV of the medians, so no single outlier decides it.
   */
  public record Row(String kernel, String threads, Spread ours, Spread opencv, double maxAbsDiff) {
    public double ratio() {
      return ours.median() / opencv.median();
    }

    /**
     * ours / OpenCV of the fastest calls: each side undisturbed. On a loaded machine a call is
     * descheduled with a chance that grows with its length, which pushes the slower side's
     * median up more than in proportion; this ratio is the comparison of the code alone.
     */
    public double minRatio() {
      return ours.min() / opencv.min();
    }
  }

  /** Untimed calls per side before timing, at least; and at least this long warming. */
  static final int WARMUP_CALLS = 20;
  static final long WARMUP_NANOS = 2_000_000_000L;

  /** Fewest timed iterations accepted: a median of fewer says little on a shared machine. */
  public static final int MIN_ITERATIONS = 20;

  public static final int DEFAULT_HEIGHT = 720;
  public static final int DEFAULT_WIDTH = 1280;

  private final int height;
  private final int width;
  private final long seed;

  public KernelBench() {
    this(DEFAULT_HEIGHT, DEFAULT_WIDTH, 42);
  }

  /** Smaller frames for tests; height and width must be even (2x2 pooling). */
  public KernelBench(int height, int width, long seed) {
    if (height < 2 || width < 2 || height % 2 != 0 || width % 2 != 0) {
      throw new IllegalArgumentException("frame " + height + "x" + width + " must be even and >= 2");
    }
    this.height = height;
    this.width = width;
    this.seed = seed;
  }

  /** The default 1280x720 comparison. */
  public static List<Row> run(int iterations) {
    return new KernelBench().runAll(iterations);
  }

  /**
   * Every kernel twice: with each side's default parallelism (ours on the common ForkJoinPool,
   * OpenCV on its own pool), then with one thread each (ours inside a one-thread ForkJoinPool,
   * whose parallel streams then run on that thread alone; OpenCV with {@code setNumThreads(1)}).
   * The one-thread rows compare the kernels' code; the default rows include how each side's
   * thread pool copes with a busy machine.
   */
  public List<Row> runAll(int iterations) {
    List<Row> rows = new ArrayList<>(runAt(iterations, "default"));
    int cvThreads = opencv_core.getNumThreads();
    ForkJoinPool one = new ForkJoinPool(1);
    try {
      opencv_core.setNumThreads(1);
      rows.addAll(one.submit(() -> runAt(iterations, "1")).get());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
    } finally {
      opencv_core.setNumThreads(cvThreads);
      one.shutdown();
    }
    return rows;
  }

  private List<Row> runAt(int iterations, String threads) {
    if (iterations < MIN_ITERATIONS) {
      throw new IllegalArgumentException("iterations must be >= " + MIN_ITERATIONS + ", got " + iterations);
    }
    int warmup = Math.max(WARMUP_CALLS, iterations / 5);
    Random random = new Random(seed);
    float[] in = new float[height * width];
    for (int i = 0; i < in.length; i++) {
      in[i] = random.nextFloat() * 2 - 1; // half negative, so ReLU and the max do real work
    }
    float[] weights = new float[9];
    for (int i = 0; i < 9; i++) {
      weights[i] = random.nextFloat() - 0.5f;
    }
    float[] bias = {0.25f};

    List<Row> rows = new ArrayList<>();
    try (Mat src = toMat(in, height, width)) {
      rows.add(conv(in, src, weights, bias, warmup, iterations, threads));
      rows.add(relu(in, src, warmup, iterations, threads));
      rows.add(maxPool(in, src, warmup, iterations, threads));
    }
    return rows;
  }

  private Row conv(float[] in, Mat src, float[] weights, float[] bias, int warmup, int iterations, String threads) {
    float[] ours = new float[height * width];
    Runnable oursRun = () -> Conv2d.forward(in, weights, bias, ours, 1, height, width, 1, 3, 1, 1, height, width);
    try (Mat kernel = toMat(weights, 3, 3); Mat dst = new Mat(height, width, CV_32FC1);
         Point anchor = new Point(-1, -1)) {
      Runnable cvRun = () -> opencv_imgproc.filter2D(src, dst, CV_32F, kernel, anchor, bias[0], BORDER_CONSTANT);
      return row("conv2d 3x3 pad1 vs filter2D", threads, oursRun, cvRun, warmup, iterations, ours, dst);
    }
  }

  private Row relu(float[] in, Mat src, int warmup, int iterations, String threads) {
    float[] ours = new float[in.length];
    Runnable oursRun = () -> Relu.forward(in, ours, in.length);
    try (Mat dst = new Mat(height, width, CV_32FC1)) {
      Runnable cvRun = () -> opencv_imgproc.threshold(src, dst, 0, 0, opencv_imgproc.THRESH_TOZERO);
      return row("relu vs threshold(TOZERO)", threads, oursRun, cvRun, warmup, iterations, ours, dst);
    }
  }

  private Row maxPool(float[] in, Mat src, int warmup, int iterations, String threads) {
    int oh = height / 2;
    int ow = width / 2;
    float[] ours = new float[oh * ow];
    Runnable oursRun = () -> MaxPool.forward(in, ours, 1, height, width, 2, 2, oh, ow);
    try (Mat pairs = src.reshape(2, height);             // H x W/2, channels = (x even, x odd)
         Mat left = new Mat(height, ow, CV_32FC1);
         Mat right = new Mat(height, ow, CV_32FC1);
         Mat horizontal = new Mat(height, ow, CV_32FC1);
         Mat rowPairs = horizontal.reshape(1, oh);        // H/2 x W: row 2r then row 2r+1
         Mat top = rowPairs.colRange(0, ow);
         Mat bottom = rowPairs.colRange(ow, 2 * ow);
         Mat dst = new Mat(oh, ow, CV_32FC1)) {
      Runnable cvRun = () -> {
        opencv_core.extractChannel(pairs, left, 0);
        opencv_core.extractChannel(pairs, right, 1);
        opencv_core.max(left, right, horizontal);
        opencv_core.max(top, bottom, dst);
      };
      return row("maxpool 2x2 s2 vs reshape+max", threads, oursRun, cvRun, warmup, iterations, ours, dst);
    }
  }

  private static Row row(String name, String threads, Runnable ours, Runnable opencv, int warmup, int iterations,
      float[] oursOut, Mat opencvOut) {
    double[][] t = timeInterleaved(ours, opencv, warmup, iterations);
    double diff = maxAbsDiff(oursOut, fromMat(opencvOut));
    return new Row(name, threads, Spread.of(t[0]), Spread.of(t[1]), diff);
  }

  /**
   * Milliseconds per call of {@code a} and of {@code b}, {@code iterations} samples each after
   * at least {@code warmup} untimed calls of each and {@link #WARMUP_NANOS} of warming (the JIT
   * compiles on background threads, which a busy machine starves: a count alone left conv in the
   * interpreter for its first timed calls). The two alternate call by call, so a burst of load
   * from elsewhere on the machine falls on both sides alike instead of on whichever ran then.
   */
  static double[][] timeInterleaved(Runnable a, Runnable b, int warmup, int iterations) {
    long start = System.nanoTime();
    for (int i = 0; i < warmup || System.nanoTime() - start < WARMUP_NANOS; i++) {
      a.run();
      b.run();
    }
    double[][] ms = new double[2][iterations];
    for (int i = 0; i < iterations; i++) {
      ms[0][i] = timeOnce(a);
      ms[1][i] = timeOnce(b);
    }
    return ms;
  }

  private static double timeOnce(Runnable r) {
    long t0 = System.nanoTime();
    r.run();
    return (System.nanoTime() - t0) / 1e6;
  }

  static double maxAbsDiff(float[] a, float[] b) {
    if (a.length != b.length) {
      return Double.POSITIVE_INFINITY;
    }
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      double d = Math.abs((double) a[i] - b[i]);
      if (!(d <= max)) { // NaN counts as a mismatch
        max = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
      }
    }
    return max;
  }

  private static Mat toMat(float[] data, int rows, int cols) {
    Mat m = new Mat(rows, cols, CV_32FC1);
    try (FloatPointer p = new FloatPointer(m.data())) {
      p.put(data, 0, rows * cols);
    }
    return m;
  }

  /** Copies a Mat out; clone() makes a dense copy, so a non-continuous view works too. */
  private static float[] fromMat(Mat m) {
    try (Mat dense = m.clone()) {
      float[] out = new float[dense.rows() * dense.cols()];
      FloatBuffer b = dense.createBuffer();
      b.get(out);
      return out;
    }
  }

  /** OpenCV's thread count for the "opencv" columns. */
  public static int opencvThreads() {
    return opencv_core.getNumThreads();
  }

  /** One line of context for a report: frame size, threads, versions. */
  public String describe() {
    return String.format(Locale.ROOT,
        "%dx%d float32, 1 channel; ours: common ForkJoinPool parallelism %d (+ calling thread);"
            + " OpenCV %s: %d threads; %d CPUs, load average %.1f",
        width, height, java.util.concurrent.ForkJoinPool.getCommonPoolParallelism(),
        opencv_core.getVersionString().getString().replace("\0", "").strip(), opencvThreads(),
        Runtime.getRuntime().availableProcessors(),
        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
  }

}
