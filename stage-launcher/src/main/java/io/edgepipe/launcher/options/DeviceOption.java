package io.edgepipe.launcher.options;

import io.edgepipe.vgpu.Devices;
import io.edgepipe.vgpu.remote.RemoteSpec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import picocli.CommandLine.Option;

/** {@code --device}: where the compute stages compute, the same flag and default on every command. */
public final class DeviceOption {
  @Option(names = "--device", defaultValue = "${env:EDGEPIPE_DEVICE:-auto}", paramLabel = "DEVICE",
      description = "auto, cpu, cuda[:N] or vgpu://HOST:PORT (default: ${DEFAULT-VALUE}; env EDGEPIPE_DEVICE).")
  String device;

  public String value() {
    return device;
  }

  /**
   * The device, after checking that a remote vGPU backend answers at all: a run over a backend
   * that is not there would otherwise fail deep inside a stage with "UNAVAILABLE: io exception".
   */
  public String checked() {
    if (device.startsWith("vgpu:")) {
      RemoteSpec remote = Devices.parseRemote(device, System.getenv());
      reachable(remote.host(), remote.port(), resolved());
    }
    return device;
  }

  /**
   * The device the stages end up on, for reports: what {@code auto} picks here ({@code cuda} when
   * a CUDA device is present, else {@code cpu}), and a {@code vgpu://} address without its
   * query (which can hold a token).
   */
  public String resolved() {
    if (device.isBlank() || device.equals("auto")) {
      return (io.edgepipe.vgpu.cuda.CudaGpu.isAvailable() ? "cuda" : "cpu") + " (auto)";
    }
    int query = device.indexOf('?');
    return query < 0 ? device : device.substring(0, query);
  }

  static void reachable(String host, int port, String device) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), 3_000);
    } catch (IOException e) {
      String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      throw new IllegalArgumentException("cannot reach the vgpu backend at " + host + ":" + port
          + " (--device " + device + "): " + reason.toLowerCase(java.util.Locale.ROOT)
          + "; start one with `pipeline vgpu-backend` or pick another --device");
    }
  }
}
