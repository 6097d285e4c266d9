package io.edgepipe.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.api.proto.Frame;
import io.edgepipe.api.proto.FrameAck;
import io.edgepipe.api.proto.StageGrpc;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A hop's HTTP/2 connection lets its peer send large frames, and sends large frames itself: read
 * and written here at the protocol's level, with a plain socket playing the other end (the
 * server's peer is a hand-written client; the client's peer a hand-written server).
 */
class LargeFrameSettingsTest {
  private static final long LIMIT = 16L << 20;
  private static final byte[] CLIENT_PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final int DATA = 0x0;
  private static final int SETTINGS = 0x4;
  private static final int WINDOW_UPDATE = 0x8;
  private static final int ACK = 0x1;
  private static final int SETTINGS_INITIAL_WINDOW_SIZE = 0x4;
  private static final int SETTINGS_MAX_FRAME_SIZE = 0x5;
  private static final int HTTP2_DEFAULT_FRAME = 16 * 1024;

  @Test
  void serverAnnouncesThatItAcceptsLargeFrames() throws Exception {
    Server server = Transport.server("127.0.0.1", 0, LIMIT)
        .addService(new HealthStatusManager().getHealthService()).build().start();
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.getPort())) {
      s.setSoTimeout(5_000);
      DataInputStream in = new DataInputStream(s.getInputStream());
      OutputStream out = s.getOutputStream();
      out.write(CLIENT_PREFACE);
      write(out, SETTINGS, 0, 0, new byte[0]);
      Map<Integer, Long> announced = new HashMap<>();
      try {
        for (int i = 0; i < 10 && !announced.containsKey(SETTINGS_MAX_FRAME_SIZE); i++) {
          H2Frame f = read(in);
          if (f.type() == SETTINGS && (f.flags() & ACK) == 0) {
            announced.putAll(settings(f.payload()));
          }
        }
      } catch (SocketTimeoutException quiet) {
        // the server has nothing more to say: checked below
      }
      assertEquals((long) Transport.MAX_FRAME_BYTES, announced.get(SETTINGS_MAX_FRAME_SIZE),
          "the server's SETTINGS: " + announced);
    } finally {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void clientAnnouncesLargeFramesAndSendsAFrameInLargeDataFrames() throws Exception {
    Frame frame = TestFrames.f32("large", 0, 1, 512, 512); // 1 MiB payload
    try (ServerSocket peer = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      ManagedChannel channel = Transport.socketChannel("127.0.0.1:" + peer.getLocalPort(), LIMIT, null);
      try {
        StreamObserver<Frame> requests = ClientCalls.asyncBidiStreamingCall(
            channel.newCall(StageGrpc.getStreamMethod(), CallOptions.DEFAULT), new Ignore());
        requests.onNext(frame);
        try (Socket s = peer.accept()) {
          s.setSoTimeout(5_000);
          DataInputStream in = new DataInputStream(s.getInputStream());
          OutputStream out = s.getOutputStream();
          assertArrayEquals(CLIENT_PREFACE, in.readNBytes(CLIENT_PREFACE.length));
          // this end allows the largest frames and windows, so only the client's own limits show
          write(out, SETTINGS, 0, 0, settingsPayload(SETTINGS_MAX_FRAME_SIZE, (1 << 24) - 1,
              SETTINGS_INITIAL_WINDOW_SIZE, 16 << 20));
          write(out, WINDOW_UPDATE, 0, 0, ByteBuffer.allocate(4).putInt(16 << 20).array());
          Map<Integer, Long> announced = new HashMap<>();
          long dataBytes = 0;
          int largest = 0;
          while (dataBytes < frame.getData().size()) {
            H2Frame f = read(in);
            if (f.type() == SETTINGS && (f.flags() & ACK) == 0) {
              announced.putAll(settings(f.payload()));
              write(out, SETTINGS, ACK, 0, new byte[0]);
            } else if (f.type() == DATA) {
              dataBytes += f.payload().length;
              largest = Math.max(largest, f.payload().length);
            }
          }
          assertEquals((long) Transport.MAX_FRAME_BYTES, announced.get(SETTINGS_MAX_FRAME_SIZE),
              "the client's SETTINGS: " + announced);
          // Netty's defaults (16 KiB frames, 64 KiB write buffer) would cut it into 64 DATA frames
          assertTrue(largest >= 512 * 1024, "largest DATA frame " + largest + " bytes (HTTP/2 default "
              + HTTP2_DEFAULT_FRAME + ")");
        }
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  private record H2Frame(int type, int flags, int stream, byte[] payload) {}

  private static H2Frame read(DataInputStream in) throws IOException {
    int length = in.readUnsignedByte() << 16 | in.readUnsignedByte() << 8 | in.readUnsignedByte();
    int type = in.readUnsignedByte();
    int flags = in.readUnsignedByte();
    int stream = in.readInt() & 0x7fffffff;
    return new H2Frame(type, flags, stream, in.readNBytes(length));
  }

  private static void write(OutputStream out, int type, int flags, int stream, byte[] payload) throws IOException {
    ByteBuffer header = ByteBuffer.allocate(9);
    header.put((byte) (payload.length >>> 16)).put((byte) (payload.length >>> 8)).put((byte) payload.length)
        .put((byte) type).put((byte) flags).putInt(stream);
    out.write(header.array());
    out.write(payload);
    out.flush();
  }

  private static byte[] settingsPayload(int... idValuePairs) {
    ByteBuffer b = ByteBuffer.allocate(idValuePairs.length / 2 * 6);
    for (int i = 0; i < idValuePairs.length; i += 2) {
      b.putShort((short) idValuePairs[i]).putInt(idValuePairs[i + 1]);
    }
    return b.array();
  }

  private static Map<Integer, Long> settings(byte[] payload) {
    Map<Integer, Long> values = new HashMap<>();
    ByteBuffer b = ByteBuffer.wrap(payload);
    while (b.remaining() >= 6) {
      values.put(b.getShort() & 0xffff, b.getInt() & 0xffffffffL);
    }
    return values;
  }

  /** Answers are not read: the peer here never sends any. */
  private static final class Ignore implements StreamObserver<FrameAck> {
    @Override
    public void onNext(FrameAck value) {}

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onCompleted() {}
  }
}
