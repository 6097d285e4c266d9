package io.edgepipe.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.edgepipe.api.FrameValidator;
import io.edgepipe.api.PipelineSpec;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.api.shm.SharedMemory;
import io.edgepipe.vgpu.Devices;
import io.edgepipe.vgpu.backend.TokenStore;
import io.edgepipe.vgpu.backend.VgpuBackend;
import io.edgepipe.vgpu.cpu.CpuGpu;
import io.edgepipe.vgpu.remote.RemoteGpu;
import io.grpc.Status;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A compute service on a vGPU whose backend shares this host lends its output where the backend
 * wrote it, a region of the session's shared memory ({@link FrameProcessor#processLending}),
 * instead of copying it into a fresh heap array, and takes the region back only when the frame's
 * custody ends ({@link FrameProcessor#outputDone}): in a chain, on the next hop's answer. Outputs
 * stay bit-identical to the cpu device's; a held region is never reused (a re-send after a
 * reconnect and a receiver in this JVM that keeps its input both read what was computed); when
 * held outputs fill the room, outputs go to fresh heap arrays again; closing the device with an
 * output still held leaves it readable; nothing is left in /dev/shm.
 */
class LentOutputTest {
  private static final PipelineSpec THESIS = PipelineSpec.load(Path.of("..", "pipelines", "thesis.yaml"));
  private static final String TOKEN = "s3cret";
  private static final long LIMIT = 64L << 20;

  private VgpuBackend backend;

  @BeforeEach
  void startBackend() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(SharedMemory.available(), "needs a writable /dev/shm");
    backend = VgpuBackend.onLoopback(new CpuGpu(), TokenStore.of(Map.of("edge1", TOKEN))).start();
  }

  @AfterEach
  void stopBackend() throws Exception {
    if (backend != null) {
      backend.stop();
    }
    assertEquals(List.of(), segmentsOfThisProcess(), "shared-memory segments left in /dev/shm");
  }

  private RemoteGpu vgpu() {
    return (RemoteGpu) Devices.open("vgpu://127.0.0.1:" + backend.port() + "?token=" + TOKEN, Map.of());
  }

  @Test
  void theOutputIsLentWhereTheBackendWroteItAndItsRegionIsNotReusedUntilDone() {
    PipelineSpec spec = THESIS.withInput(1536, 1536); // 9 MiB per f32 frame: the host buffers (32 MiB) hold three
    int bytes = 1536 * 1536 * 4;
    RemoteGpu remote = vgpu();
    try (LayerProcessor p = new LayerProcessor(new TestRelu(spec, remote), remote)) {
      p.outputDone(p.processLending(HostInputTest.frame(spec, 1, false)).build()); // allocates the device buffers

      Frame first = HostInputTest.frame(spec, 2, false);
      long inPlace0 = remote.bytesInPlace();
      long trips0 = remote.roundTrips();
      Frame held = p.processLending(first).build();
      assertEquals(1, remote.roundTrips() - trips0, "one round trip per frame");
      assertEquals(2L * bytes, remote.bytesInPlace() - inPlace0, "input and output read and written in place");
      assertTrue(isDirect(held.getData()), "the output is the region the backend wrote, not a heap copy");
      ByteString expected = HostInputTest.reluOnCpu(first, spec);
      assertEquals(expected, held.getData(), "bit-identical to the cpu device");
      assertEquals(1, p.outputsLent());

      for (int i = 0; i < 4; i++) { // each of these is given back at once; the held one never is
        Frame f = HostInputTest.frame(spec, 10 + i, i % 2 == 1);
        Frame out = p.processLending(f).build();
        assertEquals(HostInputTest.reluOnCpu(f, spec), out.getData(), "frame " + i + ": bit-identical");
        assertTrue(isDirect(out.getData()), "frame " + i + ": lent");
        p.outputDone(out);
        assertEquals(expected, held.getData(), "after frame " + i + ": the held output is untouched");
      }

      // outputs still held fill the room: the next output goes into a fresh heap array, still right
      Frame second = p.processLending(HostInputTest.frame(spec, 20, false)).build();
      assertTrue(isDirect(second.getData()));
      Frame f = HostInputTest.frame(spec, 21, false);
      long inPlace1 = remote.bytesInPlace();
      Frame third = p.processLending(f).build();
      assertFalse(isDirect(third.getData()), "no room left for a third 9 MiB output beside the input");
      assertEquals(bytes, remote.bytesInPlace() - inPlace1, "only the input in place");
      assertEquals(HostInputTest.reluOnCpu(f, spec), third.getData());
      p.outputDone(third); // not lent: ignored
      assertEquals(2, p.outputsLent());

      p.outputDone(held); // custody ended: its region is reused from the next frame on
      Frame fourth = p.processLending(HostInputTest.frame(spec, 22, false)).build();
      assertTrue(isDirect(fourth.getData()), "lent again once a region came back");
      p.outputDone(second);
      p.outputDone(fourth);
      assertEquals(0, p.outputsLent());
      assertFalse(isDirect(p.process(f).getData()), "process() returns a heap array the caller keeps");
    }
  }

  @Test
  void anOutputStillHeldWhenTheDeviceClosesStaysReadable() {
    PipelineSpec spec = THESIS.withInput(256, 512);
    RemoteGpu remote = vgpu();
    Frame in = HostInputTest.frame(spec, 5, false);
    Frame held;
    try (LayerProcessor p = new LayerProcessor(new TestRelu(spec, remote), remote)) {
      held = p.processLending(in).build();
      assertTrue(isDirect(held.getData()));
    } // closes the device: unmapping the region under its holder would crash the JVM on the read below
    assertEquals(HostInputTest.reluOnCpu(in, spec), held.getData(), "read after the device closed");
  }

  /**
   * Source -> relu stage on the vGPU -> a sink that keeps every frame it receives, through the
   * same-JVM hop (frames by reference). The sink is killed and restarted mid-run, so outputs the
   * stage forwarded and that were not answered are re-sent from its custody. Every frame arrives
   * bit-identical (re-sent ones too: their regions were held), no duplicate differs, every output
   * was lent and all came back.
   */
  @Test
  void throughAChainOutputsGoBackOnTheAnswerAndArriveIntactAfterAReconnect() throws Exception {
    PipelineSpec spec = THESIS.withInput(128, 256); // 128 KiB per frame
    int frames = 120;
    Map<Long, ByteString> arrived = new ConcurrentHashMap<>();
    AtomicLong corruptDuplicates = new AtomicLong();
    FrameProcessor keepEverything = in -> { // keeps its input (the default): a lent payload must reach it as a copy
      ByteString previous = arrived.putIfAbsent(in.getSeq(), in.getData());
      if (previous != null && !previous.equals(in.getData())) {
        corruptDuplicates.incrementAndGet();
      }
      return null;
    };
    FrameServer sink = sink(0, keepEverything);
    int sinkPort = sink.port();

    RemoteGpu remote = vgpu();
    LayerProcessor relu = new LayerProcessor(new TestRelu(spec, remote), remote);
    DownstreamClient toSink = new DownstreamClient("relu", Transport.channel("127.0.0.1:" + sinkPort, LIMIT),
        true, false, ack -> {});
    relu.writeOutputsFor(toSink);
    FrameHandler handler = new FrameHandler("relu", "test", new FrameValidator(LIMIT), relu, toSink,
        new StageMetrics("relu"));
    FrameServer stage = new FrameServer("relu", "127.0.0.1", 0, -1, LIMIT, new StageService(handler), handler, toSink)
        .start();
    DownstreamClient source = new DownstreamClient("test", Transport.channel("127.0.0.1:" + stage.port(), LIMIT),
        true, false, ack -> {});
    List<Frame> sent = new ArrayList<>();
    long inPlace0 = remote.bytesInPlace();
    try {
      for (int seq = 0; seq < frames; seq++) {
        Frame f = HostInputTest.frame(spec, 100 + seq, false).toBuilder().setFlowId("cam").setSeq(seq).build();
        sent.add(f);
        source.send(f);
        if (seq == frames / 2) {
          sink.kill(); // what the stage forwarded unanswered is re-sent once the sink is back
          Thread.sleep(300);
          sink = sink(sinkPort, keepEverything);
        }
      }
      source.close(); // every frame answered: every output is in the sink's custody
      assertEquals(0, relu.outputsLent(), "every lent output came back on its answer");
      assertArrivedIntact(frames, arrived, sent, spec); // the regions have been reused since: the sink kept copies
    } finally {
      stage.stop(10, TimeUnit.SECONDS); // closes the processor and its device
      sink.stop(10, TimeUnit.SECONDS);
    }
    assertArrivedIntact(frames, arrived, sent, spec); // and the device's memory is unmapped by now
    assertEquals(0, corruptDuplicates.get(), "a re-sent frame differed from its first copy");
    long outBytes = sent.get(0).getData().size();
    assertTrue(remote.bytesInPlace() - inPlace0 >= 2 * frames * outBytes,
        "inputs and outputs in place: " + (remote.bytesInPlace() - inPlace0) + " bytes");
  }

  @Test
  void anOutputRefusedBeforeTheNextHopTookItComesBackAtOnce() {
    PipelineSpec spec = THESIS.withInput(128, 256);
    RemoteGpu remote = vgpu();
    try (LayerProcessor relu = new LayerProcessor(new TestRelu(spec, remote), remote)) {
      Downstream closing = new Downstream() {
        @Override
        public void send(Frame frame, Runnable onAnswered) {
          throw new FrameRejectedException(Status.Code.UNAVAILABLE, "closing");
        }

        @Override
        public void close() {}
      };
      FrameHandler handler = new FrameHandler("relu", "test", new FrameValidator(LIMIT), relu, closing,
          new StageMetrics("relu"));
      List<Object> answers = new ArrayList<>();
      handler.handle(HostInputTest.frame(spec, 7, false).toBuilder().setFlowId("cam").build(), answers::add);
      assertEquals(0, relu.outputsLent(), "refused by the next hop's client: given back");
      assertEquals(List.of(), answers, "a stage going down does not answer");
    }
  }

  private static void assertArrivedIntact(int frames, Map<Long, ByteString> arrived, List<Frame> sent, PipelineSpec spec) {
    assertEquals(frames, arrived.size(), "frames at the sink");
    for (int seq = 0; seq < frames; seq++) {
      assertEquals(HostInputTest.reluOnCpu(sent.get(seq), spec), arrived.get((long) seq), "frame " + seq);
      assertFalse(isDirect(arrived.get((long) seq)), "frame " + seq + ": the sink keeps a copy, not the lent region");
    }
  }

  private static FrameServer sink(int port, FrameProcessor collect) throws Exception {
    FrameHandler h = new FrameHandler("sink", "test", new FrameValidator(LIMIT), collect, null, new StageMetrics("sink"));
    return new FrameServer("sink", "127.0.0.1", port, -1, LIMIT, new StageService(h), h, null).start();
  }

  private static boolean isDirect(ByteString data) {
    return data.asReadOnlyByteBufferList().stream().allMatch(ByteBuffer::isDirect);
  }

  private static List<String> segmentsOfThisProcess() throws IOException {
    List<String> left = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(SharedMemory.dir(),
        "edgepipe-vgpu{,bell}-" + ProcessHandle.current().pid() + "-*")) {
      files.forEach(f -> left.add(f.getFileName().toString()));
    }
    return left;
  }
}
