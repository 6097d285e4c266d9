package io.edgepipe.cli.vgpu;

import io.edgepipe.cli.options.OutputFolder;
import picocli.CommandLine.Mixin;
import io.edgepipe.harness.report.ResultFiles;
import io.edgepipe.vgpu.bench.TenantsBench;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pipeline bench vgpu-tenants}: an honest tenant's round trip and the backend's memory under attack. */
@Command(name = "vgpu-tenants", mixinStandardHelpOptions = true,
    description = {"Run one honest and N hostile tenants on a vgpu-backend (cpu device, its own process on loopback) "
        + "and print the honest tenant's round-trip min/p50/p99/max and the backend's resident memory, alone, under "
        + "attack and after the attackers leave.",
        "Attacks: huge launch batches, unread read-backs, oversized messages, session floods. Writes CSV under "
            + "--results."})
public final class VgpuTenantsBenchCommand implements Callable<Integer> {
  @Option(names = "--hostile", defaultValue = "4", description = "Hostile tenants (default: ${DEFAULT-VALUE}).")
  int hostile;

  @Option(names = "--seconds", defaultValue = "10", description = "Seconds per phase (default: ${DEFAULT-VALUE}).")
  double seconds;

  @Option(names = "--heap-mib", defaultValue = "3072", description = "The backend's -Xmx in MiB (default: ${DEFAULT-VALUE}).")
  int heapMib;

  @Option(names = "--device-mib", defaultValue = "2048",
      description = "Memory of the backend's cpu device in MiB (default: ${DEFAULT-VALUE}).")
  int deviceMib;

  @Option(names = "--host-budget-mib", defaultValue = "1024",
      description = "The backend's host budget for messages in MiB (default: ${DEFAULT-VALUE}).")
  int hostBudgetMib;

  @Option(names = "--warm-up-seconds", defaultValue = "10",
      description = "Honest traffic before the first phase, not measured, so that the backend's memory has settled "
          + "(default: ${DEFAULT-VALUE}).")
  double warmUpSeconds;

  @Option(names = "--backend-java-opts", paramLabel = "FLAGS", defaultValue = "",
      description = "Extra JVM flags for the backend, space-separated (e.g. -XX:NativeMemoryTracking=summary, then "
          + "jcmd PID VM.native_memory summary with the pid it prints).")
  String backendJavaOpts;

  @Option(names = "--no-backend-warm-up",
      description = "Start the backend without its start-up warm-up (pipeline vgpu-backend runs it), to compare.")
  boolean noBackendWarmUp;

  @Mixin
  OutputFolder out;

  @Override
  public Integer call() throws Exception {
    TenantsBench.Result r = new TenantsBench(new TenantsBench.Config(hostile, seconds, heapMib, deviceMib, hostBudgetMib,
        warmUpSeconds, backendJavaOpts.isBlank() ? java.util.List.of() : java.util.List.of(backendJavaOpts.strip().split("\\s+")),
        !noBackendWarmUp))
        .run();
    System.out.print(TenantsBench.table(r));
    Files.createDirectories(out.folder("bench"));
    Path phases = ResultFiles.csv(out.folder("bench"), "vgpu-tenants");
    Path rss = ResultFiles.csv(out.folder("bench"), "vgpu-tenants-rss");
    Files.writeString(phases, TenantsBench.phasesCsv(r));
    Files.writeString(rss, TenantsBench.rssCsv(r));
    System.out.println("wrote " + phases + " and " + rss);
    return 0;
  }
}
