package io.edgepipe.cli;

import io.edgepipe.cli.bench.BenchCommand;
import io.edgepipe.cli.deploy.DeployCommand;
import io.edgepipe.cli.deploy.ManifestsCommand;
import io.edgepipe.cli.deploy.PlanCommand;
import io.edgepipe.cli.deploy.StatusCommand;
import io.edgepipe.cli.deploy.UndeployCommand;
import io.edgepipe.cli.run.RunCommand;
import io.edgepipe.launcher.StageCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** The root command: {@code pipeline <subcommand>}. */
@Command(name = "pipeline", mixinStandardHelpOptions = true,
    description = "Split a CNN into gRPC microservices and run, measure, plan and deploy them.",
    subcommands = {
        RunCommand.class,
        StageCommand.class,
        BenchCommand.class,
        io.edgepipe.cli.measure.MeasureCommand.class,
        PlanCommand.class,
        ManifestsCommand.class,
        DeployCommand.class,
        io.edgepipe.cli.deploy.AutoplaceCommand.class, // issue 13: live re-placement on k3s
        StatusCommand.class,
        UndeployCommand.class,
        io.edgepipe.cli.certs.CertsCommand.class, // issue 6.5 security
        io.edgepipe.cli.vgpu.VgpuBackendCommand.class,
        io.edgepipe.cli.vgpu.VgpuCommand.class,
        io.edgepipe.cli.testbed.TestbedCommand.class,
        io.edgepipe.cli.model.ModelCommand.class, // issue 12: ONNX models
    })
public final class PipelineCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
