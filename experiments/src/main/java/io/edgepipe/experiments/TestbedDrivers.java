package io.edgepipe.experiments;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the testbed the experiments can use, or the reason there is none. The testbed needs
 * root (network namespaces, tc, cgroups), the {@code ip} and {@code tc} tools, and the testbed
 * runner of this build.
 */
public final class TestbedDrivers {
  /** A driver, or null and the reason. */
  public record Availability(TestbedDriver driver, String reason) {
    static Availability none(String reason) {
      return new Availability(null, reason);
    }

    public boolean available() {
      return driver != null;
    }
  }

  /** The suite's own testbed prefix, unless a run names another. */
  public static final String DEFAULT_PREFIX = LibraryTestbed.PREFIX;

  private TestbedDrivers() {}

  /**
   * @param wanted whether --testbed was given
   * @param logDir where the testbed's process logs go
   * @param cliMain the main class of the {@code pipeline} command (run inside a node to measure there)
   */
  public static Availability find(boolean wanted, Path logDir, String cliMain) {
    return find(wanted, logDir, cliMain, LibraryTestbed.PREFIX);
  }

  /** As {@link #find(boolean, Path, String)}, the testbed named by its own {@code prefix}. */
  public static Availability find(boolean wanted, Path logDir, String cliMain, String prefix) {
    new io.edgepipe.testbed.Names(prefix); // a bad --prefix is one line before anything runs, not a failed teardown after
    if (!wanted) {
      return Availability.none("run without --testbed (edge/server placements need the emulated testbed; "
          + "a loopback run on one machine is not an edge/server measurement)");
    }
    if (!isRoot()) {
      return Availability.none("--testbed needs root (network namespaces, tc, cgroups); this process is not root");
    }
    for (String tool : new String[] {"ip", "tc"}) {
      if (!onPath(tool)) {
        return Availability.none("--testbed needs the '" + tool + "' tool (iproute2), not found on PATH");
      }
    }
    return LibraryTestbed.create(logDir, cliMain, prefix);
  }

  static boolean isRoot() {
    try {
      Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
      return uid instanceof Integer i && i == 0;
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }

  private static boolean onPath(String tool) {
    String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
    for (String dir : (path + ":/usr/sbin:/sbin").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }
}
