package io.edgepipe.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.cli.CliRunner;
import io.edgepipe.cli.CliRunner.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GpuKernelsBenchCommandTest {
  @TempDir
  Path tmp;

  @Test
  void onTheCpuDeviceItPrintsATableAndWritesTheCsv() throws Exception {
    Outcome r = CliRunner.pipeline("bench", "gpu-kernels", "--spec", "../pipelines/thesis.yaml", "--device", "cpu",
        "--iterations", "20", "--size", "64x48", "--rotate-mib", "1", "--out", tmp.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().startsWith("device: cpu"), r.out());
    assertTrue(r.out().contains("of peak n/a: cpu: "), "says why there is no peak: " + r.out());
    for (String kernel : List.of("conv (conv2d)", "relu (relu)", "maxpool (maxpool)")) {
      assertTrue(r.out().contains(kernel), kernel + " missing from the table: " + r.out());
    }
    Path csv;
    try (Stream<Path> files = Files.list(tmp.resolve("bench"))) {
      csv = files.filter(p -> p.getFileName().toString().matches("gpu-kernels-\\d{8}-\\d{6}\\.csv"))
          .findFirst().orElseThrow();
    }
    List<String> lines = Files.readAllLines(csv);
    assertEquals(4, lines.size(), "header and three kernels: " + lines);
    List<String> header = List.of(lines.get(0).split(","));
    int stage = header.indexOf("stage");
    int median = header.indexOf("median_ms");
    int backToBack = header.indexOf("back_to_back_ms");
    int bytes = header.indexOf("bytes");
    int fraction = header.indexOf("fraction_of_peak");
    int sets = header.indexOf("buffer_sets");
    List<String> stages = lines.subList(1, 4).stream().map(l -> l.split(",")[stage]).toList();
    assertEquals(List.of("conv", "relu", "maxpool"), stages);
    for (String line : lines.subList(1, 4)) {
      String[] cells = line.split(",");
      assertTrue(Double.parseDouble(cells[median]) > 0, line);
      assertTrue(Double.parseDouble(cells[backToBack]) > 0, line);
      assertTrue(Long.parseLong(cells[bytes]) > 0, line);
      assertTrue(Integer.parseInt(cells[sets]) > 1, "1 MiB holds several 64x48 buffer sets: " + line);
      assertEquals("n/a", cells[fraction], line);
    }
  }

  @Test
  void tooFewIterationsIsOneLineAndExitCodeTwo() {
    Outcome r = CliRunner.pipeline("bench", "gpu-kernels", "--device", "cpu", "--iterations", "5",
        "--out", tmp.toString());
    assertEquals(2, r.code());
    assertEquals("", r.out());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().contains("--iterations") && r.err().contains("20"), r.err());
  }
}
