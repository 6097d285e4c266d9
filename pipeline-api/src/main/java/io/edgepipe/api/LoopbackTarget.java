package io.edgepipe.api;

/**
 * Whether a hop's target is this host's loopback, the one kind of address that is surely in the
 * sender's host and network namespace (another process, or another container of the same Pod).
 *
 * <p>Only such hops are offered a shared-memory ring (and, the same way, any other segment a
 * peer is asked to map by name). A ring is named by its writer's pid, and
 * pids repeat across pid namespaces (every container's JVM is pid 1, or a small number in a Pod
 * that shares its process namespace): a receiver in another Pod, netns or host that happens to
 * hold a file of the same name would map the wrong ring. A hop to any other address goes inline.
 */
public final class LoopbackTarget {
  private LoopbackTarget() {}

  /** True for {@code localhost:P}, {@code 127.x.x.x:P} and {@code [::1]:P} (a channel's authority). */
  public static boolean isLoopback(String authority) {
    if (authority == null) {
      return false;
    }
    String host = authority;
    if (host.startsWith("[")) {
      int end = host.indexOf(']');
      host = end < 0 ? host : host.substring(1, end);
    } else if (host.indexOf(':') == host.lastIndexOf(':') && host.indexOf(':') >= 0) {
      host = host.substring(0, host.indexOf(':'));
    }
    return host.equals("localhost") || host.equals("::1") || host.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
  }
}
