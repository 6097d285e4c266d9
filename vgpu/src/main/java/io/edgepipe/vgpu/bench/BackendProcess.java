package io.edgepipe.vgpu.bench;

import io.edgepipe.vgpu.Gpu;
import io.edgepipe.vgpu.backend.BackendDevice;
import io.edgepipe.vgpu.backend.BackendLimits;
import io.edgepipe.vgpu.backend.BackendMemory;
import io.edgepipe.vgpu.backend.BackendWarmUp;
import io.edgepipe.vgpu.backend.TokenStore;
import io.edgepipe.vgpu.backend.VgpuBackend;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * A loopback vgpu-backend on the cpu device as a process of its own, for
 * {@link TenantsBench} (its resident memory is read from /proc). Arguments: tokens file, device
 * memory MiB, host budget MiB, max message MiB, reply timeout ms, and optionally {@code no-warm-up}
 * (else it runs {@link BackendWarmUp} first, as {@code pipeline vgpu-backend} does). Prints the
 * warm-up's report, then {@code port N} once serving; exits when its standard input closes (its
 * parent is gone).
 */
public final class BackendProcess {
  private BackendProcess() {}

  public static void main(String[] args) throws Exception {
    BackendMemory.configureProcess(); // as pipeline vgpu-backend does
    long mib = 1L << 20;
    BackendLimits limits = BackendLimits.defaults()
        .withDeviceMemory(Long.parseLong(args[1]) * mib, -1)
        .withMessages(Integer.parseInt(args[3]) << 20, Long.parseLong(args[2]) * mib);
    limits = limits.withTimeouts(Long.parseLong(args[4]), limits.openTimeoutMillis(), limits.handshakeTimeoutMillis(),
        limits.idleConnectionMillis());
    Gpu device = BackendDevice.open("cpu", limits.deviceMemoryBytes());
    if (!(args.length > 5 && args[5].equals("no-warm-up"))) {
      System.out.println(BackendWarmUp.run(device, limits));
    }
    VgpuBackend b = VgpuBackend.onAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), device,
        TokenStore.load(Path.of(args[0])), limits).start();
    System.out.println("port " + b.port());
    System.out.flush();
    while (System.in.read() >= 0) {
      // the parent holds our stdin open while it wants us
    }
    b.stop(1_000);
    System.exit(0);
  }
}
