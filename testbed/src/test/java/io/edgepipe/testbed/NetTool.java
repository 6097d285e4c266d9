package io.edgepipe.testbed;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * Test traffic, run as a child process inside a namespace. Lines for the test start with
 * {@link NodeProcess#PROTOCOL}.
 * <ul>
 *   <li>{@code sink PORT}: accepts connections; for each, counts bytes to EOF and prints
 *       {@code RECEIVED <bytes> <nanos first byte to EOF>}</li>
 *   <li>{@code send HOST PORT BYTES}: sends that many bytes and closes; prints {@code SENT}</li>
 *   <li>{@code echo PORT}: echoes every connection</li>
 *   <li>{@code rtt HOST PORT N}: N 1-byte round trips; prints {@code RTT <min nanos> <median nanos>}</li>
 *   <li>{@code spin SECONDS}: burns CPU on every processor; prints {@code CPU <cpu nanos> <wall nanos>}</li>
 *   <li>{@code ack PORT BYTES}: for each connection, reads messages of BYTES and answers each with one byte</li>
 *   <li>{@code frames HOST PORT BYTES N GAP_MS}: sends N messages of BYTES, each after the previous one's
 *       answer and a pause; prints {@code FRAMES <min nanos> <median nanos>} from send to answer</li>
 * </ul>
 */
public final class NetTool {
  private static final String P = NodeProcess.PROTOCOL;

  private NetTool() {}

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "sink" -> sink(Integer.parseInt(args[1]));
      case "send" -> send(args[1], Integer.parseInt(args[2]), Long.parseLong(args[3]));
      case "echo" -> echo(Integer.parseInt(args[1]));
      case "rtt" -> rtt(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]));
      case "spin" -> spin(Double.parseDouble(args[1]));
      case "ack" -> ack(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
      case "frames" -> frames(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]),
          Integer.parseInt(args[4]), Long.parseLong(args[5]));
      default -> throw new IllegalArgumentException(args[0]);
    }
  }

  private static ServerSocket listen(int port) throws Exception {
    ServerSocket s = new ServerSocket();
    s.setReuseAddress(true);
    s.bind(new InetSocketAddress("0.0.0.0", port));
    System.out.println(P + "LISTENING " + port);
    return s;
  }

  private static void sink(int port) throws Exception {
    try (ServerSocket s = listen(port)) {
      while (true) {
        try (Socket c = s.accept(); InputStream in = c.getInputStream()) {
          byte[] buf = new byte[1 << 16];
          long total = 0;
          long first = 0;
          int n;
          while ((n = in.read(buf)) >= 0) {
            if (total == 0 && n > 0) {
              first = System.nanoTime();
            }
            total += n;
          }
          System.out.println(P + "RECEIVED " + total + " " + (System.nanoTime() - first));
        }
      }
    }
  }

  private static void send(String host, int port, long bytes) throws Exception {
    try (Socket s = new Socket(host, port); OutputStream out = s.getOutputStream()) {
      byte[] buf = new byte[1 << 16];
      for (long left = bytes; left > 0; left -= buf.length) {
        out.write(buf, 0, (int) Math.min(buf.length, left));
      }
    }
    System.out.println(P + "SENT " + bytes);
  }

  private static void echo(int port) throws Exception {
    try (ServerSocket s = listen(port)) {
      while (true) {
        Socket c = s.accept();
        Thread t = new Thread(() -> {
          try (c; InputStream in = c.getInputStream(); OutputStream out = c.getOutputStream()) {
            c.setTcpNoDelay(true);
            in.transferTo(out);
          } catch (Exception ignored) {
            // peer gone
          }
        });
        t.setDaemon(true);
        t.start();
      }
    }
  }

  private static void rtt(String host, int port, int rounds) throws Exception {
    long[] samples = new long[rounds];
    try (Socket s = new Socket(host, port)) {
      s.setTcpNoDelay(true);
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      DataInputStream in = new DataInputStream(s.getInputStream());
      for (int i = 0; i < rounds; i++) {
        long t0 = System.nanoTime();
        out.write(i);
        out.flush();
        in.readUnsignedByte();
        samples[i] = System.nanoTime() - t0;
      }
    }
    java.util.Arrays.sort(samples);
    System.out.println(P + "RTT " + samples[0] + " " + samples[rounds / 2]);
  }

  private static void ack(int port, int bytes) throws Exception {
    try (ServerSocket s = listen(port)) {
      while (true) {
        try (Socket c = s.accept()) {
          c.setTcpNoDelay(true);
          DataInputStream in = new DataInputStream(c.getInputStream());
          OutputStream out = c.getOutputStream();
          byte[] message = new byte[bytes];
          while (true) {
            in.readFully(message);
            out.write(1);
            out.flush();
          }
        } catch (java.io.EOFException end) {
          // the sender is done
        }
      }
    }
  }

  private static void frames(String host, int port, int bytes, int count, long gapMs) throws Exception {
    long[] samples = new long[count];
    byte[] message = new byte[bytes];
    try (Socket s = new Socket(host, port)) {
      s.setTcpNoDelay(true);
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      for (int i = 0; i < count; i++) {
        Thread.sleep(gapMs); // the bucket refills, as between paced frames
        long t0 = System.nanoTime();
        out.write(message);
        out.flush();
        in.read();
        samples[i] = System.nanoTime() - t0;
      }
    }
    java.util.Arrays.sort(samples);
    System.out.println(P + "FRAMES " + samples[0] + " " + samples[count / 2]);
  }

  private static void spin(double seconds) throws Exception {
    int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
    long end = System.nanoTime() + (long) (seconds * 1e9);
    long wall0 = System.nanoTime();
    long cpu0 = cpu();
    Thread[] ts = new Thread[threads];
    for (int i = 0; i < threads; i++) {
      ts[i] = new Thread(() -> {
        long x = 0;
        while (System.nanoTime() < end) {
          x++;
        }
        if (x == 42) {
          System.out.print("");
        }
      });
      ts[i].start();
    }
    for (Thread t : ts) {
      t.join();
    }
    System.out.println(P + "CPU " + (cpu() - cpu0) + " " + (System.nanoTime() - wall0));
  }

  private static long cpu() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime();
  }
}
