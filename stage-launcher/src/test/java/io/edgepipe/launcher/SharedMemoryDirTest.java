package io.edgepipe.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.edgepipe.api.Delivery;
import io.edgepipe.api.proto.DType;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.api.proto.Shape;
import io.edgepipe.runtime.DownstreamClient;
import io.edgepipe.runtime.Transport;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code --shm-dir} / EDGEPIPE_SHM_DIR, as the containers of one Pod use it: a hop between two
 * processes goes through a ring in a directory other than /dev/shm (here a plain temporary
 * folder) when both ends name it, and inline when they name different ones. The receiver is a
 * real stage process (the sink) started through {@link StageMain}; the sender is this JVM.
 */
class SharedMemoryDirTest {
  private static final int SIDE = 128; // 1x128x128 f32 = 64 KiB per frame
  private final String savedDir = System.getProperty("edgepipe.shm.dir");
  private Process sink;

  @AfterEach
  void restore() throws InterruptedException {
    if (sink != null) {
      sink.destroy();
      sink.waitFor(10, TimeUnit.SECONDS);
      sink.destroyForcibly();
    }
    if (savedDir == null) {
      System.clearProperty("edgepipe.shm.dir");
    } else {
      System.setProperty("edgepipe.shm.dir", savedDir);
    }
  }

  @Test
  void bothEndsNamingOneDirectoryShareTheRingThroughIt(@TempDir Path dir) throws Exception {
    DownstreamClient client = sendTwenty(dir, dir, "--shm-dir", dir.toString());
    assertEquals(20, client.acked());
    assertTrue(client.sentShared() > 0, "no frame went through the ring in " + dir);
    assertEquals(List.of(), segments(dir), "the receiver unlinks the ring once mapped; the sender deleted nothing left");
  }

  @Test
  void theEnvironmentVariableNamesItToo(@TempDir Path dir) throws Exception {
    DownstreamClient client = sendTwenty(dir, dir, null, null);
    assertEquals(20, client.acked());
    assertTrue(client.sentShared() > 0, "EDGEPIPE_SHM_DIR was not used");
  }

  @Test
  void endsNamingDifferentDirectoriesFallBackToInline(@TempDir Path dir) throws Exception {
    Path other = Files.createDirectory(dir.resolve("other"));
    Path mine = Files.createDirectory(dir.resolve("mine"));
    DownstreamClient client = sendTwenty(mine, other, "--shm-dir", other.toString());
    assertEquals(20, client.acked(), "every frame still arrives, inline");
    assertEquals(0, client.sentShared());
    assertEquals(List.of(), segments(mine), "the unused ring is deleted when the stream closes");
  }

  @Test
  void aDirectoryThatDoesNotExistIsOneLineAndExitCodeTwo(@TempDir Path dir) {
    CommandLine cmd = StageMain.commandLine();
    StringWriter err = new StringWriter();
    cmd.setErr(new PrintWriter(err));
    int code = cmd.execute("sink", "--spec", spec().toString(), "--metrics-port", "-1", "--port", "0",
        "--shm-dir", dir.resolve("missing").toString());
    assertEquals(2, code, err.toString());
    assertEquals(1, err.toString().strip().lines().count(), err.toString());
    assertTrue(err.toString().contains("--shm-dir") && err.toString().contains("missing"), err.toString());
  }

  /**
   * Starts the sink with {@code flag value} (or EDGEPIPE_SHM_DIR={@code envDir} when flag is null)
   * and sends it 20 frames from this JVM, whose rings go to {@code senderDir}.
   */
  private DownstreamClient sendTwenty(Path senderDir, Path envDir, String flag, String value) throws Exception {
    int port = freePort();
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx128m", "-cp", System.getProperty("java.class.path"), StageMain.class.getName(), "sink",
        "--spec", spec().toString(), "--bind", "127.0.0.1", "--port", Integer.toString(port), "--metrics-port", "-1"));
    if (flag != null) {
      cmd.add(flag);
      cmd.add(value);
    }
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.environment().remove("EDGEPIPE_SHM_DIR");
    if (flag == null) {
      pb.environment().put("EDGEPIPE_SHM_DIR", envDir.toString());
    }
    sink = pb.start();
    awaitListening(port);
    System.setProperty("edgepipe.shm.dir", senderDir.toString());
    DownstreamClient client = new DownstreamClient("test", Transport.socketChannel("127.0.0.1:" + port, 4L << 20, null),
        true, true, ack -> { }, Delivery.RELIABLE, null, 4, (long) SIDE * SIDE * 4);
    for (long seq = 0; seq < 20; seq++) {
      client.send(frame(seq));
    }
    client.close();
    return client;
  }

  private static Path spec() {
    return Path.of("..", "pipelines", "thesis.yaml");
  }

  private static Frame frame(long seq) {
    byte[] data = new byte[SIDE * SIDE * 4];
    new Random(seq).nextBytes(data);
    return Frame.newBuilder().setFlowId("cam").setSeq(seq).setCaptureTimeUs(System.currentTimeMillis() * 1000).setDtype(DType.F32)
        .setShape(Shape.newBuilder().setC(1).setH(SIDE).setW(SIDE)).setData(ByteString.copyFrom(data)).build();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private void awaitListening(int port) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!sink.isAlive()) {
        throw new IllegalStateException("the sink exited with " + sink.exitValue());
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 500);
        return;
      } catch (IOException notYet) {
        Thread.sleep(200);
      }
    }
    throw new IllegalStateException("the sink did not listen on " + port + " within 60 s");
  }

  private static List<String> segments(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("edgepipe-")).toList();
    }
  }
}
