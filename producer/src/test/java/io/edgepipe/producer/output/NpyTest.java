package io.edgepipe.producer.output;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
  @TempDir
  Path dir;

  static float[] ramp(int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = i * 0.5f - 3;
    }
    v[1] = Float.NaN;
    v[2] = Float.NEGATIVE_INFINITY;
    return v;
  }

  @Test
  void writesVersion1HeaderPaddedTo64() throws Exception {
    Path f = dir.resolve("x.npy");
    Npy.write(f, ramp(24), 2, 3, 4);
    byte[] bytes = Files.readAllBytes(f);
    assertEquals((byte) 0x93, bytes[0]);
    assertEquals("NUMPY", new String(bytes, 1, 5, StandardCharsets.US_ASCII));
    assertEquals(1, bytes[6]);
    assertEquals(0, bytes[7]);
    int headerLen = (bytes[8] & 0xFF) | (bytes[9] & 0xFF) << 8;
    assertEquals(0, (10 + headerLen) % 64, "data aligned to 64");
    String header = new String(bytes, 10, headerLen, StandardCharsets.US_ASCII);
    assertTrue(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 4), }"), header);
    assertTrue(header.endsWith("\n"));
    assertEquals(10 + headerLen + 24 * 4, bytes.length);
  }

  @Test
  void roundTripsFloatArrayAndByteBuffer() throws Exception {
    float[] data = ramp(2 * 5 * 7);
    Path a = dir.resolve("a.npy");
    Npy.write(a, data, 2, 5, 7);
    NpyReader.NpyArray back = NpyReader.read(a);
    assertArrayEquals(new int[] {2, 5, 7}, back.shape());
    assertArrayEquals(data, back.data()); // bitwise: NaN and -inf survive

    ByteBuffer le = ByteBuffer.allocateDirect(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    le.asFloatBuffer().put(data);
    Path b = dir.resolve("b.npy");
    Npy.write(b, le, 2, 5, 7);
    assertEquals(0, le.position(), "buffer untouched");
    assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
  }

  @Test
  void oneDimensionalShapeUsesPythonTupleSyntax() throws Exception {
    Path f = dir.resolve("v.npy");
    Npy.write(f, new float[] {1, 2, 3}, 3);
    String text = new String(Files.readAllBytes(f), StandardCharsets.US_ASCII);
    assertTrue(text.contains("'shape': (3,), }"), text);
    assertEquals(Arrays.toString(new int[] {3}), Arrays.toString(NpyReader.read(f).shape()));
  }
}
