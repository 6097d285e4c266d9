package io.edgepipe.producer.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every failure to open is a SourceException with one line that names the input. */
class SourceErrorsTest {

  static String failure(String spec, String mustName) {
    SourceException e = assertThrows(SourceException.class, () -> FrameSources.open(spec, 48, 64, 3, 0).close());
    String m = e.getMessage();
    assertFalse(m.contains("\n") || m.contains("\r"), "one line: " + m);
    assertTrue(m.contains(mustName), "names " + mustName + ": " + m);
    return m;
  }

  @Test
  void missingVideoFile() {
    assertTrue(failure("video:/nonexistent/clip.mp4", "/nonexistent/clip.mp4").contains("not found"));
    assertTrue(failure("/nonexistent/clip.mp4", "/nonexistent/clip.mp4").contains("not found"));
  }

  @Test
  void fileThatIsNotAVideo(@TempDir Path dir) throws Exception {
    Path txt = Files.writeString(dir.resolve("notes.mp4"), "this is text, not a video\n".repeat(50));
    String m = failure("video:" + txt, txt.toString());
    assertTrue(m.startsWith("cannot open video file"), m);
  }

  @Test
  void missingCamera() {
    assertEquals("camera /dev/video97 not found", failure("camera:/dev/video97", "/dev/video97"));
    assertEquals("camera /dev/video98 not found", failure("/dev/video98", "/dev/video98"));
  }

  @Test
  void unreachableUrls() {
    // port 1 on loopback refuses at once; the timeout guards against a hang if it does not
    assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
      failure("http://127.0.0.1:1/clip.mp4", "http://127.0.0.1:1/clip.mp4");
      failure("rtsp://127.0.0.1:1/live", "rtsp://127.0.0.1:1/live");
    });
  }

  @Test
  void unsupportedSchemeAndMissingFolder() {
    failure("ftp://example.org/x.mp4", "ftp://example.org/x.mp4");
    failure("images:/nonexistent/frames", "/nonexistent/frames");
    failure("synthetic:abc", "synthetic:abc");
  }
}
