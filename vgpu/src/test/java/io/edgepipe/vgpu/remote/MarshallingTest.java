package io.edgepipe.vgpu.remote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.edgepipe.vgpu.DevicePtr;
import io.edgepipe.vgpu.backend.TokenStore;
import io.edgepipe.vgpu.backend.VgpuBackend;
import io.edgepipe.vgpu.cpu.CpuGpu;
import io.edgepipe.vgpu.proto.Batch;
import io.edgepipe.vgpu.proto.ClientMessage;
import io.edgepipe.vgpu.proto.CopyHtoD;
import io.edgepipe.vgpu.proto.Op;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The copy-saving marshallers: exact data, released transport buffers, malformed input marked. */
class MarshallingTest {
  /** Inline payloads (no shared memory, as across hosts): both ends parse in place and give the buffers back. */
  @Test
  void largeFramesAreExactAndTheirBuffersAreGivenBack() throws Exception {
    VgpuBackend b = VgpuBackend.onLoopback(new CpuGpu(), TokenStore.of(Map.of("t", "x"))).start();
    try (RemoteGpu g = RemoteGpu.connect(new RemoteSpec(InetAddress.getLoopbackAddress().getHostAddress(), b.port(),
        "t", "x", 1, 1, "m").withLink(LinkOptions.DEFAULT.withShmBytes(0)))) {
      SplittableRandom r = new SplittableRandom(3);
      long inPlace = SessionStream.REPLIES.parsedInPlace();
      long requestsInPlace = VgpuBackend.requestsParsedInPlace();
      for (int n : new int[] {Marshalling.LARGE - 1, Marshalling.LARGE, 3 << 20, (5 << 20) + 13}) {
        byte[] data = new byte[n];
        r.nextBytes(data);
        DevicePtr p = g.malloc(n);
        ByteBuffer direct = ByteBuffer.allocateDirect(n).put(data).flip();
        ByteBuffer back = ByteBuffer.allocate(n + 8).position(8); // a window: position must stay put
        g.copyHtoDAsync(p, direct.asReadOnlyBuffer());
        g.copyDtoHAsync(back, p);
        g.synchronize();
        assertEquals(8, back.position());
        assertArrayEquals(data, Arrays.copyOfRange(back.array(), 8, 8 + n), "size " + n);
        g.free(p);
      }
      assertEquals(0, SessionStream.REPLIES.held(), "every reply's transport buffers were released");
      assertTrue(SessionStream.REPLIES.parsedInPlace() - inPlace >= 3, "large replies were parsed in place");
      assertTrue(VgpuBackend.requestsParsedInPlace() - requestsInPlace >= 3, "large batches were parsed in place");
      assertEquals(0, VgpuBackend.requestsHeld(), "every batch's transport buffers were released by the backend");
    } finally {
      b.stop();
    }
  }

  @Test
  void malformedInputBecomesAMarkedMessage() {
    var m = Marshalling.copyOnce(ClientMessage.getDefaultInstance());
    byte[] good = ClientMessage.newBuilder().setBatch(Batch.newBuilder().setSeq(7).addOps(Op.newBuilder()
        .setHtod(CopyHtoD.newBuilder().setDst(3).setData(ByteString.copyFrom(new byte[100_000]))))).build().toByteArray();
    ClientMessage ok = m.parse(new KnownLengthStream(good));
    assertNull(Marshalling.malformed(ok));
    assertEquals(7, ok.getBatch().getSeq());
    for (int cut : new int[] {3, 50_000, good.length - 1}) {
      ClientMessage bad = m.parse(new KnownLengthStream(Arrays.copyOf(good, cut)));
      String why = Marshalling.malformed(bad);
      assertTrue(why != null && why.startsWith("malformed ClientMessage"), why);
      assertTrue(!bad.hasBatch() && !bad.hasOpen());
    }
  }

  /** A stream that says its length, like gRPC's. */
  private static final class KnownLengthStream extends ByteArrayInputStream implements io.grpc.KnownLength {
    KnownLengthStream(byte[] b) {
      super(b);
    }
  }
}
