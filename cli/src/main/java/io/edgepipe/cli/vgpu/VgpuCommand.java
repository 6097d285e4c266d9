package io.edgepipe.cli.vgpu;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code pipeline vgpu}: the remote vGPU's tools (the backend itself is {@code pipeline vgpu-backend}). */
@Command(name = "vgpu", mixinStandardHelpOptions = true,
    description = {"Remote vGPU tools: size a stage's quota by profiling it, or show a backend's sessions.",
        "Serve a GPU with 'pipeline vgpu-backend'; compare local and remote cost with 'pipeline bench vgpu'."},
    subcommands = {VgpuProfileCommand.class, VgpuStatusCommand.class})
public final class VgpuCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
