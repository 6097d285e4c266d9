package io.edgepipe.planner.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The thesis pipeline at EESS, with default options and image tag 0.1.0-SNAPSHOT, must produce
 * exactly the files under src/test/resources/golden/thesis-EESS, and the example checked in
 * under manifests/thesis-EESS must be the same files. After an intended change run
 * {@code mvn -pl placement-planner test -Dtest=GoldenManifestsTest -Dedgepipe.golden.update=true}
 * and review the diff.
 */
class GoldenManifestsTest {
  static final Path GOLDEN = Path.of("src/test/resources/golden");
  static final Path EXAMPLE = Path.of("../manifests");
  static final String TAG = "0.1.0-SNAPSHOT";

  static Map<String, String> generated() throws Exception {
    return ManifestWriter.files(ManifestGeneratorTest.thesis("EESS", ManifestOptions.builder().imageTag(TAG).build()));
  }

  @Test
  void thesisEessMatchesTheGoldenFiles() throws Exception {
    Map<String, String> files = generated();
    if (Boolean.getBoolean("edgepipe.golden.update")) {
      PipelineManifests m = ManifestGeneratorTest.thesis("EESS", ManifestOptions.builder().imageTag(TAG).build());
      ManifestWriter.write(m, GOLDEN);
      ManifestWriter.write(m, EXAMPLE);
    }
    assertSameFiles(files, GOLDEN.resolve("thesis-EESS"));
  }

  @Test
  void checkedInExampleIsCurrent() throws Exception {
    assertSameFiles(generated(), EXAMPLE.resolve("thesis-EESS"));
  }

  private static void assertSameFiles(Map<String, String> expected, Path dir) throws IOException {
    assertTrue(Files.isDirectory(dir), dir + " is missing; run with -Dedgepipe.golden.update=true");
    try (Stream<Path> list = Files.list(dir)) {
      assertEquals(new TreeSet<>(expected.keySet()),
          list.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml")).collect(Collectors.toCollection(TreeSet::new)),
          "files in " + dir);
    }
    for (Map.Entry<String, String> file : expected.entrySet()) {
      assertEquals(file.getValue(), Files.readString(dir.resolve(file.getKey())), dir + "/" + file.getKey());
    }
  }
}
