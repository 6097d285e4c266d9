package io.edgepipe.cli.model;

import io.edgepipe.models.graph.ModelGraph;
import io.edgepipe.models.post.ResultWriter;
import io.edgepipe.models.service.ModelChain;
import io.edgepipe.models.service.ModelSources;
import io.edgepipe.models.spec.ModelSpec;
import io.edgepipe.vgpu.Devices;
import io.edgepipe.vgpu.Gpu;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pipeline model run --spec pipelines/NAME.yaml --source images:DIR [--save-outputs OUT]}. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Runs a model spec's services in one process, each frame encoded and checked on every hop as "
        + "over gRPC, and post-processes the results (faces drawn as PNG, text direction, or raw .npy tensors).")
public final class ModelRunCommand implements Callable<Integer> {
  @picocli.CommandLine.Mixin
  ModelInputFlags input;

  @Option(names = "--save-outputs", paramLabel = "DIR", description = "Where to write each input's result.")
  Path out;

  @Option(names = "--device", defaultValue = "cpu", description = "cpu, cuda or vgpu://host:port (default: ${DEFAULT-VALUE}).")
  String device;

  @Override
  public Integer call() {
    ModelSpec s = ModelSpec.load(input.spec);
    ModelGraph g = s.graph();
    if (!g.unsupported().isEmpty()) {
      throw new IllegalArgumentException(s.modelFile() + ": " + g.unsupported().get(0).line());
    }
    List<Path> files = ModelSources.files(input.source);
    List<Gpu> devices = new ArrayList<>();
    try {
      for (int i = 0; i < s.servicesOrMonolith(g).size(); i++) {
        devices.add(Devices.open(device, System.getenv(), null));
      }
      ResultWriter writer = new ResultWriter(s.postprocess(), out);
      Map<String, int[]> shapes = new HashMap<>(g.shapes());
      try (ModelChain chain = new ModelChain(s, g, devices)) {
        System.out.printf("%s: %d service(s) %s on %s%n", s.name(), chain.services().size(),
            chain.services().stream().map(ModelSpec.Service::name).toList(), devices.get(0).name());
        long seq = 0;
        for (Path f : files) {
          ModelSources.Item item = ModelSources.read(f, g, seq++);
          long t0 = System.nanoTime();
          Map<String, float[]> result = chain.run(item.frame());
          double ms = (System.nanoTime() - t0) / 1e6;
          String base = f.getFileName().toString().replaceFirst("\\.[^.]+$", "");
          System.out.printf("%-28s %7.1f ms  hops %s B  %s%n", f.getFileName(), ms, chain.hopBytes(),
              writer.write(base, item.picture(), result, shapes));
        }
      }
      if (out != null) {
        System.out.println("results in " + out);
      }
      return 0;
    } finally {
      devices.forEach(Gpu::close);
    }
  }
}
