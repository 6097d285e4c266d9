package io.edgepipe.cli.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code pipeline bench}: throughput experiments; each prints a table and writes CSV. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Benchmarks: each compares two things in one run, prints a table and writes CSV under results/.",
    subcommands = {KernelsBenchCommand.class, GpuKernelsBenchCommand.class, CodecBenchCommand.class, TransportBenchCommand.class, PipelineBenchCommand.class,
        io.edgepipe.cli.bench.experiments.ExperimentsCommand.class, io.edgepipe.cli.vgpu.VgpuBenchCommand.class,
        io.edgepipe.cli.vgpu.VgpuTenantsBenchCommand.class,
        SoakCommand.class, io.edgepipe.cli.model.ModelBenchCommand.class, io.edgepipe.cli.model.ModelCutsCommand.class})
public final class BenchCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
