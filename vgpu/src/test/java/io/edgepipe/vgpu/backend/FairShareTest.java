package io.edgepipe.vgpu.backend;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.vgpu.Dim3;
import io.edgepipe.vgpu.GpuFunction;
import io.edgepipe.vgpu.GpuModule;
import io.edgepipe.vgpu.KernelArgs;
import io.edgepipe.vgpu.proto.SessionStatus;
import io.edgepipe.vgpu.proto.StatusReply;
import io.edgepipe.vgpu.remote.RemoteGpu;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * fGPU enforcement measured in device busy time (not wall-clock): tenants with different fGPU
 * all saturate the device with equal-cost synthetic launches; each one's share of the busy time
 * over a window must be within 5 percentage points of its fGPU normalised over the backlogged
 * tenants.
 */
class FairShareTest {
  private static final int SPIN_MICROS = 250;
  private static final int LAUNCHES_PER_BATCH = 4; // 1 ms of device time per round trip
  private static final long WARMUP_MS = 300;
  private static final long WINDOW_MS = 1200;

  @Test
  void twoTenants() throws Exception {
    check(new double[] {0.7, 0.3});
  }

  @Test
  void fourTenants() throws Exception {
    check(new double[] {0.4, 0.3, 0.2, 0.1});
  }

  @Test
  void eightTenants() throws Exception {
    check(new double[] {0.25, 0.2, 0.15, 0.1, 0.1, 0.1, 0.05, 0.05});
  }

  /** An idle tenant's share is not wasted: a light user leaves the rest to a saturating one. */
  @Test
  void idleShareGoesToOthers() throws Exception {
    Map<String, String> tokens = Map.of("big", "t-big", "small", "t-small");
    try (InProcessBackend b = new InProcessBackend(new SpinGpu(), tokens)) {
      AtomicBoolean stop = new AtomicBoolean();
      List<Thread> threads = new ArrayList<>();
      // "big" has fGPU 0.8 but uses ~1/6 of the device (1 ms of work, then 5 ms of pause)
      threads.add(client(b, "big", "t-big", 0.8, 5, stop));
      threads.add(client(b, "small", "t-small", 0.2, 0, stop));
      Map<String, Double> share = measure(b, threads, stop);
      System.out.printf("fGPU idle share: big(0.8, light)=%.3f small(0.2, saturating)=%.3f%n",
          share.get("big"), share.get("small"));
      assertTrue(share.get("small") > 0.6, "the saturating tenant gets the idle share: " + share);
    }
  }

  private void check(double[] fgpu) throws Exception {
    Map<String, String> tokens = new HashMap<>();
    for (int i = 0; i < fgpu.length; i++) {
      tokens.put("t" + i, "tok" + i);
    }
    try (InProcessBackend b = new InProcessBackend(new SpinGpu(), tokens)) {
      AtomicBoolean stop = new AtomicBoolean();
      List<Thread> threads = new ArrayList<>();
      for (int i = 0; i < fgpu.length; i++) {
        threads.add(client(b, "t" + i, "tok" + i, fgpu[i], 0, stop));
      }
      Map<String, Double> share = measure(b, threads, stop);
      double sum = 0;
      for (double f : fgpu) {
        sum += f;
      }
      double worst = 0;
      StringBuilder report = new StringBuilder();
      for (int i = 0; i < fgpu.length; i++) {
        double want = fgpu[i] / sum;
        double got = share.getOrDefault("t" + i, 0.0);
        worst = Math.max(worst, Math.abs(got - want));
        report.append(String.format(" t%d %.3f/%.3f", i, got, want));
      }
      System.out.printf("fGPU %d tenants: max error %.2f pp;%s (got/wanted)%n", fgpu.length, 100 * worst, report);
      assertTrue(worst <= 0.05, "busy share off by " + (100 * worst) + " pp:" + report);
    }
  }

  /** Runs the clients, returns each tenant's share of busy time over the window after warm-up. */
  private static Map<String, Double> measure(InProcessBackend b, List<Thread> threads, AtomicBoolean stop)
      throws InterruptedException {
    threads.forEach(Thread::start);
    try {
      Thread.sleep(WARMUP_MS);
      Map<String, Long> before = busyByTenant(b.backend.status());
      Thread.sleep(WINDOW_MS);
      Map<String, Long> after = busyByTenant(b.backend.status());
      long total = 0;
      Map<String, Long> delta = new HashMap<>();
      for (Map.Entry<String, Long> e : after.entrySet()) {
        long d = e.getValue() - before.getOrDefault(e.getKey(), 0L);
        delta.put(e.getKey(), d);
        total += d;
      }
      Map<String, Double> share = new HashMap<>();
      for (Map.Entry<String, Long> e : delta.entrySet()) {
        share.put(e.getKey(), (double) e.getValue() / total);
      }
      return share;
    } finally {
      stop.set(true);
      for (Thread t : threads) {
        t.join(5000);
      }
    }
  }

  private static Map<String, Long> busyByTenant(StatusReply s) {
    Map<String, Long> m = new HashMap<>();
    for (SessionStatus st : s.getSessionsList()) {
      m.merge(st.getTenant(), st.getBusyNanos(), Long::sum);
    }
    return m;
  }

  private static Thread client(InProcessBackend b, String tenant, String token, double fgpu, long pauseMs,
      AtomicBoolean stop) {
    Thread t = new Thread(() -> {
      try (RemoteGpu gpu = b.open(tenant, token, fgpu, 1)) {
        GpuModule m = gpu.loadModule(SpinGpu.MODULE);
        GpuFunction spin = gpu.function(m, SpinGpu.SPIN);
        while (!stop.get()) {
          for (int i = 0; i < LAUNCHES_PER_BATCH; i++) {
            gpu.launch(spin, Dim3.ONE, Dim3.ONE, KernelArgs.of().i32(SPIN_MICROS));
          }
          gpu.synchronize();
          if (pauseMs > 0) {
            Thread.sleep(pauseMs);
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "client-" + tenant);
    t.setDaemon(true);
    return t;
  }
}
