package io.edgepipe.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.harness.report.Table;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Csv reads what {@link Table} writes; columns declared as {@link CsvColumn}s name the cells. */
class CsvTest {
  @TempDir
  Path dir;

  @Test
  void csvReadsWhatTableWrites() throws IOException {
    Table t = new Table("key", "value").row("where", "embedded (4 services, loopback \"gRPC\")").row("n", 1.5);
    Path file = dir.resolve("t.csv");
    t.writeCsv(file);
    Csv c = Csv.read(file);
    assertEquals(List.of("key", "value"), c.header());
    assertEquals("embedded (4 services, loopback \"gRPC\")", c.asMap().get("where"));
    assertEquals(1.5, Csv.num(c.rows().get(1), "value"));
    assertTrue(Double.isNaN(Csv.num(Map.of("x", "-"), "x")));
    assertEquals(-70.4, Csv.num(Map.of("x", "-70.4"), "x"));
    assertEquals(12.0, Csv.num(Map.of("x", "+12.0%"), "x"));
  }

  @Test
  void aColumnEnumWritesTheHeaderAndReadsTheCells() throws IOException {
    Table t = CsvColumn.table(LatencyExperiment.CcrColumn.values()).row("64x64", 64, "conv", 2.0, 1.0, 0.5);
    Path file = dir.resolve("ccr.csv");
    t.writeCsv(file);
    Csv c = Csv.read(file);
    assertEquals(List.of("size", "side", "stage", "compute_ms", "transfer_ms", "ccr"), c.header());
    assertEquals("conv", Csv.str(c.rows().get(0), LatencyExperiment.CcrColumn.STAGE));
    assertEquals(0.5, Csv.num(c.rows().get(0), LatencyExperiment.CcrColumn.CCR));
    assertEquals(List.of("64x64"), c.distinct(LatencyExperiment.CcrColumn.SIZE));
  }
}
