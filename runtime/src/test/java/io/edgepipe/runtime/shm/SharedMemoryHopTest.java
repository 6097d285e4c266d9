package io.edgepipe.runtime.shm;

import io.edgepipe.api.shm.SharedMemory;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.api.Delivery;
import io.edgepipe.runtime.DownstreamClient;
import io.edgepipe.runtime.FrameServer;
import io.edgepipe.runtime.Transport;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Same-host hops between two processes through a shared-memory ring in /dev/shm: payloads arrive
 * intact without crossing the socket, and a writer or reader killed with {@code kill -9} leaves no
 * segment behind (the survivor, or the next process to open a ring, reclaims it).
 */
class SharedMemoryHopTest {
  @BeforeEach
  void needsDevShm() {
    Assumptions.assumeTrue(SharedMemory.available(), "needs a writable /dev/shm");
  }

  @Test
  void aWriterKilledMidStreamLeavesNoSegmentAndTheReaderServesOn() throws Exception {
    AtomicLong corrupt = new AtomicLong();
    FrameServer reader = SharedMemoryPeer.readerStage(corrupt).start();
    Process writer = peer("writer", String.valueOf(reader.port()));
    try {
      String line = firstLine(writer, "shared ");
      assertTrue(Long.parseLong(line.substring("shared ".length())) > 0, "no frame went through shared memory");
      writer.destroyForcibly(); // kill -9
      writer.waitFor(10, TimeUnit.SECONDS);
      assertEquals(List.of(), segmentsOf(writer.pid()));
      // the reader serves on, inline and shared, and every payload it read was intact
      DownstreamClient again = new DownstreamClient("test", Transport.socketChannel("127.0.0.1:" + reader.port(),
          SharedMemoryPeer.LIMIT, null), true, false, ack -> {}, Delivery.RELIABLE, null, 4, 64 * 1024);
      for (long seq = 0; seq < 20; seq++) {
        again.send(SharedMemoryPeer.frame(seq));
      }
      again.close();
      assertEquals(20, again.acked());
      assertEquals(0, corrupt.get(), "payloads read from shared memory differed from those sent");
    } finally {
      writer.destroyForcibly();
      reader.kill();
    }
  }

  @Test
  void outputsComputedIntoReservedSlotsArriveIntactWithoutACopy() throws Exception {
    AtomicLong corrupt = new AtomicLong();
    FrameServer reader = SharedMemoryPeer.readerStage(corrupt).start();
    DownstreamClient client = new DownstreamClient("test", Transport.socketChannel("127.0.0.1:" + reader.port(),
        SharedMemoryPeer.LIMIT, null), true, false, ack -> {}, Delivery.RELIABLE, null, 4, 64 * 1024);
    try {
      client.send(SharedMemoryPeer.frame(0)); // opens the stream, which offers the ring
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      SharedRing.Reservation probe;
      while ((probe = client.reserveOutput(1)) == null && System.nanoTime() < deadline) {
        Thread.sleep(10); // until the reader has mapped the ring
      }
      assertTrue(probe != null, "the reader never mapped the ring");
      probe.release();
      for (long seq = 1; seq <= 40; seq++) {
        client.send(SharedMemoryPeer.computedInto(client, seq));
      }
      client.close();
      assertEquals(41, client.acked());
      assertEquals(0, corrupt.get(), "payloads read from shared memory differed from those written");
      // a slot per unanswered frame plus one being computed: every output found a slot
      assertEquals(40, client.sentInPlace());
      assertEquals(List.of(), segmentsOf(ProcessHandle.current().pid()));
    } finally {
      reader.kill();
    }
  }

  @Test
  void aReaderKilledMidStreamLeavesNoSegment() throws Exception {
    Process reader = peer("reader");
    try {
      String line = firstLine(reader, "port ");
      DownstreamClient client = new DownstreamClient("test", Transport.socketChannel("127.0.0.1:"
          + line.substring("port ".length()), SharedMemoryPeer.LIMIT, null), true, false, ack -> {},
          Delivery.RELIABLE, null, 4, 64 * 1024);
      for (long seq = 0; seq < 50; seq++) {
        client.send(SharedMemoryPeer.frame(seq));
      }
      assertTrue(client.sentShared() > 0, "no frame went through shared memory");
      reader.destroyForcibly();
      reader.waitFor(10, TimeUnit.SECONDS);
      client.abort();
      assertEquals(List.of(), segmentsOf(ProcessHandle.current().pid()));
    } finally {
      reader.destroyForcibly();
    }
  }

  @Test
  void aSegmentOfAWriterKilledBeforeAnyReaderIsReclaimedByTheNextStart() throws Exception {
    Process orphan = peer("orphan");
    try {
      String ring = firstLine(orphan, "ring ").substring("ring ".length());
      assertTrue(Files.exists(SharedMemory.dir().resolve(ring)));
      orphan.destroyForcibly();
      orphan.waitFor(10, TimeUnit.SECONDS);
      assertTrue(SharedMemory.reclaimOrphans() >= 1);
      assertTrue(!Files.exists(SharedMemory.dir().resolve(ring)), ring + " was left in /dev/shm");
    } finally {
      orphan.destroyForcibly();
    }
  }

  private static Process peer(String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-cp", System.getProperty("java.class.path"), SharedMemoryPeer.class.getName()));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
  }

  private static String firstLine(Process p, String prefix) throws IOException {
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
    for (String line = out.readLine(); line != null; line = out.readLine()) {
      if (line.startsWith(prefix)) {
        return line;
      }
    }
    throw new IllegalStateException("peer ended without printing '" + prefix + "'");
  }

  private static List<String> segmentsOf(long pid) throws IOException {
    List<String> left = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(SharedMemory.dir(), "edgepipe-" + pid + "-*")) {
      files.forEach(f -> left.add(f.getFileName().toString()));
    }
    return left;
  }
}
