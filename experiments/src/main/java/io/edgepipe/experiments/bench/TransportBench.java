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
 * One gRPC hop (the runtime's own streaming client and server, with flow control and acks, the
 * receiver parsing in place off Netty's buffers) against a raw TCP socket moving the same payload
 * bytes over loopback. Both receivers take every message off the wire; both senders stop the clock
 * when the receiver has confirmed the last one. Both ends run in this JVM, so the process CPU time
 * of a run is the CPU of both ends.
 */
public final class TransportBench {
  /** One timed run of one transport. */
  public record Run(double mbps, double cpuSecondsPerGb) {}

  private TransportBench() {}

  public static byte[] payload(long bytes) {
    byte[] payload = new byte[(int) bytes];
    new java.util.Random(1).nextBytes(payload);
    return payload;
  }

  public static Run grpc(int c, int h, int w, byte[] payload, int frames) {
    Frame frame = Frame.newBuilder().setFlowId("bench").setDtype(DType.F32)
        .setShape(Shape.newBuilder().setC(c).setH(h).setW(w)).setData(UnsafeByteOperations.unsafeWrap(payload)).build();
    try (HopTimer hop = HopTimer.loopback(payload.length)) {
      HopTimer.Measurement m = hop.measure(frame, Math.max(3, frames / 5), frames);
      return run(payload.length, frames, m.ms() * frames / 1e3, m.cpuMs() * frames / 1e3);
    }
  }

  public static Run raw(byte[] payload, int frames) {
    rawSeconds(payload, Math.max(3, frames / 5)); // warm-up
    long cpu0 = processCpuNanos();
    double seconds = rawSeconds(payload, frames);
    return run(payload.length, frames, seconds, (processCpuNanos() - cpu0) / 1e9);
  }

  private static Run run(long bytes, int frames, double seconds, double cpuSeconds) {
    double moved = bytes * (double) frames;
    return new Run(moved / 1e6 / seconds, cpuSeconds / (moved / 1e9));
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /** Length-prefixed messages over a plain socket; the receiver answers one byte after the last. */
  private static double rawSeconds(byte[] payload, int frames) {
    try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread receiver = new Thread(() -> {
        try (Socket s = listener.accept();
            DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(s.getInputStream(), 1 << 16))) {
          for (int i = 0; i < frames; i++) {
            byte[] message = new byte[in.readInt()]; // a fresh buffer per message, as a receiver would keep it
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
