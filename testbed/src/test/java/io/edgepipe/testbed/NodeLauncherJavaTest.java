package io.edgepipe.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.api.VectorApi;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The JVMs the testbed starts on its nodes (stages, the producer) resolve the Vector API: the
 * command {@link NodeLauncher#java} builds, run here as it is (no namespace needed), starts a child
 * that reports the module active.
 */
class NodeLauncherJavaTest {
  /** The child: prints whether its JVM resolved the module. */
  public static final class Probe {
    public static void main(String[] args) {
      System.out.println(VectorApi.status());
    }
  }

  @Test
  void aNodeJvmHasTheVectorApi() throws Exception {
    List<String> argv = NodeLauncher.java(List.of("-Xmx64m"), Probe.class.getName(), List.of());
    assertTrue(java.util.Collections.indexOfSubList(argv, VectorApi.JVM_FLAGS) > 0, argv.toString());
    Process child = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the child exits");
    assertEquals(0, child.exitValue(), out);
    assertTrue(out.contains("Vector API active"), out);
  }
}
