package io.edgepipe.testbed;

import java.util.ArrayList;
import java.util.List;

/**
 * The two network namespaces and the veth pair between them. The pair is created with each end
 * already inside its namespace, so nothing ever appears in the host's namespace and no traffic
 * can leave the machine: the host has no address on the link and no route to it.
 */
final class Network {
  private Network() {}

  static void addNamespace(String name) {
    Sh.run("ip", "netns", "add", name);
    Sh.run("ip", "-n", name, "link", "set", "lo", "up");
  }

  static void addLink(Names names, Subnet subnet) {
    Sh.run("ip", "link", "add", names.veth(Node.EDGE), "netns", names.netns(Node.EDGE), "type", "veth",
        "peer", "name", names.veth(Node.SERVER), "netns", names.netns(Node.SERVER));
    for (Node node : Node.values()) {
      Sh.run("ip", "-n", names.netns(node), "addr", "add", subnet.cidr(node), "dev", names.veth(node));
      Sh.run("ip", "-n", names.netns(node), "link", "set", names.veth(node), "up");
    }
  }

  /** Namespaces whose name passes {@code filter}. */
  static List<String> namespaces(java.util.function.Predicate<String> filter) {
    List<String> found = new ArrayList<>();
    Sh.Result r = Sh.exec(List.of("ip", "netns", "list"));
    for (String line : r.out().split("\n")) {
      String name = line.strip().split("\\s+")[0];
      if (!name.isEmpty() && filter.test(name)) {
        found.add(name);
      }
    }
    return found;
  }

  /** Links in the host namespace whose name passes {@code filter} (leftovers of a crash). */
  static List<String> hostLinks(java.util.function.Predicate<String> filter) {
    List<String> found = new ArrayList<>();
    for (String line : Sh.exec(List.of("ip", "-o", "link", "show")).out().split("\n")) {
      String[] parts = line.split(":\\s+", 3);
      if (parts.length >= 2) {
        String name = parts[1].split("@")[0].strip();
        if (filter.test(name)) {
          found.add(name);
        }
      }
    }
    return found;
  }

  /** PIDs of every process whose network namespace is {@code netns}. */
  static List<Long> pids(String netns) {
    List<Long> pids = new ArrayList<>();
    for (String line : Sh.exec(List.of("ip", "netns", "pids", netns)).out().split("\n")) {
      if (!line.isBlank()) {
        pids.add(Long.parseLong(line.strip()));
      }
    }
    return pids;
  }

  /** {@code ip -br addr} inside the namespace. */
  static String addresses(String netns) {
    return Sh.exec(List.of("ip", "-n", netns, "-br", "addr")).out();
  }
}
