package io.edgepipe.testbed;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Shared by the tests that build real testbeds: the skip rule, leftovers, child processes. */
final class RootTestbed {
  static final String SKIP = "needs root and network namespaces (ip netns), tc and cgroup v1 cpu";

  private RootTestbed() {}

  /** Skips the test (with the reason) where a testbed cannot be built. */
  static void assumeUsable() {
    List<String> missing = Testbed.missingPrerequisites();
    assumeTrue(missing.isEmpty(), () -> SKIP + " (" + String.join("; ", missing) + ")");
  }

  /** Everything named {@code <prefix>-*} that still exists: namespaces, host links, cgroups, state. */
  static List<String> leftovers(String prefix) {
    String match = prefix + "-";
    List<String> left = new ArrayList<>();
    Network.namespaces(n -> n.startsWith(match)).forEach(ns -> left.add("netns " + ns));
    Network.hostLinks(n -> n.startsWith(match)).forEach(l -> left.add("link " + l));
    CpuCgroups.groups(n -> n.startsWith(match)).forEach(g -> left.add("cgroup " + g));
    if (Files.exists(new Names(prefix).stateDir())) {
      left.add("state " + new Names(prefix).stateDir());
    }
    return left;
  }

  /** A Java main of the test classpath, started on a node. */
  static NodeProcess startOn(TestbedState tb, Node node, Path logDir, String name, String mainClass, String... args) {
    return Testbed.launcher(tb).startJava(name, node, List.of("-Xmx256m", "-XX:TieredStopAtLevel=1"), mainClass,
        List.of(args), logDir.resolve(name + ".log"));
  }

  /** Waits for the next protocol line that starts with {@code keyword}; fails with the log on EOF or timeout. */
  static String await(NodeProcess p, String keyword, Duration timeout) throws Exception {
    String m = p.awaitMessage(line -> line.startsWith(keyword), timeout);
    if (m != null && !m.equals(NodeProcess.EOF)) {
      return m.substring(keyword.length()).strip();
    }
    throw new AssertionError(p.name() + " did not say " + keyword + " within " + timeout + "; log:\n"
        + (Files.exists(p.log()) ? Files.readString(p.log()) : "(none)"));
  }
}
