package io.edgepipe.experiments.bench;

import com.google.protobuf.UnsafeByteOperations;
import io.edgepipe.api.proto.DType;
import io.edgepipe.harness.measure.HopTimer;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.api.proto.Shape;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * One gRPC hop (the runtime's own streaming client and server, with flow control and acks)
 * against a raw TCP socket moving the same payload bytes over loopback. Both receivers read
 * every message completely into memory; both senders stop the clock when the receiver has
 * confirmed the last one.
 */
public final class TransportBench {
  /** Throughput of one frame size over both transports. */
  public record Row(String size, long bytes, int frames, double grpcMBps, double rawMBps) {
    public double ratio() {
      return grpcMBps / rawMBps;
    }
  }

  private TransportBench() {}

  public static Row measure(int c, int h, int w, int frames) {
    long bytes = (long) c * h * w * 4;
    byte[] payload = new byte[(int) bytes];
    new java.util.Random(1).nextBytes(payload);
    grpc(c, h, w, payload, Math.max(3, frames / 5)); // warm-up
    raw(payload, Math.max(3, frames / 5));
    double grpcSeconds = grpc(c, h, w, payload, frames);
    double rawSeconds = raw(payload, frames);
    double mb = bytes * (double) frames / 1e6;
    return new Row(c + "x" + h + "x" + w, bytes, frames, mb / grpcSeconds, mb / rawSeconds);
  }

  private static double grpc(int c, int h, int w, byte[] payload, int frames) {
    Frame frame = Frame.newBuilder().setFlowId("bench").setDtype(DType.F32)
        .setShape(Shape.newBuilder().setC(c).setH(h).setW(w)).setData(UnsafeByteOperations.unsafeWrap(payload)).build();
    try (HopTimer hop = HopTimer.loopback(payload.length)) {
      return hop.msPerFrame(frame, 0, frames) * frames / 1e3; // the caller has warmed up already
    }
  }

  /** Length-prefixed messages over a plain socket; the receiver answers one byte after the last. */
  private static double raw(byte[] payload, int frames) {
    try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread receiver = new Thread(() -> {
        try (Socket s = listener.accept();
            DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(s.getInputStream(), 1 << 16))) {
          for (int i = 0; i < frames; i++) {
            byte[] message = new byte[in.readInt()]; // a fresh buffer per message, as gRPC parses into one
            in.readFully(message);
          }
          s.getOutputStream().write(1);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }, "raw-receiver");
      receiver.start();
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort())) {
        s.setTcpNoDelay(true);
        DataOutputStream out = new DataOutputStream(s.getOutputStream());
        long start = System.nanoTime();
        for (int i = 0; i < frames; i++) {
          out.writeInt(payload.length);
          out.write(payload);
        }
        out.flush();
        if (s.getInputStream().read() != 1) {
          throw new IllegalStateException("raw receiver did not confirm");
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        receiver.join();
        return seconds;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
