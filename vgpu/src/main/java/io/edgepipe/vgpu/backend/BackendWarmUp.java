package io.edgepipe.vgpu.backend;

import io.edgepipe.vgpu.DevicePtr;
import io.edgepipe.vgpu.Dim3;
import io.edgepipe.vgpu.Gpu;
import io.edgepipe.vgpu.GpuException;
import io.edgepipe.vgpu.GpuFunction;
import io.edgepipe.vgpu.KernelArgs;
import io.edgepipe.vgpu.KernelCatalog;
import io.edgepipe.vgpu.remote.LinkOptions;
import io.edgepipe.vgpu.remote.RemoteGpu;
import io.edgepipe.vgpu.remote.RemoteSpec;
import io.edgepipe.vgpu.remote.Wire;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Brings a backend process to the memory it keeps for good before it serves anyone, so that what
 * the first tenants' traffic would otherwise add once (code the JIT compiles and classes it loads
 * for the session, batch and copy paths, the transport's pool chunks for its event loops) is in
 * the level the process starts from, and a tenant's burst leaves nothing of its own behind
 * (docs/vgpu.md, section 6, "Resident memory"). It runs the paths tenants use, the hostile ones
 * included, on a private backend (loopback, a random token, the same device and limits) and stops
 * it again: small frames through shared memory, large copies inline through gRPC, launch queues
 * longer than a batch's op cap, a malloc past the session's quota. A process whose job is the
 * backend ({@code pipeline vgpu-backend}) calls {@link #run} before it starts serving.
 */
public final class BackendWarmUp {
  private static final Logger LOG = Logger.getLogger(BackendWarmUp.class.getName());

  /** Small round trips (the JIT's thresholds for its optimising compiler are a few thousand calls). */
  static final int FRAMES = 1_500;
  /**
   * Large inline batches, 1 MiB each way through gRPC: the inline path's code without making the
   * transport's pools hold more than a tenant's traffic would (client and backend share them here).
   */
  static final int COPIES = 40;
  /** Queues of launches longer than the op cap (split by the client, run in slices). */
  static final int FLOODS = 4;
  /** The warm-up stops after this long even if unfinished (a busy host). */
  static final long MAX_MILLIS = 20_000;

  /** What the warm-up did: wall time and round trips, or why it stopped. */
  public record Report(long millis, long roundTrips, String stoppedBy) {
    @Override
    public String toString() {
      return String.format(java.util.Locale.ROOT, "warm-up: %d round trips in %.1f s%s", roundTrips, millis / 1e3,
          stoppedBy.isEmpty() ? "" : " (" + stoppedBy + ")");
    }
  }

  private BackendWarmUp() {}

  /**
   * Runs the warm-up against {@code device} with {@code limits} on a private loopback backend,
   * which it stops again; the device stays open. Never throws for a refused or failed step (a
   * device too small for a session, say): the report says what stopped it.
   */
  public static Report run(Gpu device, BackendLimits limits) {
    long t0 = System.nanoTime();
    String token = HexFormat.of().formatHex(new SecureRandom().generateSeed(24));
    String tenant = "warm-up";
    VgpuBackend b = VgpuBackend.sharingDevice(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), device,
        TokenStore.of(Map.of(tenant, token)), limits);
    long[] trips = {0};
    String stoppedBy = "";
    try {
      b.start();
      String host = InetAddress.getLoopbackAddress().getHostAddress();
      RemoteSpec spec = new RemoteSpec(host, b.port(), tenant, token, 1, 1, "warm-up");
      long deadline = t0 + MAX_MILLIS * 1_000_000;
      try (RemoteGpu shm = RemoteGpu.connect(spec)) {
        frames(shm, deadline, trips);
      }
      try (RemoteGpu inline = RemoteGpu.connect(spec.withLink(LinkOptions.DEFAULT.withShmBytes(0)))) {
        copiesAndFloods(inline, limits, deadline, trips);
      }
      if (System.nanoTime() > deadline) {
        stoppedBy = "stopped at " + MAX_MILLIS / 1000 + " s";
      }
    } catch (java.io.IOException | RuntimeException e) { // GpuException included
      stoppedBy = "stopped: " + e.getMessage();
    } finally {
      try {
        b.stop(1_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    // the warm-up's garbage and freed native memory go before the backend serves, so that its
    // level at start is what it keeps, not what the warm-up left
    BackendMemory.returnToSystem();
    Report r = new Report((System.nanoTime() - t0) / 1_000_000, trips[0], stoppedBy);
    LOG.info(r::toString);
    return r;
  }

  /** An edge stage's frames: 256 KiB up, ReLU, 256 KiB down, one round trip each (shared memory if offered). */
  private static void frames(RemoteGpu g, long deadline, long[] trips) {
    int n = 64 * 1024;
    DevicePtr in = g.malloc(4L * n);
    DevicePtr out = g.malloc(4L * n);
    GpuFunction relu = g.function(g.loadModule(KernelCatalog.MODULE), KernelCatalog.RELU_F32);
    ByteBuffer host = ByteBuffer.allocateDirect(4 * n).order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer back = ByteBuffer.allocateDirect(4 * n).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < FRAMES && System.nanoTime() < deadline; i++) {
      host.putFloat(4 * (i % n), -i);
      g.copyHtoDAsync(in, host);
      g.launch(relu, new Dim3(n / 256, 1, 1), new Dim3(256, 1, 1), KernelArgs.of().ptr(in).ptr(out).i32(n));
      g.copyDtoHAsync(back, out);
      g.synchronize();
      trips[0]++;
    }
  }

  /** Copies inline, launch queues past the op cap, and a malloc past the quota (refused). */
  private static void copiesAndFloods(RemoteGpu g, BackendLimits limits, long deadline, long[] trips) {
    int bytes = (int) Math.min(1L << 20, Wire.payloadLimit(limits.maxMessageBytes()) / 2);
    DevicePtr big = g.malloc(bytes);
    ByteBuffer data = ByteBuffer.allocateDirect(bytes).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < COPIES && System.nanoTime() < deadline; i++) {
      data.putInt(4 * i, i);
      g.copyHtoDAsync(big, data);
      g.copyDtoHAsync(data.clear(), big);
      g.synchronize();
      trips[0]++;
    }
    int n = 1024;
    DevicePtr small = g.malloc(4L * n);
    GpuFunction relu = g.function(g.loadModule(KernelCatalog.MODULE), KernelCatalog.RELU_F32);
    for (int f = 0; f < FLOODS && System.nanoTime() < deadline; f++) {
      for (int i = 0; i < limits.maxOpsPerBatch() + 100; i++) {
        g.launch(relu, new Dim3(n / 256, 1, 1), new Dim3(256, 1, 1), KernelArgs.of().ptr(small).ptr(small).i32(n));
      }
      g.synchronize();
      trips[0] += 2;
    }
    try {
      g.malloc(2L * Session.VMEM_UNIT); // past the 1-unit quota
    } catch (GpuException expected) {
      trips[0]++; // RESOURCE_EXHAUSTED, as a greedy tenant gets
    }
  }
}
