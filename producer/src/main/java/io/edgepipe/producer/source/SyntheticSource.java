package io.edgepipe.producer.source;

import io.edgepipe.api.EpochClock;
import java.util.Optional;
import java.util.Random;

/**
 * Deterministic test frames: same seed, same size, same frame index give the same bytes on every
 * machine. (For several flows, give flow {@code i} the seed {@code seed + i}.)
 *
 * <p>Cheap per frame: {@value #BASES} smooth "scenes" (sums of two seeded sinusoid gratings per
 * channel, periodic in x) are generated once; frame {@code i} shows scene
 * {@code (i / FRAMES_PER_SCENE) % BASES} rolled right by {@code i * step} pixels with wrap-around,
 * so content moves every frame and the per-frame cost is one row-wise array copy. Smooth content
 * also survives video compression, which lets {@link TestVideo} round trips compare pixels.
 */
public final class SyntheticSource implements FrameSource {
  static final int BASES = 4;
  static final int FRAMES_PER_SCENE = 30;

  private final long seed;
  private final int height;
  private final int width;
  private final int channels;
  private final long frames;
  private final int step;
  private final byte[][] bases;
  private long index;

  /**
   * @param frames how many frames before end of stream; {@code Long.MAX_VALUE} for endless
   */
  public SyntheticSource(long seed, int height, int width, int channels, long frames) {
    if (height <= 0 || width <= 0) {
      throw new IllegalArgumentException("synthetic size " + height + "x" + width + " must be positive");
    }
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
    }
    if (frames < 0) {
      throw new IllegalArgumentException("frames must be >= 0, got " + frames);
    }
    this.seed = seed;
    this.height = height;
    this.width = width;
    this.channels = channels;
    this.frames = frames;
    this.step = Math.max(1, width / 64);
    Random random = new Random(seed);
    // scenes the stream will actually show (ceil(frames / FRAMES_PER_SCENE), written so that
    // Long.MAX_VALUE cannot overflow); frame(i) does not depend on it, scenes are drawn in order
    long scenes = frames == 0 ? 1 : (frames - 1) / FRAMES_PER_SCENE + 1;
    int count = (int) Math.min(BASES, scenes);
    this.bases = new byte[count][];
    for (int k = 0; k < count; k++) {
      bases[k] = scene(random);
    }
  }

  /** Frame {@code i} of this source without advancing it (used by tests and {@link TestVideo}). */
  public byte[] frame(long i) {
    byte[] base = bases[(int) ((i / FRAMES_PER_SCENE) % bases.length)];
    int shift = (int) ((i * step) % width);
    int row = width * channels;
    int cut = (width - shift) * channels;
    int moved = shift * channels;
    byte[] out = new byte[base.length];
    // roll right by shift: out[x] = base[x - shift mod width]
    for (int y = 0; y < height; y++) {
      int o = y * row;
      System.arraycopy(base, o + cut, out, o, moved);
      System.arraycopy(base, o, out, o + moved, cut);
    }
    return out;
  }

  @Override
  public Optional<RawImage> next() {
    if (index >= frames) {
      return Optional.empty();
    }
    byte[] pixels = frame(index++);
    return Optional.of(new RawImage(pixels, height, width, channels, EpochClock.nowMicros()));
  }

  @Override
  public String describe() {
    return "synthetic seed=" + seed + " -> " + height + "x" + width + "x" + channels
        + (frames == Long.MAX_VALUE ? " endless" : " " + frames + " frames");
  }

  @Override
  public void close() {}

  /**
   * One smooth scene: per channel {@code 128 + a1 sin(u1) + a2 sin(u2)} with
   * {@code u = 2 pi (fx x / W + fy y / H) + phase}, integer fx so it wraps seamlessly when rolled.
   * sin(a + b) is expanded into per-column and per-row tables so the cost is O(H*W) multiply-adds.
   */
  private byte[] scene(Random random) {
    float[] acc = new float[height * width * channels];
    for (int ch = 0; ch < channels; ch++) {
      for (int term = 0; term < 2; term++) {
        double amp = term == 0 ? 45 + random.nextInt(25) : 20 + random.nextInt(20);
        int fx = 1 + random.nextInt(3);
        double fy = 0.5 + random.nextInt(3);
        double phase = random.nextDouble() * 2 * Math.PI;
        float[] sx = new float[width];
        float[] cx = new float[width];
        for (int x = 0; x < width; x++) {
          double a = 2 * Math.PI * fx * x / width;
          sx[x] = (float) StrictMath.sin(a);
          cx[x] = (float) StrictMath.cos(a);
        }
        for (int y = 0; y < height; y++) {
          double b = 2 * Math.PI * fy * y / height + phase;
          float sb = (float) (amp * StrictMath.sin(b));
          float cb = (float) (amp * StrictMath.cos(b));
          int o = y * width * channels + ch;
          for (int x = 0; x < width; x++) {
            acc[o + x * channels] += sx[x] * cb + cx[x] * sb;
          }
        }
      }
    }
    byte[] out = new byte[acc.length];
    for (int i = 0; i < acc.length; i++) {
      int v = Math.round(128 + acc[i]);
      out[i] = (byte) Math.max(0, Math.min(255, v));
    }
    return out;
  }
}
