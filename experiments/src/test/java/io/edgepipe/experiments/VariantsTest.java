package io.edgepipe.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.edgepipe.api.PipelineSpec;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** E3's variants cover every grouping; E4's placements are the all-server one then the edge prefixes. */
class VariantsTest {
  private static final Path SPEC = Path.of("..", "pipelines", "thesis.yaml");

  @Test
  void variantsAreTheMonolithThenEveryGroupingFewestServicesFirst() {
    List<ThroughputExperiment.Variant> v = ThroughputExperiment.variants(PipelineSpec.load(SPEC));
    assertEquals(List.of("monolith", "2-stage", "3-stage", "3-stage", "4-stage"),
        v.stream().map(ThroughputExperiment.Variant::name).toList());
    assertEquals("producer+conv+relu+maxpool (one process)", v.get(0).services());
    assertEquals("producer | conv+relu+maxpool", v.get(1).services());
    assertEquals(List.of("producer | conv | relu+maxpool", "producer | conv+relu | maxpool"),
        List.of(v.get(2).services(), v.get(3).services()));
    assertEquals("producer | conv | relu | maxpool", v.get(4).services());
  }

  @Test
  void placementsAreAllServerThenTheEdgePrefixes() {
    assertEquals(List.of("SSSS", "ESSS", "EESS", "EEES", "EEEE"), PlacementExperiment.placements(4));
  }
}
