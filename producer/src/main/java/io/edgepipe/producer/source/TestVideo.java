package io.edgepipe.producer.source;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameRecorder;

/**
 * Writes a small video whose frames are those of {@code new SyntheticSource(SEED, height, width, 3,
 * frames)}, so a reader can compare decoded pixels with {@link #expectedFrame}. Used by tests and
 * by the CLI demo ({@code pipeline run --source video:FILE}).
 *
 * <p>Codec: MPEG-4 part 2 ({@code mpeg4}), FFmpeg's built-in encoder, present in every bytedeco
 * FFmpeg build (x264 is only in the GPL build). Constant quantiser 2 (near the best quality) keeps
 * the decoded frames within a few grey levels of the synthetic ones. The container follows the
 * file extension ({@code .avi}, {@code .mp4}, {@code .mkv}, {@code .mov}).
 */
public final class TestVideo {
  /** The synthetic seed the frames come from. */
  public static final long SEED = 0;

  private TestVideo() {}

  /**
   * @param width  even (yuv420p needs even sizes)
   * @param height even
   * @return {@code file}
   * @throws IOException if FFmpeg cannot encode or write the file
   */
  public static Path write(Path file, int frames, int width, int height, double fps) throws IOException {
    if (frames <= 0 || width <= 0 || height <= 0 || fps <= 0) {
      throw new IllegalArgumentException("frames, width, height and fps must be positive");
    }
    if (width % 2 != 0 || height % 2 != 0) {
      throw new IllegalArgumentException("width and height must be even for yuv420p, got " + width + "x" + height);
    }
    FFmpeg.load();
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    SyntheticSource source = new SyntheticSource(SEED, height, width, 3, frames);
    FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(file.toAbsolutePath().toString(), width, height, 0);
    recorder.setVideoCodec(avcodec.AV_CODEC_ID_MPEG4);
    recorder.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
    recorder.setFrameRate(fps);
    recorder.setVideoQuality(2);
    recorder.setGopSize(12);
    try (Frame frame = new Frame(width, height, Frame.DEPTH_UBYTE, 3)) {
      recorder.start();
      ByteBuffer buf = (ByteBuffer) frame.image[0];
      int row = width * 3;
      for (int i = 0; i < frames; i++) {
        byte[] pixels = source.frame(i);
        for (int y = 0; y < height; y++) {
          buf.position(y * frame.imageStride);
          buf.put(pixels, y * row, row);
        }
        buf.position(0);
        recorder.record(frame, avutil.AV_PIX_FMT_BGR24);
      }
      recorder.stop();
    } catch (FrameRecorder.Exception e) {
      throw new IOException("cannot write test video " + file + ": " + FFmpeg.reason(e), e);
    } finally {
      try {
        recorder.release();
      } catch (FrameRecorder.Exception ignored) {
        // already reported, or nothing to release
      }
    }
    return file;
  }

  /** Frame {@code i} (bgr24, HWC) as it was before encoding. */
  public static byte[] expectedFrame(int i, int width, int height) {
    return new SyntheticSource(SEED, height, width, 3, i + 1L).frame(i);
  }
}
