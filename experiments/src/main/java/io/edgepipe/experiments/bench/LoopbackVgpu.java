package io.edgepipe.experiments.bench;

import io.edgepipe.vgpu.Devices;
import io.edgepipe.vgpu.Gpu;
import io.edgepipe.vgpu.backend.TokenStore;
import io.edgepipe.vgpu.backend.VgpuBackend;
import io.edgepipe.vgpu.remote.RemoteGpu;
import io.edgepipe.vgpu.remote.RemoteSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;

/**
 * A vgpu-backend in this process, reachable on the loopback interface only, serving one device,
 * with a random one-off token: the remote side of {@code bench vgpu} and {@code vgpu profile}.
 */
public final class LoopbackVgpu implements AutoCloseable {
  static final String TENANT = "local";

  private final VgpuBackend backend;
  private final String token;

  /** Starts a backend on {@code deviceSpec} (a local device: auto, cpu, cuda, cuda:N). */
  public LoopbackVgpu(String deviceSpec) {
    if (deviceSpec != null && deviceSpec.strip().startsWith("vgpu:")) {
      throw new IllegalArgumentException("--device must be a local device (auto, cpu, cuda, cuda:N), not " + deviceSpec);
    }
    byte[] t = new byte[24];
    new SecureRandom().nextBytes(t);
    this.token = HexFormat.of().formatHex(t);
    Gpu device = Devices.open(deviceSpec);
    try {
      // one tenant on its own loopback backend, sized by the profile itself: no admission caps
      this.backend = VgpuBackend.onAddress(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0),
          device, TokenStore.of(Map.of(TENANT, token)).withLimits(Map.of(TENANT,
              new TokenStore.Limits(1.0, io.edgepipe.vgpu.backend.BackendLimits.MAX_VMEM_UNITS, 64, false))),
          io.edgepipe.vgpu.backend.BackendLimits.defaults().withDeviceMemory(Long.MAX_VALUE / 2, 0)).start();
    } catch (IOException e) {
      device.close();
      throw new UncheckedIOException("cannot start a loopback vgpu-backend: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      device.close();
      throw e;
    }
  }

  VgpuBackend backend() {
    return backend;
  }

  /** The backend's device name, e.g. "cpu" or "cuda:0 NVIDIA H100". */
  String deviceName() {
    return backend.deviceName();
  }

  /** A session (one vGPU) with these quotas, over TCP to the loopback port. */
  public RemoteGpu open(double fgpu, int vmemUnits, String client) {
    return RemoteGpu.connect(spec(fgpu, vmemUnits, client));
  }

  public RemoteSpec spec(double fgpu, int vmemUnits, String client) {
    return new RemoteSpec(loopbackHost(), backend.port(), TENANT, token, fgpu, vmemUnits, client);
  }

  private static String loopbackHost() {
    return java.net.InetAddress.getLoopbackAddress().getHostAddress();
  }

  @Override
  public void close() {
    try {
      backend.stop(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
