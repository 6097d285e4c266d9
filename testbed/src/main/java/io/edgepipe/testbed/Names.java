package io.edgepipe.testbed;

import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Every name the testbed gives to what it creates, derived from one prefix (default
 * {@code edgepipe}) so that {@code down} can find leftovers by name alone, without the state file:
 * namespaces {@code <prefix>-edge}, {@code <prefix>-server}; veth ends {@code <prefix>-e},
 * {@code <prefix>-s}; cgroups {@code /sys/fs/cgroup/cpu/<prefix>-edge|server}; state in
 * {@code /run/<prefix>-testbed/}.
 */
public record Names(String prefix) {
  public static final String DEFAULT_PREFIX = "edgepipe";
  /** Linux interface names hold 15 characters; the veth ends add 2. */
  private static final Pattern PREFIX = Pattern.compile("edgepipe(-[a-z0-9]+)*");
  private static final Path CPU_CGROUP_ROOT = Path.of("/sys/fs/cgroup/cpu");
  private static final Path RUN_DIR = Path.of("/run");
  private static final Path SHM_ROOT = Path.of("/dev/shm");

  public Names {
    if (!PREFIX.matcher(prefix).matches() || prefix.length() > 13) {
      throw new IllegalArgumentException("testbed prefix '" + prefix
          + "' must be 'edgepipe' or 'edgepipe-<letters/digits>', at most 13 characters");
    }
  }

  public static Names defaults() {
    return new Names(DEFAULT_PREFIX);
  }

  /** The namespaces, links and cgroups of this testbed, by name (all derived from the prefix). */
  public java.util.function.Predicate<String> owned() {
    java.util.Set<String> mine = new java.util.HashSet<>();
    for (Node n : Node.values()) {
      mine.add(netns(n));
      mine.add(veth(n));
      mine.add(cpuCgroup(n).getFileName().toString());
    }
    return mine::contains;
  }

  /** Every edgepipe testbed object of any prefix (for {@code down --all}). */
  public static java.util.function.Predicate<String> anyTestbed() {
    return name -> name.startsWith(DEFAULT_PREFIX + "-");
  }

  public String netns(Node node) {
    return prefix + "-" + node.word();
  }

  public String veth(Node node) {
    return prefix + "-" + (node == Node.EDGE ? "e" : "s");
  }

  public static Path cpuCgroupRoot() {
    return CPU_CGROUP_ROOT;
  }

  public Path cpuCgroup(Node node) {
    return CPU_CGROUP_ROOT.resolve(prefix + "-" + node.word());
  }

  /**
   * The node's own shared-memory folder: its processes map same-host rings there, so a hop between
   * the two nodes (one host, one /dev/shm) cannot take the shared-memory shortcut and crosses the
   * shaped link as bytes, while hops inside a node still do.
   */
  public Path shmDir(Node node) {
    return SHM_ROOT.resolve(prefix + "-shm-" + node.word());
  }

  public static Path shmRoot() {
    return SHM_ROOT;
  }

  public Path stateDir() {
    return RUN_DIR.resolve(prefix + "-testbed");
  }

  public Path stateFile() {
    return stateDir().resolve("state.json");
  }
}
