package io.edgepipe.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.google.protobuf.ByteString;
import io.edgepipe.api.proto.DType;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.api.proto.Shape;
import io.edgepipe.api.proto.StageGrpc;
import io.grpc.HasByteBuffer;
import io.grpc.internal.CompositeReadableBuffer;
import io.grpc.internal.ReadableBuffers;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Parsing in place over a message whose buffers are not all lendable. grpc-java's deframer merges
 * a run of buffers under 1 KiB (slivers where an HTTP/2 frame straddles socket reads or a flow
 * control window) into one heap array, which makes the whole message's
 * {@code byteBufferSupported()} false. Such a message used to go through the copying parser (a
 * heap copy of the whole payload, one frame in twenty at 11 MB in {@code bench transport}); now
 * only the merged bytes are copied and the payload still aliases the network buffers.
 */
class FrameMarshallingTest {
  @Test
  void aMessageWithAMergedHeapPieceIsStillParsedInPlace() throws Exception {
    byte[] data = new byte[256 << 10];
    new Random(7).nextBytes(data);
    Frame sent = Frame.newBuilder().setFlowId("cam").setSeq(3).setDtype(DType.F32)
        .setShape(Shape.newBuilder().setC(1).setH(256).setW(256)).setData(ByteString.copyFrom(data)).build();
    byte[] wire = sent.toByteArray();

    // direct pieces as the socket filled them, with two runs of slivers that grpc-java merges
    List<ByteBuffer> network = new ArrayList<>();
    CompositeReadableBuffer message = new CompositeReadableBuffer();
    int[] cuts = {16 << 10, 100, 200, 16 << 10, 16 << 10, 300, 50, 700};
    int at = 0;
    for (int i = 0; at < wire.length; i++) {
      int size = Math.min(i < cuts.length ? cuts[i] : 16 << 10, wire.length - at);
      ByteBuffer piece = ByteBuffer.allocateDirect(size).put(wire, at, size).flip();
      network.add(piece);
      message.addBuffer(ReadableBuffers.wrap(piece));
      at += size;
    }
    InputStream stream = ReadableBuffers.openStream(message, true);
    assertFalse(((HasByteBuffer) stream).byteBufferSupported(), "the case under test: a merged heap piece");

    Frame parsed = FrameMarshalling.strict(StageGrpc.getStreamMethod().getRequestMarshaller(), true).parse(stream);

    assertEquals(sent, parsed);
    Runnable release = FrameMarshalling.takeRelease(parsed);
    assertNotNull(release, "the parsed payload borrows the network buffers");
    // in place: a change to a network buffer after parsing shows in the frame's payload
    ByteBuffer last = network.get(network.size() - 1);
    int lastAt = wire.length - last.limit();
    last.put(0, (byte) ~last.get(0));
    int offsetInData = lastAt - dataStart(wire, data);
    assertEquals((byte) ~data[offsetInData], parsed.getData().byteAt(offsetInData), "payload aliases the network buffer");
    release.run();
  }

  /** Where the payload starts in the serialized frame. */
  private static int dataStart(byte[] wire, byte[] data) {
    for (int i = 0; i + data.length <= wire.length; i++) {
      if (java.util.Arrays.equals(wire, i, i + data.length, data, 0, data.length)) {
        return i;
      }
    }
    throw new AssertionError("payload not in the serialized frame");
  }
}
