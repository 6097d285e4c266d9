package io.edgepipe.vgpu.bench;

import com.google.protobuf.ByteString;
import io.edgepipe.vgpu.DevicePtr;
import io.edgepipe.vgpu.Dim3;
import io.edgepipe.vgpu.GpuException;
import io.edgepipe.vgpu.GpuFunction;
import io.edgepipe.vgpu.KernelArgs;
import io.edgepipe.vgpu.KernelCatalog;
import io.edgepipe.vgpu.backend.BackendMemory;
import io.edgepipe.vgpu.proto.CopyDtoH;
import io.edgepipe.vgpu.proto.CopyHtoD;
import io.edgepipe.vgpu.proto.Malloc;
import io.edgepipe.vgpu.proto.Op;
import io.edgepipe.vgpu.proto.ServerMessage;
import io.edgepipe.vgpu.remote.RemoteGpu;
import io.edgepipe.vgpu.remote.RemoteSpec;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One honest tenant and N hostile ones on one vgpu-backend (cpu device) running as a process of
 * its own: the honest tenant's round trip (upload, ReLU, download of a 256 KiB frame, results
 * checked) and the backend's resident memory (VmRSS), in three phases: alone, under attack, and
 * after the attackers have gone. Hostile tenant i runs attack i mod 4:
 * <ul>
 *   <li>{@code launches}: batches of thousands of ReLU launches over 4 MiB, back to back (the
 *       client splits them at the backend's op cap; each batch runs in slices);</li>
 *   <li>{@code unread}: sessions that ask for a 32 MiB read-back and never read it (the backend
 *       ends them at the reply timeout; the attacker opens another);</li>
 *   <li>{@code oversize}: 80 MiB messages against a 64 MiB limit, again and again;</li>
 *   <li>{@code sessions}: opens sessions until refused, and holds them.</li>
 * </ul>
 */
public final class TenantsBench {
  private static final long MIB = 1L << 20;
  static final List<String> ATTACKS = List.of("launches", "unread", "oversize", "sessions");

  /**
   * Hostile tenants, seconds per phase, the backend's heap, device memory and host budget; seconds
   * of honest traffic before the first phase (the JIT compiles and the backend's memory settles, so
   * that "before" is a level, not a ramp); extra JVM flags for the backend; whether the backend
   * runs its start-up warm-up ({@code BackendWarmUp}) before it serves, as {@code pipeline
   * vgpu-backend} does.
   */
  public record Config(int hostile, double phaseSeconds, int heapMib, int deviceMib, int hostBudgetMib,
      double warmUpSeconds, List<String> backendJavaOptions, boolean backendWarmUp) {
    public static final double DEFAULT_WARM_UP_SECONDS = 10;

    public Config {
      if (hostile < 1 || phaseSeconds <= 0 || heapMib < 256 || deviceMib < 256 || hostBudgetMib < 128
          || warmUpSeconds < 0) {
        throw new IllegalArgumentException("need >= 1 hostile tenant, a phase > 0 s, heap and device >= 256 MiB, "
            + "host budget >= 128 MiB, warm-up >= 0 s");
      }
      backendJavaOptions = List.copyOf(backendJavaOptions);
    }

    public Config(int hostile, double phaseSeconds, int heapMib, int deviceMib, int hostBudgetMib) {
      this(hostile, phaseSeconds, heapMib, deviceMib, hostBudgetMib, DEFAULT_WARM_UP_SECONDS, List.of(), true);
    }
  }

  /** One phase: the honest tenant's round trips (ms) and the backend's VmRSS samples (KiB). */
  public record Phase(String name, List<Double> roundTripMs, List<Long> rssKib, long wrongResults) {
    public double percentile(double p) {
      List<Double> s = new ArrayList<>(roundTripMs);
      Collections.sort(s);
      return s.isEmpty() ? Double.NaN : s.get((int) Math.min(s.size() - 1, Math.floor(p * s.size())));
    }

    public long rss(double p) {
      List<Long> s = new ArrayList<>(rssKib);
      Collections.sort(s);
      return s.isEmpty() ? -1 : s.get((int) Math.min(s.size() - 1, Math.floor(p * s.size())));
    }
  }

  /** RSS over time: milliseconds since the start, phase, KiB. */
  public record Sample(long millis, String phase, long rssKib) {}

  /** What each attack got: attempts, and how many the backend refused or ended. */
  public record Attack(String kind, long attempts, long refused) {}

  public record Result(List<Phase> phases, List<Sample> timeline, List<Attack> attacks, long rssBeforeKib,
      long rssAfterKib) {}

  private final Config config;

  public TenantsBench(Config config) {
    this.config = config;
  }

  public Result run() throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("vgpu-tenants");
    Path tokens = dir.resolve("tokens");
    // the admin token only reads the status, to see that the attackers' sessions have ended
    StringBuilder t = new StringBuilder("honest:t-honest\nbench-admin:t-bench-admin role=admin\n");
    for (int i = 0; i < config.hostile(); i++) {
      t.append("hostile").append(i).append(":t-hostile").append(i).append('\n');
    }
    Files.writeString(tokens, t.toString());
    // started as pipeline vgpu-backend is (BackendMemory's flags and malloc settings), plus the
    // caller's extra flags (e.g. -XX:NativeMemoryTracking=summary for jcmd's breakdown)
    List<String> cmd = new ArrayList<>(List.of(javaBin(), "-Xmx" + config.heapMib() + "m"));
    cmd.addAll(BackendMemory.JVM_FLAGS);
    cmd.addAll(io.edgepipe.api.VectorApi.childJvmFlags());
    cmd.addAll(config.backendJavaOptions());
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), BackendProcess.class.getName(), tokens.toString(),
        "" + config.deviceMib(), "" + config.hostBudgetMib(), "64", "2000",
        config.backendWarmUp() ? "warm-up" : "no-warm-up"));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
    pb.environment().putAll(BackendMemory.ENVIRONMENT);
    long started = System.nanoTime();
    Process backend = pb.start();
    System.out.println("backend pid " + backend.pid());
    try {
      int port = readPort(backend);
      System.out.printf(Locale.ROOT, "backend ready (serving) %.1f s after its start%n",
          (System.nanoTime() - started) / 1e9);
      return measure(backend.pid(), port);
    } finally {
      backend.getOutputStream().close(); // it exits when its stdin closes
      if (!backend.waitFor(5, TimeUnit.SECONDS)) {
        backend.destroyForcibly().waitFor();
      }
      Files.deleteIfExists(tokens);
      Files.deleteIfExists(dir);
    }
  }

  private Result measure(long pid, int port) throws InterruptedException {
    String host = java.net.InetAddress.getLoopbackAddress().getHostAddress();
    List<Sample> timeline = new CopyOnWriteArrayList<>();
    long t0 = System.nanoTime();
    String[] phase = {"warm-up"};
    AtomicBoolean sampling = new AtomicBoolean(true);
    Thread sampler = new Thread(() -> {
      while (sampling.get()) {
        long rss = vmRssKib(pid);
        if (rss > 0) {
          timeline.add(new Sample(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), phase[0], rss));
        }
        sleep(200);
      }
    }, "rss-sampler");
    sampler.setDaemon(true);
    sampler.start();
    List<Phase> phases = new ArrayList<>();
    Map<String, long[]> tally = new ConcurrentHashMap<>();
    try (RemoteGpu honest = RemoteGpu.connect(new RemoteSpec(host, port, "honest", "t-honest", 0.5, 1, "honest"))) {
      Honest h = new Honest(honest);
      h.phase("warm-up", (long) (config.warmUpSeconds() * 1000)); // not measured
      phase[0] = "alone";
      phases.add(h.phase("alone", phaseMillis()));
      phase[0] = "attack";
      AtomicBoolean stop = new AtomicBoolean();
      List<Thread> attackers = new ArrayList<>();
      List<ManagedChannel> channels = new CopyOnWriteArrayList<>();
      for (int i = 0; i < config.hostile(); i++) {
        String kind = ATTACKS.get(i % ATTACKS.size());
        String tenant = "hostile" + i;
        long[] counts = tally.computeIfAbsent(kind, k -> new long[2]);
        Thread a = new Thread(() -> attack(kind, host, port, tenant, stop, counts, channels), "attack-" + tenant);
        a.setDaemon(true);
        attackers.add(a);
        a.start();
      }
      phases.add(h.phase("attack", phaseMillis()));
      stop.set(true);
      // the attackers disconnect: their connections close (a launch batch being run is cut, not
      // waited for), and "after" starts once the backend has ended all their sessions
      channels.forEach(ManagedChannel::shutdownNow);
      for (Thread a : attackers) {
        a.join(30_000);
        if (a.isAlive()) {
          System.out.println("warning: " + a.getName() + " still running 30 s after the attack phase");
        }
      }
      long gone = System.nanoTime();
      int left = awaitOnlyHonest(host, port);
      System.out.printf(Locale.ROOT, "attackers' sessions ended %.1f s after their threads%s%n",
          (System.nanoTime() - gone) / 1e9, left > 1 ? " (not all: " + (left - 1) + " still open)" : "");
      phase[0] = "after";
      sleep(3000); // the backend's periodic GC returns what the attackers made it hold
      phases.add(h.phase("after", phaseMillis()));
    } finally {
      sampling.set(false);
      sampler.join(1_000);
    }
    List<Attack> attacks = new ArrayList<>();
    tally.forEach((k, v) -> attacks.add(new Attack(k, v[0], v[1])));
    attacks.sort((a, b) -> a.kind().compareTo(b.kind()));
    // before and after: the median of the second half of the quiet phases on either side of the
    // attack (one sample would land anywhere on the young generation's sawtooth)
    long before = settled(timeline, "alone");
    long last = settled(timeline, "after");
    List<Phase> withRss = new ArrayList<>();
    for (Phase p : phases) {
      List<Long> rss = timeline.stream().filter(s -> s.phase().equals(p.name())).map(Sample::rssKib).toList();
      withRss.add(new Phase(p.name(), p.roundTripMs(), rss, p.wrongResults()));
    }
    return new Result(withRss, List.copyOf(timeline), attacks, before, last);
  }

  /** Polls the backend's status (admin token) until only the honest session is open, for at most 30 s. */
  private static int awaitOnlyHonest(String host, int port) {
    RemoteSpec admin = new RemoteSpec(host, port, "bench-admin", "t-bench-admin", 1, 1, "status");
    int open = -1;
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < end) {
      open = io.edgepipe.vgpu.remote.StatusClient.query(admin).getSessionsCount();
      if (open <= 1) {
        break;
      }
      sleep(100);
    }
    return open;
  }

  /** Median RSS over the second half of {@code phase}'s samples, or -1 without samples. */
  static long settled(List<Sample> timeline, String phase) {
    List<Long> in = timeline.stream().filter(s -> s.phase().equals(phase)).map(Sample::rssKib).toList();
    if (in.isEmpty()) {
      return -1;
    }
    List<Long> half = new ArrayList<>(in.subList(in.size() / 2, in.size()));
    Collections.sort(half);
    return half.get(half.size() / 2);
  }

  private long phaseMillis() {
    return (long) (config.phaseSeconds() * 1000);
  }

  /** The honest tenant: one 256 KiB frame through ReLU per round trip, paced at 100 per second. */
  private static final class Honest {
    private static final int N = 64 * 1024;
    private final RemoteGpu gpu;
    private final DevicePtr in;
    private final DevicePtr out;
    private final GpuFunction relu;
    private final ByteBuffer host = ByteBuffer.allocateDirect(4 * N).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer back = ByteBuffer.allocateDirect(4 * N).order(ByteOrder.LITTLE_ENDIAN);
    private int frame;

    Honest(RemoteGpu gpu) {
      this.gpu = gpu;
      this.in = gpu.malloc(4L * N);
      this.out = gpu.malloc(4L * N);
      this.relu = gpu.function(gpu.loadModule(KernelCatalog.MODULE), KernelCatalog.RELU_F32);
    }

    /** One frame; true when the output is exact. */
    boolean frame() {
      frame++;
      for (int i = 0; i < N; i++) {
        host.putFloat(4 * i, ((i + frame) % 3 == 0) ? -i : i);
      }
      gpu.copyHtoDAsync(in, host);
      gpu.launch(relu, new Dim3(N / 256, 1, 1), new Dim3(256, 1, 1), KernelArgs.of().ptr(in).ptr(out).i32(N));
      gpu.copyDtoHAsync(back, out);
      gpu.synchronize();
      for (int i = 0; i < N; i += 97) {
        float want = ((i + frame) % 3 == 0) ? 0f : i;
        if (back.getFloat(4 * i) != want) {
          return false;
        }
      }
      return true;
    }

    Phase phase(String name, long millis) {
      List<Double> ms = new ArrayList<>();
      long wrong = 0;
      long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
      while (System.nanoTime() < end) {
        long a = System.nanoTime();
        if (!frame()) {
          wrong++;
        }
        long b = System.nanoTime();
        ms.add((b - a) / 1e6);
        long pause = 10_000_000 - (b - a);
        if (pause > 0) {
          sleep(pause / 1_000_000);
        }
      }
      return new Phase(name, ms, List.of(), wrong);
    }
  }

  /** Runs one attack until {@code stop}; counts[0] attempts, counts[1] refused or ended by the backend. */
  private static void attack(String kind, String host, int port, String tenant, AtomicBoolean stop, long[] counts,
      List<ManagedChannel> channels) {
    String token = "t-" + tenant;
    switch (kind) {
      case "launches" -> {
        while (!stop.get()) {
          // on a channel of the bench's, so that stopping cuts the batch being run
          try (RemoteGpu g = new RemoteGpu(channel(host, port, channels), true,
              new RemoteSpec(host, port, tenant, token, 0.5, 1, "launches"))) {
            int n = 1 << 20;
            DevicePtr p = g.malloc(4L * n);
            GpuFunction relu = g.function(g.loadModule(KernelCatalog.MODULE), KernelCatalog.RELU_F32);
            while (!stop.get()) {
              for (int i = 0; i < 2048; i++) {
                g.launch(relu, new Dim3(n / 256, 1, 1), new Dim3(256, 1, 1), KernelArgs.of().ptr(p).ptr(p).i32(n));
              }
              add(counts, 0);
              g.synchronize();
            }
          } catch (GpuException e) {
            if (!stop.get()) {
              add(counts, 1);
            }
          }
        }
      }
      case "unread" -> rawSessions(channel(host, port, channels), token, stop, counts, s -> {
        ServerMessage o = s.open(0.1, 1);
        if (o == null || !o.hasOpened()) {
          add(counts, 1);
          sleep(200);
          return;
        }
        s.batch(1, List.of(Op.newBuilder().setMalloc(Malloc.newBuilder().setBytes(32 * MIB)).build()));
        ServerMessage r = s.read(10_000);
        if (r == null || r.getResult().getHandlesCount() == 0) {
          add(counts, 1);
          return;
        }
        s.batch(2, List.of(Op.newBuilder().setDtoh(CopyDtoH.newBuilder().setSrc(r.getResult().getHandles(0))
            .setBytes(32 * MIB)).build()));
        if (s.awaitEnd(30_000) != null) {
          add(counts, 1); // the backend ended it: the reply stayed unread
        }
      });
      case "oversize" -> {
        ByteString payload = ByteString.copyFrom(new byte[80 << 20]);
        rawSessions(channel(host, port, channels), token, stop, counts, s -> {
          ServerMessage o = s.open(0.1, 1);
          if (o != null && o.hasOpened()) {
            s.batch(1, List.of(Op.newBuilder().setHtod(CopyHtoD.newBuilder().setDst(1).setData(payload)).build()));
          }
          if (s.awaitEnd(10_000) != null) {
            add(counts, 1);
          }
        });
      }
      default -> { // sessions
        List<RemoteGpu> held = new ArrayList<>();
        try {
          while (!stop.get()) {
            add(counts, 0);
            try {
              held.add(RemoteGpu.connect(new RemoteSpec(host, port, tenant, token, 0.01, 1, "sessions")));
            } catch (GpuException e) {
              add(counts, 1);
              sleep(100);
            }
          }
        } finally {
          held.forEach(RemoteGpu::close);
        }
      }
    }
  }

  /** One attempt of a raw-session attack, on a session of its own. */
  private interface RawAttempt {
    void run(RawSession s) throws InterruptedException;
  }

  /**
   * Runs {@code attempt} on one new raw session after another until {@code stop}: each counts as
   * an attempt (counts[0]), one that fails as refused (counts[1]); each session is cancelled after.
   */
  private static void rawSessions(ManagedChannel ch, String token, AtomicBoolean stop, long[] counts,
      RawAttempt attempt) {
    while (!stop.get()) {
      RawSession s = new RawSession(ch, token);
      try {
        add(counts, 0);
        attempt.run(s);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        add(counts, 1);
      } finally {
        s.cancel();
      }
    }
  }

  private static synchronized void add(long[] counts, int i) {
    counts[i]++;
  }

  private static ManagedChannel channel(String host, int port, List<ManagedChannel> channels) {
    ManagedChannel c = NettyChannelBuilder.forAddress(host, port).usePlaintext().maxInboundMessageSize(256 << 20).build();
    channels.add(c);
    return c;
  }

  // ---------------------------------------------------------------- output

  /** The table: per phase, honest round trip min/p50/p99/max and backend RSS min/median/max. */
  public static String table(Result r) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "%-7s %6s %8s %8s %8s %8s %6s %8s %8s %8s%n", "phase", "calls", "min_ms",
        "p50_ms", "p99_ms", "max_ms", "wrong", "rss_min", "rss_med", "rss_max"));
    for (Phase p : r.phases()) {
      List<Double> s = new ArrayList<>(p.roundTripMs());
      Collections.sort(s);
      b.append(String.format(Locale.ROOT, "%-7s %6d %8.2f %8.2f %8.2f %8.2f %6d %7dM %7dM %7dM%n", p.name(),
          s.size(), s.isEmpty() ? Double.NaN : s.get(0), p.percentile(0.5), p.percentile(0.99),
          s.isEmpty() ? Double.NaN : s.get(s.size() - 1), p.wrongResults(), p.rss(0) >> 10, p.rss(0.5) >> 10,
          p.rss(1.0) >> 10));
    }
    Phase alone = r.phases().get(0);
    Phase attack = r.phases().get(1);
    b.append(String.format(Locale.ROOT, "honest p50 under attack / alone: %.2fx; p99: %.2fx%n",
        attack.percentile(0.5) / alone.percentile(0.5), attack.percentile(0.99) / alone.percentile(0.99)));
    b.append(String.format(Locale.ROOT, "backend RSS: %d MiB settled before (median of the quiet phase's second half),"
        + " %d MiB peak under attack, %d MiB settled after (%+.1f%%)%n", r.rssBeforeKib() >> 10, attack.rss(1.0) >> 10,
        r.rssAfterKib() >> 10, 100.0 * (r.rssAfterKib() - r.rssBeforeKib()) / r.rssBeforeKib()));
    for (Attack a : r.attacks()) {
      b.append(String.format(Locale.ROOT, "attack %-9s %6d attempts, %6d refused or ended by the backend%n", a.kind(),
          a.attempts(), a.refused()));
    }
    return b.toString();
  }

  /** CSV of the phases (one row each). */
  public static String phasesCsv(Result r) {
    StringBuilder b = new StringBuilder("phase,calls,min_ms,p50_ms,p99_ms,max_ms,wrong,rss_min_kib,rss_median_kib,"
        + "rss_max_kib\n");
    for (Phase p : r.phases()) {
      List<Double> s = new ArrayList<>(p.roundTripMs());
      Collections.sort(s);
      b.append(String.format(Locale.ROOT, "%s,%d,%.3f,%.3f,%.3f,%.3f,%d,%d,%d,%d%n", p.name(), s.size(),
          s.isEmpty() ? Double.NaN : s.get(0), p.percentile(0.5), p.percentile(0.99),
          s.isEmpty() ? Double.NaN : s.get(s.size() - 1), p.wrongResults(), p.rss(0), p.rss(0.5), p.rss(1.0)));
    }
    return b.toString();
  }

  /** CSV of the RSS timeline. */
  public static String rssCsv(Result r) {
    StringBuilder b = new StringBuilder("millis,phase,rss_kib\n");
    for (Sample s : r.timeline()) {
      b.append(s.millis()).append(',').append(s.phase()).append(',').append(s.rssKib()).append('\n');
    }
    return b.toString();
  }

  // ---------------------------------------------------------------- process plumbing

  /** Reads the backend's stdout up to its {@code port N} line, echoing what comes before (its warm-up report). */
  private static int readPort(Process p) throws IOException {
    BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line = r.readLine();
    while (line != null && line.startsWith("warm-up")) {
      System.out.println("backend " + line);
      line = r.readLine();
    }
    if (line == null || !line.startsWith("port ")) {
      throw new IOException("the backend process did not start (said: " + line + ")");
    }
    return Integer.parseInt(line.substring(5).strip());
  }

  /** VmRSS of process {@code pid} in KiB, or -1 when it cannot be read. */
  static long vmRssKib(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.substring(6).replace("kB", "").strip());
        }
      }
    } catch (IOException | UncheckedIOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
