package io.edgepipe.cli.model;

import io.edgepipe.models.bench.ModelBench;
import io.edgepipe.models.graph.ModelGraph;
import io.edgepipe.models.service.ModelSources;
import io.edgepipe.models.spec.ModelSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pipeline bench model --spec pipelines/NAME.yaml --source images:DIR} (also {@code pipeline model bench}). */
@Command(name = "model", aliases = "bench", mixinStandardHelpOptions = true,
    description = "Compares, in one run on the same inputs, the whole model on the cpu device with ONNX Runtime on "
        + "the CPU: time per frame (min/median/max) and the ratio, and where our time goes per layer kind; writes a CSV "
        + "of every frame and one of the layer kinds.")
public final class ModelBenchCommand implements Callable<Integer> {
  @picocli.CommandLine.Mixin
  ModelInputFlags input;

  @Option(names = "--frames", defaultValue = "100", description = "Timed frames per engine (default: ${DEFAULT-VALUE}).")
  int frames;

  @Option(names = "--warmup", defaultValue = "50", description = "Untimed frames first (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--ort-threads", defaultValue = "2", description = "ONNX Runtime intra-op threads (default: ${DEFAULT-VALUE}).")
  int ortThreads;

  @Option(names = "--settle-ms", defaultValue = "3", description = "Pause before each engine's frame, so that neither "
      + "starts while the other's threads still spin (ONNX Runtime's pool spins for 1-2 ms after a run); 0: none "
      + "(default: ${DEFAULT-VALUE}).")
  int settleMs;

  @Option(names = "--csv", defaultValue = "results/bench/model-bench.csv", description = "Per-frame times (default: ${DEFAULT-VALUE}).")
  Path csv;

  @Override
  public Integer call() throws Exception {
    if (frames < 1 || warmup < 0 || ortThreads < 1 || settleMs < 0) {
      throw new IllegalArgumentException("--frames and --ort-threads must be >= 1, --warmup and --settle-ms >= 0");
    }
    ModelSpec s = ModelSpec.load(input.spec);
    ModelGraph g = s.graph();
    List<float[]> inputs = new ArrayList<>();
    String in = g.inputs().keySet().iterator().next();
    long seq = 0;
    for (Path f : ModelSources.files(input.source)) {
      ModelSources.Item item = ModelSources.read(f, g, seq++);
      inputs.add(item.picture() != null ? s.input().fromImage(item.picture())
          : io.edgepipe.models.service.TensorFrames.get(item.frame()).get(in));
    }
    ModelBench.Result r = ModelBench.run(s, g, inputs, warmup, frames, ortThreads, settleMs);
    System.out.print(ModelBench.table(s, g, r));
    System.out.println(settleMs > 0 ? "(each engine's frame started after a " + settleMs + " ms pause; --settle-ms 0: back to back)"
        : "(frames back to back: each engine's frame starts while the other's threads may still spin)");
    ModelBench.csv(csv, r);
    System.out.println("per-frame times in " + csv + ", per layer kind in " + ModelBench.kindsCsv(csv, r));
    return 0;
  }
}
