package io.edgepipe.runtime.shm;

import com.google.protobuf.ByteString;
import io.edgepipe.api.Delivery;
import io.edgepipe.api.FrameValidator;
import io.edgepipe.api.proto.DType;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.api.proto.Shape;
import io.edgepipe.runtime.DownstreamClient;
import io.edgepipe.runtime.FrameHandler;
import io.edgepipe.runtime.FrameProcessor;
import io.edgepipe.runtime.FrameServer;
import io.edgepipe.runtime.StageMetrics;
import io.edgepipe.runtime.StageService;
import io.edgepipe.runtime.Transport;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/** The other process of {@link SharedMemoryHopTest}: a writer, a reader, or a writer that dies early. */
public final class SharedMemoryPeer {
  static final long LIMIT = 4L << 20;
  static final int SIDE = 128; // 1x128x128 f32 = 64 KiB per frame

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "orphan" -> { // creates a ring and is killed before any reader maps it
        SharedRing ring = SharedRing.create(2, 1024);
        System.out.println("ring " + ring.name());
        Thread.sleep(Long.MAX_VALUE);
      }
      case "writer" -> { // streams frames forever through shared memory to 127.0.0.1:PORT
        DownstreamClient client = new DownstreamClient("writer", Transport.socketChannel("127.0.0.1:" + args[1], LIMIT, null),
            true, false, ack -> {}, Delivery.RELIABLE, null, 4, (long) SIDE * SIDE * 4);
        for (long seq = 0; ; seq++) {
          client.send(seq % 2 == 0 ? computedInto(client, seq) : frame(seq)); // half written in place
          if (seq == 50) {
            System.out.println("shared " + client.sentShared());
          }
        }
      }
      case "reader" -> { // a stage that checks every payload
        AtomicLong bad = new AtomicLong();
        FrameServer server = readerStage(bad).start();
        System.out.println("port " + server.port());
        server.awaitTermination();
      }
      default -> throw new IllegalArgumentException(args[0]);
    }
  }

  static FrameServer readerStage(AtomicLong corrupt) {
    FrameProcessor check = FrameProcessor.readingInPlace(in -> {
      if (!in.getData().equals(frame(in.getSeq()).getData())) {
        corrupt.incrementAndGet();
      }
      return null;
    });
    FrameHandler h = new FrameHandler("reader", "test", new FrameValidator(LIMIT), check, null, new StageMetrics("reader"));
    return new FrameServer("reader", "127.0.0.1", 0, -1, LIMIT, new StageService(h), h, null);
  }

  /** Frame {@code seq} as a stage computes it: written straight into a slot the client reserves, if any. */
  static Frame computedInto(DownstreamClient client, long seq) {
    Frame f = frame(seq);
    SharedRing.Reservation slot = client.reserveOutput(f.getData().size());
    if (slot == null) {
      return f;
    }
    f.getData().copyTo(slot.buffer());
    return f.toBuilder().setData(slot.payload()).build();
  }

  static Frame frame(long seq) {
    byte[] data = new byte[SIDE * SIDE * 4];
    new Random(seq).nextBytes(data);
    return Frame.newBuilder().setFlowId("cam").setSeq(seq).setDtype(DType.F32)
        .setShape(Shape.newBuilder().setC(1).setH(SIDE).setW(SIDE)).setData(ByteString.copyFrom(data)).build();
  }
}
