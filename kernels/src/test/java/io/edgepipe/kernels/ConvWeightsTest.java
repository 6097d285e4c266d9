package io.edgepipe.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConvWeightsTest {

  @TempDir
  Path dir;

  @Test
  void generateIsDeterministicAndScaled() {
    ConvWeights a = ConvWeights.generate(42, 4, 3, 3);
    assertEquals(a, ConvWeights.generate(42, 4, 3, 3));
    assertNotEquals(a, ConvWeights.generate(43, 4, 3, 3));
    assertEquals(4 * 3 * 3 * 3, a.weights().length);
    assertEquals(4, a.bias().length);
    float bound = (float) (1 / Math.sqrt(27));
    for (float v : a.weights()) {
      assertTrue(Math.abs(v) <= bound, "weight " + v);
    }
    for (float v : a.bias()) {
      assertTrue(Math.abs(v) <= 0.01f, "bias " + v);
    }
    // not degenerate: the spread uses most of the range
    float max = 0;
    for (float v : a.weights()) {
      max = Math.max(max, Math.abs(v));
    }
    assertTrue(max > bound / 2);
  }

  @Test
  void saveLoadRoundTripWithTheDocumentedLayout() throws Exception {
    ConvWeights a = ConvWeights.generate(7, 4, 3, 5);
    Path f = dir.resolve("conv.epw");
    a.save(f);
    byte[] bytes = Files.readAllBytes(f);
    assertEquals(16 + 4 * (4 * 3 * 5 * 5 + 4), bytes.length);
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals("EPW1", new String(bytes, 0, 4, java.nio.charset.StandardCharsets.US_ASCII));
    assertEquals(4, b.getInt(4));
    assertEquals(3, b.getInt(8));
    assertEquals(5, b.getInt(12));
    assertEquals(a.weights()[0], b.getFloat(16));
    assertEquals(a.bias()[3], b.getFloat(bytes.length - 4));
    ConvWeights back = ConvWeights.load(f);
    assertEquals(a, back);
    assertArrayEquals(a.weights(), back.weights());
    assertEquals(a, ConvWeights.load(f, 3));
  }

  private Path write(String name, byte[] bytes) throws Exception {
    Path f = dir.resolve(name);
    Files.write(f, bytes);
    return f;
  }

  private static byte[] header(String magic, int cout, int cin, int k, int extraBytes) {
    ByteBuffer b = ByteBuffer.allocate(16 + extraBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.put(magic.getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(cout).putInt(cin).putInt(k);
    return b.array();
  }

  private static void assertBad(Path f, int expectedCin, String... fragments) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConvWeights.load(f, expectedCin));
    assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    for (String s : fragments) {
      assertTrue(e.getMessage().contains(s), "message '" + e.getMessage() + "' lacks '" + s + "'");
    }
  }

  @Test
  void loadErrorsNameTheFileAndTheProblem() throws Exception {
    int full = 4 * (2 * 1 * 3 * 3 + 2);
    assertBad(write("short.epw", new byte[10]), -1, "10 bytes", "header");
    assertBad(write("magic.epw", header("EPW2", 2, 1, 3, full)), -1, "magic", "EPW1");
    assertBad(write("zero.epw", header("EPW1", 0, 1, 3, full)), -1, "cout=0");
    assertBad(write("neg.epw", header("EPW1", 2, -1, 3, full)), -1, "cin=-1");
    assertBad(write("huge.epw", header("EPW1", 1 << 20, 1 << 20, 3, 0)), -1, "large");
    assertBad(write("trunc.epw", header("EPW1", 2, 1, 3, full - 4)), -1, "needs exactly " + (16 + full));
    assertBad(write("long.epw", header("EPW1", 2, 1, 3, full + 1)), -1, "needs exactly " + (16 + full));
    Path ok = write("ok.epw", header("EPW1", 2, 1, 3, full));
    assertEquals(1, ConvWeights.load(ok).cin());
    assertBad(ok, 3, "cin=1", "expected cin=3");
    byte[] nan = header("EPW1", 2, 1, 3, full);
    ByteBuffer.wrap(nan).order(ByteOrder.LITTLE_ENDIAN).putFloat(16 + 4 * 5, Float.NaN);
    assertBad(write("nan.epw", nan), -1, "weight 5", "finite");
    UncheckedIOException missing = assertThrows(UncheckedIOException.class,
        () -> ConvWeights.load(dir.resolve("missing.epw")));
    assertTrue(missing.getMessage().contains("missing.epw"));
  }

  @Test
  void constructorChecksSizes() {
    assertThrows(IllegalArgumentException.class, () -> new ConvWeights(1, 1, 3, new float[8], new float[1]));
    assertThrows(IllegalArgumentException.class, () -> new ConvWeights(1, 1, 3, new float[9], new float[2]));
    assertThrows(IllegalArgumentException.class, () -> new ConvWeights(0, 1, 3, new float[0], new float[0]));
    ConvWeights w = new ConvWeights(1, 1, 1, new float[] {2f}, new float[] {1f});
    assertEquals(w, new ConvWeights(1, 1, 1, new float[] {2f}, new float[] {1f}));
    assertEquals(w.hashCode(), new ConvWeights(1, 1, 1, new float[] {2f}, new float[] {1f}).hashCode());
    assertEquals(3, ConvWeights.generate(1, 1, 1, 3).outSize(5, 2, 1));
    assertTrue(Arrays.equals(w.bias(), new float[] {1f}));
  }
}
