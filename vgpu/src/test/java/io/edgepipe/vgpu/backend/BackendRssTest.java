package io.edgepipe.vgpu.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.vgpu.DevicePtr;
import io.edgepipe.vgpu.bench.BackendProcess;
import io.edgepipe.vgpu.remote.LinkOptions;
import io.edgepipe.vgpu.remote.RemoteGpu;
import io.edgepipe.vgpu.remote.RemoteSpec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resident memory of a backend running as a process of its own, started as {@code pipeline
 * vgpu-backend} starts it ({@link BackendMemory}'s flags and malloc settings, and its start-up
 * {@link BackendWarmUp}): after a tenant made it hold about 300 MiB (192 MiB of device buffers on
 * the cpu device, a 32 MiB copy each way through the transport) and left, its VmRSS returns to
 * within 10% of its level before, for the first such tenant after start (what the JVM keeps for
 * good, code compiled and classes loaded for these paths, was paid by the warm-up before the
 * backend served) and for a second one.
 */
class BackendRssTest {
  private static final long MIB = 1L << 20;
  private static final String HOST = java.net.InetAddress.getLoopbackAddress().getHostAddress();

  @Test
  void residentMemoryReturnsAfterATenantsBurst(@TempDir Path dir) throws Exception {
    Path tokens = dir.resolve("tokens");
    Files.writeString(tokens, "hog:t-hog\n");
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx768m"));
    cmd.addAll(BackendMemory.JVM_FLAGS);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), BackendProcess.class.getName(),
        tokens.toString(), "512", "256", "64", "2000"));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
    pb.environment().putAll(BackendMemory.ENVIRONMENT);
    Process backend = pb.start();
    try {
      int port = port(backend);
      long pid = backend.pid();
      for (String which : List.of("first", "second")) {
        long before = settled(pid);
        long peak = burst(port, pid);
        assertTrue(peak - before >= 100 * MIB, "the " + which + " burst made the backend hold memory (" + before / MIB
            + " -> " + peak / MIB + " MiB), else this test shows nothing");
        long limit = before + before / 10;
        long after = Long.MAX_VALUE;
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < end && (after = rss(pid)) > limit) {
          Thread.sleep(250);
        }
        assertTrue(after <= limit, "VmRSS " + before / MIB + " MiB before the " + which + " burst, " + peak / MIB
            + " MiB during, " + after / MIB + " MiB 20 s after it (allowed: " + limit / MIB + " MiB)");
      }
    } finally {
      backend.getOutputStream().close(); // BackendProcess exits when its stdin closes
      if (!backend.waitFor(5, TimeUnit.SECONDS)) {
        backend.destroyForcibly().waitFor(); // by its pid, never by name
      }
    }
  }

  /** One tenant session: 192 MiB of buffers, 32 MiB up and back inline; the backend's VmRSS while it holds them. */
  private static long burst(int port, long pid) {
    long peak = 0;
    // payloads inline through gRPC (no shared memory), as the bench's attackers send them
    try (RemoteGpu hog = RemoteGpu.connect(new RemoteSpec(HOST, port, "hog", "t-hog", 0.5, 1, "burst")
        .withLink(LinkOptions.DEFAULT.withShmBytes(0)))) {
      DevicePtr a = hog.malloc(64 * MIB);
      hog.malloc(64 * MIB);
      hog.malloc(64 * MIB);
      ByteBuffer data = ByteBuffer.allocateDirect((int) (32 * MIB));
      hog.copyHtoDAsync(a, data);
      hog.copyDtoHAsync(data.clear(), a);
      hog.synchronize();
      assertEquals(0, data.get(12345), "the copy came back");
      peak = rss(pid);
    }
    return peak;
  }

  /** VmRSS once three samples 0.5 s apart agree within 3% (or after 20 s). */
  private static long settled(long pid) throws InterruptedException {
    List<Long> s = new ArrayList<>();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < end) {
      s.add(rss(pid));
      int n = s.size();
      if (n >= 3) {
        long lo = Math.min(s.get(n - 1), Math.min(s.get(n - 2), s.get(n - 3)));
        long hi = Math.max(s.get(n - 1), Math.max(s.get(n - 2), s.get(n - 3)));
        if (hi - lo <= lo * 3 / 100) {
          return s.get(n - 1);
        }
      }
      Thread.sleep(500);
    }
    return s.get(s.size() - 1);
  }

  private static long rss(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.substring(6).replace("kB", "").strip()) * 1024;
        }
      }
    } catch (IOException e) {
      throw new AssertionError("cannot read /proc/" + pid + "/status", e);
    }
    throw new AssertionError("no VmRSS for " + pid);
  }

  /** The backend's port, from its {@code port N} line (after its warm-up report). */
  private static int port(Process p) throws IOException {
    BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line = r.readLine();
    while (line != null && line.startsWith("warm-up")) {
      line = r.readLine();
    }
    if (line == null || !line.startsWith("port ")) {
      throw new IOException("the backend process did not start (said: " + line + ")");
    }
    return Integer.parseInt(line.substring(5).strip());
  }
}
