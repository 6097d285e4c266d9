package io.edgepipe.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.edgepipe.api.PipelineSpec;
import io.edgepipe.api.TensorShape;
import io.edgepipe.api.proto.DType;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.api.shm.SharedMemory;
import io.edgepipe.vgpu.Devices;
import io.edgepipe.vgpu.Gpu;
import io.edgepipe.vgpu.backend.TokenStore;
import io.edgepipe.vgpu.backend.VgpuBackend;
import io.edgepipe.vgpu.cpu.CpuGpu;
import io.edgepipe.vgpu.remote.RemoteGpu;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A compute service receives a frame's payload into its device's host memory where that spares a
 * copy ({@link HostInput}): on a vGPU with a backend on this host, into the session's shared
 * memory, which the backend reads in place; a payload scattered over transport buffers is gathered
 * once into a kept direct buffer; a flat payload on the cpu device is read where it lies. Outputs
 * are bit-identical to the cpu device's whichever way.
 */
class HostInputTest {
  private static final PipelineSpec THESIS = PipelineSpec.load(Path.of("..", "pipelines", "thesis.yaml"));
  private static final String TOKEN = "s3cret";

  /** A frame for relu of {@code spec}, its payload flat on the heap or scattered over 16 KiB direct pieces. */
  static Frame frame(PipelineSpec spec, long seed, boolean scattered) {
    int i = spec.indexOf("relu");
    TensorShape shape = spec.shapes().get(i);
    assertEquals(DType.F32, spec.hopTypes().get(i), "relu takes f32 in the thesis chain");
    int n = Math.toIntExact(shape.elements());
    ByteBuffer b = (scattered ? ByteBuffer.allocateDirect(4 * n) : ByteBuffer.allocate(4 * n)).order(ByteOrder.LITTLE_ENDIAN);
    SplittableRandom r = new SplittableRandom(seed);
    for (int k = 0; k < n; k++) {
      b.putFloat((float) r.nextDouble(-1, 1));
    }
    b.flip();
    ByteString data;
    if (scattered) {
      List<ByteString> pieces = new ArrayList<>();
      for (int at = 0; at < b.limit(); at += 16 << 10) {
        pieces.add(UnsafeByteOperations.unsafeWrap(b.slice(at, Math.min(16 << 10, b.limit() - at))));
      }
      data = ByteString.copyFrom(pieces);
      assertTrue(data.asReadOnlyByteBufferList().size() > 1, "a rope of pieces");
    } else {
      data = ByteString.copyFrom(b);
    }
    return Frame.newBuilder().setDtype(DType.F32).setShape(shape.toProto()).setData(data).build();
  }

  static ByteString reluOnCpu(Frame f, PipelineSpec spec) {
    try (CpuGpu cpu = new CpuGpu(); LayerProcessor p = new LayerProcessor(new TestRelu(spec, cpu), null)) {
      return p.process(f).getData();
    }
  }

  @Test
  void onTheCpuDeviceAFlatPayloadIsReadWhereItLiesAndAScatteredOneGatheredIntoOneKeptBuffer() {
    PipelineSpec spec = THESIS.withInput(96, 128); // 48 KiB: three transport pieces
    try (CpuGpu cpu = new CpuGpu(); HostInput input = new HostInput(cpu)) {
      Frame flat = frame(spec, 1, false);
      ByteBuffer read = input.receive("relu", flat);
      assertFalse(read.isDirect(), "a flat heap payload is handed over as it is");
      assertEquals(flat.getData(), ByteString.copyFrom(read));

      ByteBuffer first = input.receive("relu", frame(spec, 2, true));
      assertTrue(first.isDirect(), "a scattered payload is gathered into the device's host memory");
      assertEquals(frame(spec, 2, false).getData(), ByteString.copyFrom(first.duplicate()));
      input.release();
      ByteBuffer second = input.receive("relu", frame(spec, 3, true));
      assertEquals(frame(spec, 3, false).getData(), ByteString.copyFrom(second.duplicate()));
      assertEquals(ByteString.copyFrom(second.duplicate()), ByteString.copyFrom(first.duplicate()),
          "one buffer, kept for the next frames");
      input.release();
    }
    Frame scattered = frame(spec, 4, true);
    assertEquals(reluOnCpu(frame(spec, 4, false), spec), reluOnCpu(scattered, spec),
        "the same output whether the payload came in one buffer or scattered");
  }

  @Test
  void onAVgpuOnThisHostThePayloadIsReceivedIntoSharedMemoryAndReadInPlaceFrameAfterFrame() throws Exception {
    Assumptions.assumeTrue(SharedMemory.available(), "needs a writable /dev/shm");
    // 1536x1536 f32: 9 MiB per input, so an input left behind would fill the host area (half the 64 MiB segment)
    // by the fourth frame
    PipelineSpec spec = THESIS.withInput(1536, 1536);
    VgpuBackend backend = VgpuBackend.onLoopback(new CpuGpu(), TokenStore.of(Map.of("edge1", TOKEN))).start();
    try {
      Gpu gpu = Devices.open("vgpu://127.0.0.1:" + backend.port() + "?token=" + TOKEN, Map.of());
      RemoteGpu remote = (RemoteGpu) gpu;
      try (LayerProcessor p = new LayerProcessor(new TestRelu(spec, gpu), gpu)) {
        assertTrue(remote.hostBufferInPlace(9 << 20), "the backend mapped the segment: " + remote.sharedMemoryDeclined());
        for (int i = 0; i < 4; i++) {
          Frame f = frame(spec, 10 + i, i % 2 == 1);
          long inPlace0 = remote.bytesInPlace();
          long trips0 = remote.roundTrips();
          ByteString out = p.process(f).getData();
          assertEquals(f.getData().size(), remote.bytesInPlace() - inPlace0, "frame " + i + ": the input read in place");
          if (i > 0) { // the first frame also allocates the layer's device buffers
            assertEquals(1, remote.roundTrips() - trips0, "one round trip per frame");
          }
          assertEquals(reluOnCpu(f, spec), out, "frame " + i + ": bit-identical to the cpu device");
        }
      }
    } finally {
      backend.stop();
    }
  }
}
