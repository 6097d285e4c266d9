package io.edgepipe.testbed;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The text of {@code testbed status}: state, namespaces, addresses, qdiscs, cgroups, processes. */
final class StatusReport {
  private StatusReport() {}

  static String of(Names names) {
    StringBuilder out = new StringBuilder();
    Optional<TestbedState> state = TestbedState.read(names);
    List<String> namespaces = Network.namespaces(names.owned()).stream().sorted().toList(); // edge, server
    List<Path> groups = CpuCgroups.groups(names.owned()).stream().sorted().toList();
    if (state.isEmpty() && namespaces.isEmpty() && groups.isEmpty()) {
      return "testbed " + names.prefix() + ": down (no " + names.netns(Node.EDGE) + ", " + names.netns(Node.SERVER) + ", cgroups or state)\n";
    }
    state.ifPresentOrElse(s -> out.append(String.format(
        "testbed %s: %s (pid %d, %s)%n  link %s, one-way delay %s, edge cpu %.2f core(s), subnet %s%n",
        s.prefix(), s.phase(), s.upPid(), s.createdAt(), Units.formatRate(s.bandwidthBps()),
        Units.formatDelay(s.delay()), s.edgeCpu(), s.subnet())),
        () -> out.append("testbed ").append(names.prefix()).append(": no state file, leftovers found; run `pipeline testbed down`\n"));
    for (String ns : namespaces) {
      out.append("\nnamespace ").append(ns).append('\n');
      indent(out, Network.addresses(ns));
      Node node = nodeOf(names, ns);
      if (node != null) {
        indent(out, LinkShaper.stats(ns, names.veth(node)));
      }
      List<String> procs = processes(Network.pids(ns));
      out.append("  processes: ").append(procs.isEmpty() ? "none" : "").append('\n');
      procs.forEach(p -> out.append("    ").append(p).append('\n'));
    }
    for (Path g : groups) {
      CpuCgroups.Quota q = CpuCgroups.read(g);
      out.append("\ncgroup ").append(g).append(": ")
          .append(q.quotaUs() < 0 ? "no cpu quota" : String.format("quota %d us / period %d us = %.2f core(s)",
              q.quotaUs(), q.periodUs(), q.cores()))
          .append(", ").append(CpuCgroups.pids(g).size()).append(" process(es)\n");
      indent(out, CpuCgroups.stat(g));
    }
    return out.toString();
  }

  private static Node nodeOf(Names names, String ns) {
    for (Node n : Node.values()) {
      if (names.netns(n).equals(ns)) {
        return n;
      }
    }
    return null;
  }

  private static List<String> processes(List<Long> pids) {
    List<String> lines = new ArrayList<>();
    for (long pid : pids) {
      String cmd = ProcessHandle.of(pid).flatMap(h -> h.info().commandLine()).orElse(readCmdline(pid));
      lines.add(pid + " " + (cmd.length() > 160 ? cmd.substring(0, 157) + "..." : cmd));
    }
    return lines;
  }

  private static String readCmdline(long pid) {
    try {
      return Files.readString(Path.of("/proc", String.valueOf(pid), "cmdline")).replace('\0', ' ').strip();
    } catch (java.io.IOException e) {
      return "?";
    }
  }

  private static void indent(StringBuilder out, String text) {
    text.lines().forEach(l -> out.append("  ").append(l).append('\n'));
  }
}
