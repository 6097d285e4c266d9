package io.edgepipe.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.edgepipe.api.LayerSpec;
import io.edgepipe.api.PipelineSpec;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.launcher.RunOptions;
import io.edgepipe.launcher.options.SpecOption;
import io.edgepipe.models.post.ModelOutputSaver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model spec runs through the same runners as the thesis chain: one partition service per
 * spec service over loopback gRPC (a cut crossing two tensors included), fused, and as the
 * monolith, all giving the same bits; the sink saves BlazeFace's faces drawn as PNG.
 */
class ModelPipelineRunTest {
  private static final Path DATA = Path.of("..", "data");

  @Test
  void blazefaceServicesFusedAndMonolithGiveTheSameBits(@TempDir Path dir) throws Exception {
    Path model = DATA.resolve("models/blazeface-front-128.onnx");
    assumeTrue(Files.exists(model), "needs " + model + ": run scripts/fetch-models.sh");
    Path specFile = dir.resolve("blazeface.yaml");
    Files.writeString(specFile, Files.readString(Path.of("..", "pipelines", "blazeface.yaml"))
        .replace("data/models/blazeface-front-128.onnx", model.toAbsolutePath().toString())
        .replace("  - {name: blazeface-c0-c40, from: 0, to: 40}\n",
            "  - {name: blazeface-c0-c8, from: 0, to: 8}\n  - {name: blazeface-c8-c40, from: 8, to: 40}\n"));
    PipelineSpec spec = SpecOption.load(specFile);
    assertEquals(List.of("blazeface-c0-c8", "blazeface-c8-c40", "blazeface-c40-c93"),
        spec.layers().stream().map(LayerSpec::name).toList());
    assertEquals(LayerSpec.PARTITION, spec.layers().get(0).kind());
    String source = "images:" + DATA.resolve("photos").toAbsolutePath();
    RunOptions o = new RunOptions(spec, specFile, source, 3, 0, 1, "cpu", 1, null, "npy");

    Map<Long, Frame> pipeline = new ConcurrentHashMap<>();
    Path saved = dir.resolve("out");
    ModelOutputSaver saver = ModelOutputSaver.forSpec(specFile, saved, source);
    RunResult result;
    try (EmbeddedRun run = new EmbeddedRun(spec, "cpu", f -> {
      pipeline.put(f.getSeq(), f);
      saver.accept(f);
    })) {
      result = run.run(o, null);
    }
    Map<Long, Frame> fused = new ConcurrentHashMap<>();
    try (EmbeddedRun run = EmbeddedRun.fused(spec, List.of(List.of("blazeface-c0-c8", "blazeface-c8-c40"),
        List.of("blazeface-c40-c93")), "cpu", f -> fused.put(f.getSeq(), f))) {
      run.run(o, null);
    }
    Map<Long, Frame> monolith = new ConcurrentHashMap<>();
    try (MonolithRun run = new MonolithRun(spec, "cpu", f -> monolith.put(f.getSeq(), f))) {
      run.run(o, null);
    }

    assertEquals(3, result.summary().delivered());
    assertEquals(0, result.lost());
    for (long seq = 0; seq < 3; seq++) {
      Frame p = pipeline.get(seq);
      assertEquals(4, p.getTensorsCount(), "BlazeFace's four outputs");
      assertEquals(monolith.get(seq).getTensorsList(), p.getTensorsList(), "frame " + seq + " differs from the monolith");
      assertEquals(fused.get(seq).getTensorsList(), p.getTensorsList(), "frame " + seq + " differs fused");
    }
    // frames of different pictures differ (a constant output would make the check meaningless)
    assertTrue(!pipeline.get(0L).getTensorsList().equals(pipeline.get(1L).getTensorsList()));
    // the sink's post-processing: the astronaut's face found, drawn and listed
    assertTrue(Files.exists(saved.resolve("cam0-0-astronaut.faces.png")));
    assertTrue(Files.exists(saved.resolve("cam0-0-astronaut.Identity_0.npy")));
    String line = Files.readAllLines(saved.resolve("results.txt")).get(0);
    assertTrue(line.matches("cam0-0-astronaut: 1 face\\(s\\) \\[0\\.9\\d\\d .*"), line);
  }
}
