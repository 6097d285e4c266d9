package io.edgepipe.testbed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The user-space one-way delay of the testbed (netem is absent on these kernels): a TCP
 * forwarder that holds every chunk of bytes for a fixed delay before passing it on, in each
 * direction. It runs in the sender's namespace, listens on loopback, and forwards to the
 * receiver's address across the shaped veth link; the sender is pointed at it instead of at
 * the receiver. A hop thus sees the configured delay on its data and again on its acks, HTTP/2
 * window updates and replies (round trip = 2 x delay) on top of the link's rate limit.
 *
 * <p>Limits (documented in the README): it delays the byte stream, not packets, so TCP's own
 * congestion window does not see the delay (the two TCP legs are short and fast); gRPC's HTTP/2
 * flow control does. Each direction buffers at most {@code bufferBytes}; with a buffer of at
 * least rate x delay it never caps throughput below the link rate. Connection setup is not
 * delayed.
 */
public final class DelayProxy implements AutoCloseable {
  /** Listen on {@code listenHost:listenPort}, forward to {@code targetHost:targetPort}. */
  public record Route(String listenHost, int listenPort, String targetHost, int targetPort) {
    /** {@code 127.0.0.1:61101=10.77.0.2:50101} */
    public static Route parse(String text) {
      String[] sides = text.split("=");
      if (sides.length != 2) {
        throw new IllegalArgumentException("route '" + text + "' is not LISTEN_HOST:PORT=TARGET_HOST:PORT");
      }
      int a = sides[0].lastIndexOf(':');
      int b = sides[1].lastIndexOf(':');
      return new Route(sides[0].substring(0, a), Integer.parseInt(sides[0].substring(a + 1)),
          sides[1].substring(0, b), Integer.parseInt(sides[1].substring(b + 1)));
    }

    @Override
    public String toString() {
      return listenHost + ":" + listenPort + "=" + targetHost + ":" + targetPort;
    }
  }

  /** Bytes forwarded (both directions, all connections) and the CPU time of the forwarding threads. */
  public record Stats(long bytes, long cpuNanos, int connections) {
    /** CPU seconds per GB (10^9 bytes) forwarded. */
    public double cpuSecondsPerGb() {
      return bytes == 0 ? 0 : cpuNanos / 1e9 / (bytes / 1e9);
    }

    @Override
    public String toString() {
      return String.format("forwarded %d bytes over %d connection(s), %.3f s CPU (%.2f CPU s/GB)", bytes,
          connections, cpuNanos / 1e9, cpuSecondsPerGb());
    }
  }

  static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private final List<Route> routes;
  private final long delayNanos;
  private final int bufferBytes;
  private final List<ServerSocket> listeners = new ArrayList<>();
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final Set<Thread> liveThreads = ConcurrentHashMap.newKeySet();
  private final AtomicLong bytes = new AtomicLong();
  private final AtomicLong finishedCpu = new AtomicLong();
  private final AtomicLong connections = new AtomicLong();
  private volatile boolean closed;

  /**
   * @param bufferBytes most bytes held per direction of a connection; use at least rate x delay
   */
  public DelayProxy(List<Route> routes, Duration delay, int bufferBytes) {
    if (routes.isEmpty()) {
      throw new IllegalArgumentException("a delay proxy needs at least one route");
    }
    this.routes = List.copyOf(routes);
    this.delayNanos = delay.toNanos();
    this.bufferBytes = Math.max(bufferBytes, DelayPipe.CHUNK);
  }

  /** The buffer a link of this rate and delay needs in flight, with a 4 MiB floor. */
  public static int bufferFor(long rateBps, Duration delay) {
    long bdp = rateBps / 8 * delay.toNanos() / 1_000_000_000L;
    return (int) Math.min(Integer.MAX_VALUE / 2, Math.max(4L << 20, 2 * bdp));
  }

  /** Binds every route's listener (so a caller may connect as soon as this returns). */
  public DelayProxy start() {
    try {
      for (Route r : routes) {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(r.listenHost(), r.listenPort()), 64);
        listeners.add(s);
        thread("accept-" + r.listenPort(), () -> acceptLoop(s, r)).start();
      }
      return this;
    } catch (IOException e) {
      close();
      throw new UncheckedIOException("delay proxy cannot listen: " + e.getMessage(), e);
    }
  }

  /** The port a route listens on (useful with port 0). */
  public int port(int routeIndex) {
    return listeners.get(routeIndex).getLocalPort();
  }

  private void acceptLoop(ServerSocket listener, Route r) {
    while (!closed) {
      Socket in;
      try {
        in = listener.accept();
      } catch (IOException e) {
        return; // closed
      }
      Socket out = new Socket();
      try {
        out.connect(new InetSocketAddress(r.targetHost(), r.targetPort()), 10_000);
      } catch (IOException e) {
        System.err.println("delay proxy: cannot reach " + r.targetHost() + ":" + r.targetPort() + ": " + e.getMessage());
        closeQuietly(in);
        closeQuietly(out);
        continue;
      }
      connections.incrementAndGet();
      connect(in, out, r.listenPort());
    }
  }

  private void connect(Socket a, Socket b, int port) {
    try {
      a.setTcpNoDelay(true);
      b.setTcpNoDelay(true);
    } catch (IOException ignored) {
      // best effort
    }
    sockets.add(a);
    sockets.add(b);
    java.util.concurrent.atomic.AtomicInteger finishedDirections = new java.util.concurrent.atomic.AtomicInteger();
    DelayPipe.Listener listener = new DelayPipe.Listener() {
      @Override
      public void forwarded(long n) {
        bytes.addAndGet(n);
      }

      @Override
      public void finished() {
        if (finishedDirections.incrementAndGet() == 2) {
          failed(); // both halves closed: release the sockets
        }
      }

      @Override
      public void failed() {
        closeQuietly(a);
        closeQuietly(b);
        sockets.remove(a);
        sockets.remove(b);
      }
    };
    new DelayPipe(a, b, delayNanos, bufferBytes, listener).start(this::thread, port + "-fwd");
    new DelayPipe(b, a, delayNanos, bufferBytes, listener).start(this::thread, port + "-back");
  }

  /** A forwarding thread whose CPU time is counted in {@link #stats}. */
  private Thread thread(String name, Runnable body) {
    Thread t = new Thread(() -> {
      try {
        body.run();
      } finally {
        finishedCpu.addAndGet(Math.max(0, THREADS.getCurrentThreadCpuTime()));
        liveThreads.remove(Thread.currentThread());
      }
    }, "delay-" + name);
    t.setDaemon(true);
    liveThreads.add(t);
    return t;
  }

  public Stats stats() {
    long cpu = finishedCpu.get();
    for (Thread t : liveThreads) {
      cpu += Math.max(0, THREADS.getThreadCpuTime(t.getId()));
    }
    return new Stats(bytes.get(), cpu, (int) connections.get());
  }

  @Override
  public void close() {
    closed = true;
    listeners.forEach(DelayProxy::closeQuietly);
    sockets.forEach(DelayProxy::closeQuietly);
  }

  static void closeQuietly(java.io.Closeable c) {
    try {
      c.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  /**
   * {@code DelayProxy --delay 10ms [--buffer BYTES] ROUTE...}: binds, prints
   * {@code EDGEPIPE-TB READY}, forwards until SIGTERM, then prints its {@link Stats}.
   */
  public static void main(String[] args) throws InterruptedException {
    Duration delay = null;
    int buffer = 4 << 20;
    List<Route> routes = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--delay" -> delay = Units.parseDelay(args[++i]);
        case "--buffer" -> buffer = Integer.parseInt(args[++i]);
        default -> routes.add(Route.parse(args[i]));
      }
    }
    if (delay == null) {
      System.err.println("usage: DelayProxy --delay 10ms [--buffer BYTES] LISTEN_HOST:PORT=TARGET_HOST:PORT...");
      System.exit(2);
    }
    DelayProxy proxy = new DelayProxy(routes, delay, buffer).start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      proxy.close();
      System.out.println(NodeProcess.PROTOCOL + "STATS " + proxy.stats());
      System.out.flush();
    }));
    System.out.println(NodeProcess.PROTOCOL + "READY " + routes);
    System.out.flush();
    Thread.currentThread().join();
  }
}
