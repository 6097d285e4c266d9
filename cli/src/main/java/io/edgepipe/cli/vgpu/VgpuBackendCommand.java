package io.edgepipe.cli.vgpu;

import io.edgepipe.vgpu.backend.BackendMetrics;

import picocli.CommandLine.Mixin;
import io.edgepipe.launcher.options.BindOption;
import io.edgepipe.vgpu.Gpu;
import io.edgepipe.vgpu.backend.BackendDevice;
import io.edgepipe.vgpu.backend.BackendLimits;
import io.edgepipe.vgpu.backend.BackendMemory;
import io.edgepipe.vgpu.backend.TokenStore;
import io.edgepipe.vgpu.backend.VgpuBackend;
import io.edgepipe.vgpu.remote.Wire;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pipeline vgpu-backend}: serve remote vGPUs from this machine's device until stopped. */
@Command(name = "vgpu-backend", mixinStandardHelpOptions = true,
    description = {"Serve remote vGPUs (vgpu://this-host:PORT) on this machine's GPU until interrupted.",
        "Each tenant gets fGPU and vMemory quotas. Tokens: one tenant:token per line in --tokens FILE or the file "
            + "named by $" + TokenStore.ENV + ", optionally followed by per-tenant caps over all its sessions: "
            + "max_fgpu=F max_vmem=N (256 MiB units) max_sessions=N; role=admin marks a status-only token that sees "
            + "every tenant. Admission, memory and sharing guarantees: docs/vgpu.md."})
public final class VgpuBackendCommand implements Callable<Integer> {
  @Option(names = "--port", defaultValue = "" + Wire.DEFAULT_PORT,
      description = "TCP port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
  int port;

  @Mixin
  BindOption bindOption;

  @Option(names = "--device", defaultValue = "auto",
      description = "Device to share: cuda, cuda:N, cpu or auto (default: ${DEFAULT-VALUE}).")
  String device;

  @Option(names = "--tokens", paramLabel = "FILE",
      description = "tenant:token file (default: the file named by $" + TokenStore.ENV + ").")
  Path tokens;

  @Option(names = "--metrics-port", defaultValue = "-1",
      description = "Serve Prometheus metrics (sessions, device memory, busy time) on this port; -1 = none (default).")
  int metricsPort;

  @Option(names = "--device-memory-mib", defaultValue = "0",
      description = "Device memory sessions may reserve, margin included (default: what the GPU reports; for the cpu "
          + "device a fifth of the heap).")
  long deviceMemoryMib;

  @Option(names = "--max-message-mib", defaultValue = "64",
      description = "Largest message (a batch's payload each way) in MiB (default: ${DEFAULT-VALUE}).")
  int maxMessageMib;

  @Option(names = "--host-budget-mib", defaultValue = "0",
      description = "Host memory all sessions' messages may hold, 2 x max message per session (default: a quarter of "
          + "the heap).")
  long hostBudgetMib;

  @Option(names = "--max-batch-ops", defaultValue = "4096",
      description = "Most ops in one batch (default: ${DEFAULT-VALUE}).")
  int maxBatchOps;

  @Option(names = "--reply-timeout-s", defaultValue = "30",
      description = "A reply unread this long ends its session (default: ${DEFAULT-VALUE}).")
  long replyTimeoutSeconds;

  @Option(names = "--no-warm-up",
      description = "Serve at once, without first exercising the session, batch and copy paths on a private session "
          + "(the warm-up makes the memory the first tenants would add once part of the level at start).")
  boolean noWarmUp;

  @Option(names = "--tls-cert", description = "Certificate (PEM) for mutual TLS (env EDGEPIPE_TLS_CERT).")
  Path tlsCert;

  @Option(names = "--tls-key", description = "Private key (PKCS#8 PEM) of --tls-cert (env EDGEPIPE_TLS_KEY).")
  Path tlsKey;

  @Option(names = "--tls-ca", description = "CA whose certificates clients must present (env EDGEPIPE_TLS_CA).")
  Path tlsCa;

  @Override
  public Integer call() throws Exception {
    String bind = bindOption.allInterfaces() ? null : bindOption.address(); // null: every interface
    if (device.startsWith("vgpu:")) {
      throw new IllegalArgumentException("--device must be a local device (cuda, cuda:N, cpu or auto), not " + device);
    }
    BackendMemory.configureProcess(); // this process is the backend: an idle one gives its heap back
    TokenStore ts = TokenStore.fromFlagOrEnv(tokens, System.getenv());
    BackendLimits limits = BackendLimits.defaults();
    limits = limits.withDeviceMemory(deviceMemoryMib << 20, limits.marginBytes())
        .withMessages(maxMessageMib << 20, hostBudgetMib > 0 ? hostBudgetMib << 20 : limits.hostBudgetBytes())
        .withBatches(maxBatchOps, limits.sliceNanos())
        .withTimeouts(replyTimeoutSeconds * 1000, limits.openTimeoutMillis(), limits.handshakeTimeoutMillis(),
            limits.idleConnectionMillis());
    Gpu gpu = BackendDevice.open(device, limits.deviceMemoryBytes());
    if (!noWarmUp) {
      System.out.println("vgpu-backend: " + io.edgepipe.vgpu.backend.BackendWarmUp.run(gpu, limits));
    }
    io.edgepipe.runtime.tls.TlsFiles tls = io.edgepipe.runtime.tls.TlsFiles.of(tlsCert, tlsKey, tlsCa, System.getenv());
    if (tls != null && bind != null) {
      throw new IllegalArgumentException("--bind and --tls-* together are not supported yet: use --tls-* with all interfaces");
    }
    VgpuBackend backend;
    try {
      backend = (tls != null ? VgpuBackend.onPort(port, tls.checked().serverCredentials(), gpu, ts, limits)
          : bind == null ? VgpuBackend.onPort(port, gpu, ts, limits)
          : VgpuBackend.onAddress(new java.net.InetSocketAddress(bind, port), gpu, ts, limits)).start();
    } catch (Exception e) {
      gpu.close();
      throw e;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        backend.stop();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "vgpu-backend-stop"));
    if (metricsPort >= 0) {
      VgpuBackend served = backend;
      new io.edgepipe.runtime.MetricsHttpServer("0.0.0.0", metricsPort, () -> BackendMetrics.scrape(served.status()));
    }
    System.out.printf("vgpu-backend: serving %s on %s port %d (%s) for tenants %s%n", backend.deviceName(),
        bind == null ? "all interfaces," : bind, backend.port(), tls != null ? "mutual TLS" : "plaintext", ts);
    System.out.printf("vgpu-backend: %d MiB of device memory reservable, host budget %d MiB (%d MiB per session), "
        + "messages up to %d MiB, %d ops per batch%n", backend.deviceBytesReservable() >> 20,
        limits.hostBudgetBytes() >> 20, limits.hostBytesPerSession() >> 20, limits.maxMessageBytes() >> 20,
        limits.maxOpsPerBatch());
    backend.awaitTermination();
    return 0;
  }
}
