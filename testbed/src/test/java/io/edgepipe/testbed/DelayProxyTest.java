package io.edgepipe.testbed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The forwarder alone, on the host's loopback (no root needed). */
class DelayProxyTest {
  private static DelayProxy proxyTo(ServerSocket target, Duration delay) {
    return new DelayProxy(List.of(new DelayProxy.Route("127.0.0.1", 0, "127.0.0.1", target.getLocalPort())), delay,
        4 << 20).start();
  }

  private static ServerSocket echoServer() throws Exception {
    ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(() -> {
      while (!s.isClosed()) {
        try {
          Socket c = s.accept();
          c.setTcpNoDelay(true);
          Thread w = new Thread(() -> {
            try (c; InputStream in = c.getInputStream(); OutputStream out = c.getOutputStream()) {
              in.transferTo(out);
            } catch (Exception ignored) {
              // peer gone
            }
          });
          w.setDaemon(true);
          w.start();
        } catch (Exception e) {
          return;
        }
      }
    });
    t.setDaemon(true);
    t.start();
    return s;
  }

  @Test
  void eachDirectionIsDelayedSoARoundTripTakesTwice() throws Exception {
    try (ServerSocket echo = echoServer(); DelayProxy proxy = proxyTo(echo, Duration.ofMillis(15));
         Socket c = new Socket("127.0.0.1", proxy.port(0))) {
      c.setTcpNoDelay(true);
      long best = Long.MAX_VALUE;
      for (int i = 0; i < 5; i++) {
        long t0 = System.nanoTime();
        c.getOutputStream().write(i);
        assertEquals(i, c.getInputStream().read());
        best = Math.min(best, System.nanoTime() - t0);
      }
      double ms = best / 1e6;
      assertTrue(ms >= 30 && ms < 45, "round trip " + ms + " ms, expected about 2 x 15 ms");
    }
  }

  @Test
  void bytesArriveIntactAndInOrderAndEndOfStreamIsPassedOn() throws Exception {
    byte[] data = new byte[3_000_000];
    new Random(7).nextBytes(data);
    try (ServerSocket echo = echoServer(); DelayProxy proxy = proxyTo(echo, Duration.ofMillis(2));
         Socket c = new Socket("127.0.0.1", proxy.port(0))) {
      CompletableFuture<byte[]> back = CompletableFuture.supplyAsync(() -> {
        try {
          return c.getInputStream().readAllBytes(); // ends only if the echo's FIN came back through
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      c.getOutputStream().write(data);
      c.shutdownOutput();
      assertArrayEquals(data, back.get(20, TimeUnit.SECONDS));
      assertEquals(2L * data.length, proxy.stats().bytes());
    }
  }

  /**
   * The forwarder's own CPU cost, reported in the README: 512 MB one way through a 1 ms delay on
   * loopback, CPU time of the proxy's threads only.
   */
  @Test
  void cpuCostPerGigabyteIsMeasured() throws Exception {
    long total = 512L << 20;
    try (ServerSocket sink = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
         DelayProxy proxy = proxyTo(sink, Duration.ofMillis(1))) {
      CompletableFuture<Long> received = CompletableFuture.supplyAsync(() -> {
        try (Socket s = sink.accept(); InputStream in = s.getInputStream()) {
          return in.transferTo(OutputStream.nullOutputStream());
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      long t0 = System.nanoTime();
      try (Socket c = new Socket("127.0.0.1", proxy.port(0)); OutputStream out = c.getOutputStream()) {
        byte[] buf = new byte[1 << 16];
        for (long left = total; left > 0; left -= buf.length) {
          out.write(buf);
        }
      }
      assertEquals(total, received.get(60, TimeUnit.SECONDS));
      double seconds = (System.nanoTime() - t0) / 1e9;
      DelayProxy.Stats stats = proxy.stats();
      System.out.printf("delay proxy: %s; %.0f MB/s through one connection%n", stats, total / 1e6 / seconds);
      assertEquals(total, stats.bytes());
      assertTrue(stats.cpuNanos() > 0, "CPU time of the proxy threads is counted");
      assertTrue(stats.cpuSecondsPerGb() < 20, stats.toString());
    }
  }

  @Test
  void routesParseFromTheCommandLine() {
    DelayProxy.Route r = DelayProxy.Route.parse("127.0.0.1:51102=10.77.0.2:50102");
    assertEquals(new DelayProxy.Route("127.0.0.1", 51102, "10.77.0.2", 50102), r);
    assertEquals("127.0.0.1:51102=10.77.0.2:50102", r.toString());
  }

}
