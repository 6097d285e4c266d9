package io.edgepipe.cli.vgpu;

import io.edgepipe.harness.report.Table;
import io.edgepipe.vgpu.Devices;
import io.edgepipe.vgpu.proto.SessionStatus;
import io.edgepipe.vgpu.proto.StatusReply;
import io.edgepipe.vgpu.remote.StatusClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code pipeline vgpu status vgpu://host:port}: sessions, memory and busy shares of a backend. */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = {"Show the sessions of a vgpu-backend that the token may see.",
        "A token sees its tenant's own sessions, an admin token every tenant's: tenant, fGPU, memory in "
            + "use/peak/allowed, busy share and the share its fGPU entitled it to. The token comes from the spec, $"
            + Devices.TOKEN_ENV + " or the file named by $" + Devices.TOKEN_FILE_ENV + "."})
public final class VgpuStatusCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "BACKEND",
      description = "The backend as --device names it: vgpu://host[:port][?tenant=NAME], or host:port.")
  String backend;

  @Override
  public Integer call() {
    String address = backend.contains("://") ? backend : "vgpu://" + backend; // host:port works as in --device
    StatusReply s = StatusClient.query(Devices.parseRemote(address, System.getenv()));
    System.out.printf("device %s: %.1f MiB in use, %.3f s busy since start%n", s.getDeviceName(),
        s.getDeviceBytesInUse() / 1048576.0, s.getBusyNanosTotal() / 1e9);
    Table t = new Table("session", "tenant", "client", "fgpu", "busy_share", "busy_s", "entitled_s", "batches", "buffers",
        "used_MiB", "peak_MiB", "allowed_MiB");
    for (SessionStatus x : s.getSessionsList()) {
      t.row(x.getSessionId(), x.getTenant(), x.getClient(), x.getFgpu(), String.format("%.3f", x.getBusyShare()),
          String.format("%.3f", x.getBusyNanos() / 1e9), String.format("%.3f", x.getEntitledNanos() / 1e9),
          x.getBatches(), x.getBuffers(), String.format("%.1f", x.getBytesInUse() / 1048576.0),
          String.format("%.1f", x.getPeakBytesInUse() / 1048576.0), String.format("%.0f", x.getBytesAllowed() / 1048576.0));
    }
    t.print(System.out);
    return 0;
  }
}
