package io.edgepipe.harness.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The JIT compiler threads' CPU, read from /proc: here, this test JVM's own. */
class JitActivityTest {
  @Test
  void namesOfHotSpotCompilerThreads() {
    assertTrue(JitActivity.isCompiler("C2 CompilerThre"));
    assertTrue(JitActivity.isCompiler("C1 CompilerThre"));
    assertFalse(JitActivity.isCompiler("VM Thread"));
    assertFalse(JitActivity.isCompiler("grpc-default-ex"));
    assertFalse(JitActivity.isCompiler(null));
  }

  @Test
  void readsThisJvmsCompilerThreadsAndCountsOnlyWhatIsNew() {
    Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "needs Linux /proc");
    long self = ProcessHandle.current().pid();
    assertFalse(JitActivity.compilerThreads(self).isEmpty(), "a HotSpot JVM has compiler threads");
    JitActivity jit = new JitActivity();
    double first = jit.advance(List.of(self));
    assertTrue(first > 0, "a JVM that ran JUnit has compiled something: " + first);
    double process = io.edgepipe.testbed.ProcessCpu.seconds(self);
    assertTrue(first < process, "the compiler threads' own CPU, not the process's: " + first + " s of " + process + " s");
    double second = jit.advance(List.of(self));
    assertTrue(second >= 0 && second < first, "the second reading counts only what came since: " + second);
    assertEquals(first + second, jit.total(), 1e-9);
    assertEquals(0, jit.advance(List.of(Long.MAX_VALUE)), "a process that is gone has no compiler threads");
  }
}
