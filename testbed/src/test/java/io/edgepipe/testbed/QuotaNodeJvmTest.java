package io.edgepipe.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A JVM started with the edge's flags ({@link NodeLauncher#QUOTA_NODE_JVM_FLAGS}) sizes itself for
 * one processor whatever the host has: one processor, the serial collector, a common pool of one.
 */
class QuotaNodeJvmTest {
  /** The child: prints what it sized itself for. */
  public static final class Probe {
    public static void main(String[] args) {
      String gcs = String.join("+", ManagementFactory.getGarbageCollectorMXBeans().stream()
          .map(GarbageCollectorMXBean::getName).toList());
      System.out.println("processors=" + Runtime.getRuntime().availableProcessors() + " pool="
          + java.util.concurrent.ForkJoinPool.commonPool().getParallelism() + " gc=" + gcs);
    }
  }

  @Test
  void anEdgeJvmSizesItselfForOneProcessor() throws Exception {
    List<String> argv = NodeLauncher.java(NodeLauncher.QUOTA_NODE_JVM_FLAGS, Probe.class.getName(), List.of());
    Process child = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the child exits");
    assertEquals(0, child.exitValue(), out);
    assertTrue(out.contains("processors=1 pool=1 gc=Copy+MarkSweepCompact"), out);
  }
}
