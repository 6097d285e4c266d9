package io.edgepipe.models.kinds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.vgpu.RegisteredKernel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Runs everywhere: every registered kernel has CUDA C beside its Java twin and committed PTX that
 * the cuda device can use: an entry of the kernel's name whose parameters are the registration's
 * (pointers .u64, ints .u32), target sm_75, no float multiply-add the source did not ask for
 * (the twins round every product unless they call Math.fma), and built from the current source (the hash the build script
 * writes, so a .cu edited without {@code scripts/build-ptx.sh} fails here).
 */
class ModelKernelPtxTest {
  private static final Path KINDS = Path.of("src/main/java/io/edgepipe/models/kinds");

  @Test
  void everyRegisteredKernelHasCurrentPtxMatchingItsSignature() throws Exception {
    for (RegisteredKernel k : new LayerKinds().kernels()) {
      String ptx = ptx(k);
      Matcher entry = Pattern.compile("\\.visible \\.entry " + k.name() + "\\(([^)]*)\\)").matcher(ptx);
      assertTrue(entry.find(), k.name() + ": no entry of that name in " + k.ptxResource());
      List<String> params = new ArrayList<>();
      Matcher p = Pattern.compile("\\.param \\.(u64|u32)").matcher(entry.group(1));
      while (p.find()) {
        params.add(p.group(1));
      }
      boolean[] pointers = k.pointers();
      assertEquals(pointers.length, params.size(), k.name() + ": PTX parameters " + params);
      for (int i = 0; i < pointers.length; i++) {
        assertEquals(pointers[i] ? "u64" : "u32", params.get(i), k.name() + " parameter " + i + " (" + k.argNames()[i] + ")");
      }
      assertTrue(ptx.contains(".target sm_75"), k.name() + ": PTX for sm_75 (Turing and newer), like the thesis kernels' edgepipe.ptx");
      Path cu = HostCudaKernels.source(k);
      assertTrue(Files.exists(cu), k.name() + ": no CUDA source " + cu);
      if (!Files.readString(cu).contains("__fmaf_rn")) { // a kernel whose twin uses Math.fma says so
        assertFalse(Pattern.compile("\\b(fma|mad)(\\.rn)?\\.f32\\b").matcher(ptx).find(),
            k.name() + ": the PTX fuses a float multiply-add; build it with -fmad=false / -ffp-contract=off");
      }
      assertTrue(Pattern.compile("\\b" + k.name() + "\\b").matcher(Files.readString(cu)).find(),
          k.name() + ": " + cu + " does not define the kernel");
      Matcher stamp = Pattern.compile("// edgepipe-source-sha256: ([0-9a-f]{64})").matcher(ptx);
      assertTrue(stamp.find(), k.name() + ": " + k.ptxResource() + " names no source hash (built by scripts/build-ptx.sh?)");
      assertEquals(sourceHash(cu), stamp.group(1), k.name() + ": " + k.ptxResource() + " is stale: " + cu
          + " or a shared header changed; run scripts/build-ptx.sh and commit the PTX");
    }
  }

  @Test
  void everyCudaSourceBelongsToARegisteredKernel() throws IOException {
    Set<Path> owned = new TreeSet<>();
    for (RegisteredKernel k : new LayerKinds().kernels()) {
      owned.add(HostCudaKernels.source(k).normalize());
    }
    Set<Path> found = new TreeSet<>();
    try (Stream<Path> s = Files.walk(KINDS)) {
      s.filter(f -> f.toString().endsWith(".cu")).forEach(f -> found.add(f.normalize()));
    }
    assertEquals(owned, found, "a .cu without a registered kernel is never built into a device");
  }

  private static String ptx(RegisteredKernel k) throws IOException {
    assertNotNull(k.ptxResource(), k.name() + " names no PTX");
    try (InputStream in = k.getClass().getResourceAsStream(k.ptxResource())) {
      assertNotNull(in, k.name() + ": " + k.ptxResource() + " is not on the class path");
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }
  }

  /** sha256 of the .cu followed by the kinds' shared headers in name order (as build-ptx.sh). */
  private static String sourceHash(Path cu) throws Exception {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    all.write(Files.readAllBytes(cu));
    try (Stream<Path> headers = Files.list(KINDS)) {
      for (Path h : headers.filter(f -> f.toString().endsWith(".cuh")).sorted().toList()) {
        all.write(Files.readAllBytes(h));
      }
    }
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(all.toByteArray()));
  }
}
