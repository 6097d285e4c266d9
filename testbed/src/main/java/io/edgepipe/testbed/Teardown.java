package io.edgepipe.testbed;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Removes everything a testbed made, whether or not {@code up} finished: it works from the names
 * (all derived from the prefix, see {@link Names}), not from the state file alone, so a crashed or
 * killed {@code up} leaves nothing behind. With {@code all}, every {@code edgepipe-*} object of
 * any prefix goes. Order: processes in the namespaces and cgroups (SIGTERM, then SIGKILL after
 * {@value #GRACE_SECONDS} s), namespaces (which takes the veth pair with them), stray host links,
 * cgroups, the state directory.
 */
final class Teardown {
  static final int GRACE_SECONDS = 5;

  private Teardown() {}

  /** @return one line per object removed; throws listing what could not be removed */
  static List<String> down(Names names, boolean all) {
    Predicate<String> ours = all ? Names.anyTestbed() : names.owned();
    List<String> done = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    List<String> namespaces = Network.namespaces(ours);
    List<Path> groups = CpuCgroups.groups(ours);

    Set<Long> pids = new LinkedHashSet<>();
    namespaces.forEach(ns -> pids.addAll(Network.pids(ns)));
    groups.forEach(g -> pids.addAll(CpuCgroups.pids(g)));
    pids.remove(ProcessHandle.current().pid());
    int killed = kill(pids);
    if (!pids.isEmpty()) {
      done.add("stopped " + pids.size() + " process(es)" + (killed > 0 ? " (" + killed + " needed SIGKILL)" : ""));
    }
    for (String ns : namespaces) {
      attempt(done, failed, "namespace " + ns, List.of("ip", "netns", "del", ns));
    }
    for (String link : Network.hostLinks(ours)) {
      attempt(done, failed, "link " + link, List.of("ip", "link", "del", link));
    }
    for (Path g : groups) {
      removeGroup(g, done, failed);
    }
    for (Path dir : stateDirs(names, all)) {
      removeDir(dir, done, failed);
    }
    for (Path dir : shmDirs(names, all)) {
      removeDir(dir, done, failed);
    }
    if (!failed.isEmpty()) {
      throw new TestbedException("testbed down left " + String.join("; ", failed));
    }
    return done;
  }

  /** SIGTERM all, wait, SIGKILL the rest; returns how many needed SIGKILL. */
  private static int kill(Set<Long> pids) {
    List<ProcessHandle> live = new ArrayList<>();
    for (long pid : pids) {
      ProcessHandle.of(pid).ifPresent(h -> {
        h.destroy();
        live.add(h);
      });
    }
    waitGone(live);
    int forced = 0;
    for (ProcessHandle h : live) {
      if (h.isAlive()) {
        h.destroyForcibly();
        forced++;
      }
    }
    waitGone(live);
    return forced;
  }

  private static void waitGone(List<ProcessHandle> handles) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(GRACE_SECONDS);
    while (handles.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) {
      sleep(50);
    }
  }

  private static void attempt(List<String> done, List<String> failed, String what, List<String> command) {
    Sh.Result r = Sh.exec(command);
    if (r.ok()) {
      done.add("removed " + what);
    } else {
      failed.add(what + " (" + r.describeFailure() + ")");
    }
  }

  /** A group empties only once its last task is reaped, so retry for a moment. */
  private static void removeGroup(Path group, List<String> done, List<String> failed) {
    IOException last = null;
    for (int i = 0; i < 50; i++) {
      try {
        CpuCgroups.remove(group);
        done.add("removed cgroup " + group);
        return;
      } catch (java.nio.file.NoSuchFileException gone) {
        return;
      } catch (IOException e) {
        last = e;
        sleep(100);
      }
    }
    failed.add("cgroup " + group + " (" + last + ")");
  }

  private static List<Path> stateDirs(Names names, boolean all) {
    List<Path> dirs = new ArrayList<>(List.of(names.stateDir()));
    if (all) {
      try (Stream<Path> s = Files.list(names.stateDir().getParent())) {
        s.filter(p -> {
          String n = p.getFileName().toString();
          return n.startsWith(Names.DEFAULT_PREFIX) && n.endsWith("-testbed");
        }).forEach(dirs::add);
      } catch (IOException ignored) {
        // /run unreadable: only the named directory is tried
      }
    }
    return new ArrayList<>(new LinkedHashSet<>(dirs));
  }

  /** The nodes' shared-memory folders (see {@link Names#shmDir}); with {@code all}, every testbed's. */
  private static List<Path> shmDirs(Names names, boolean all) {
    List<Path> dirs = new ArrayList<>();
    for (Node node : Node.values()) {
      dirs.add(names.shmDir(node));
    }
    if (all) {
      try (Stream<Path> s = Files.list(Names.shmRoot())) {
        s.filter(p -> {
          String n = p.getFileName().toString();
          return n.startsWith(Names.DEFAULT_PREFIX) && n.contains("-shm-") && Files.isDirectory(p);
        }).forEach(dirs::add);
      } catch (IOException ignored) {
        // no /dev/shm: nothing to remove
      }
    }
    return new ArrayList<>(new LinkedHashSet<>(dirs));
  }

  private static void removeDir(Path dir, List<String> done, List<String> failed) {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.deleteIfExists(f);
      }
      Files.deleteIfExists(dir);
      done.add("removed " + dir);
    } catch (IOException e) {
      failed.add(dir + " (" + e + ")");
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
