package io.edgepipe.vgpu.backend;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Gives the memory a tenant made the backend process hold back to the system once that tenant is
 * gone (docs/vgpu.md, section 6, has the measured breakdown). Two kinds of memory stay resident
 * after a burst even when nothing references it any more:
 * <ul>
 *   <li>the Java heap G1 grew to: it stays committed until a full collection or the remark of a
 *       concurrent cycle shrinks it (young collections never do);</li>
 *   <li>freed native memory (Netty's direct buffers for the burst's messages, direct copies):
 *       glibc's malloc keeps freed pages of its arenas for reuse and returns them only when asked
 *       ({@code malloc_trim}). Measured: the arenas held 37 MiB more after the bench's attacks than
 *       before, with the native memory in use back where it was.</li>
 * </ul>
 * {@link #returnToSystem} does both; the backend calls it (at most every 2 s) when a session that
 * held much memory ends, and {@link #configureProcess}'s watcher when the heap G1 committed is far
 * beyond what is live. The launch settings ({@link #JVM_FLAGS}, {@link #ENVIRONMENT}) keep the
 * young generation and malloc from holding on to memory in the first place.
 */
public final class BackendMemory {
  private static final Logger LOG = Logger.getLogger(BackendMemory.class.getName());

  private static final long MIB = 1L << 20;

  /**
   * Free heap G1 may keep committed after a collection that shrinks it, in percent of the heap
   * (JVM default 70: 3.3 times what is in use). 50 keeps at most twice what is in use, which is
   * also where the watcher ({@link #heapHasSlack}) stops asking for collections, so the two agree.
   */
  static final int MAX_HEAP_FREE_PERCENT = 50;

  /** How often {@link #configureProcess}'s watcher compares the committed heap with what is needed. */
  static final long WATCH_MILLIS = 2_000;

  /**
   * JVM flags a backend process is started with ({@code pipeline} script, the vgpu-backend image,
   * the tenants bench):
   * <ul>
   *   <li>a fixed young generation of 32 MiB ({@code -Xmn}). G1 otherwise sizes it up to 60% of
   *       the committed heap (measured: 89 to 334 MiB resident with one honest tenant and a 12 MiB
   *       live heap), and a young generation that may grow lets a burst leave it larger (measured:
   *       +21 MiB resident after the bench's first attack). A backend's garbage is per-message and
   *       short-lived, and payloads of 1 MiB or more are humongous objects that bypass it anyway;</li>
   *   <li>a heap floor of 64 MiB ({@code -Xms}, the young generation plus twice the 13-16 MiB a
   *       backend holds live with no tenant data), touched at start ({@code AlwaysPreTouch}): the
   *       memory the young generation cycles through is resident from the start, and the heap
   *       never shrinks below it, so a burst cannot move it to new pages. Above the floor the heap
   *       grows and shrinks with tenants' data as before (the pages it grows by are touched when
   *       committed);</li>
   *   <li>{@code System.gc()}, which the backend calls to give memory back, runs a concurrent
   *       cycle (its remark uncommits free heap) rather than a full collection that stops every
   *       tenant's work for it (150-390 ms measured on a busy 2-core host).</li>
   * </ul>
   */
  public static final List<String> JVM_FLAGS = List.of("-Xms64m", "-Xmn32m", "-XX:+AlwaysPreTouch",
      "-XX:+ExplicitGCInvokesConcurrent");

  /**
   * Environment of a backend process, for glibc's malloc: a fixed mmap threshold (128 KiB) makes
   * every large native allocation (Netty's 4 MiB pool chunks, direct buffers) its own mapping that
   * free() unmaps; by default glibc raises the threshold after the first such free, so later ones
   * come from its arenas and stay resident when freed (measured: arenas 47 to 73 MiB across the
   * bench's attacks, 25 to 29 MiB with these two). Two arenas instead of 8 per core bound how many
   * per-thread pools can each keep freed memory.
   */
  public static final Map<String, String> ENVIRONMENT = Map.of("MALLOC_MMAP_THRESHOLD_", "131072",
      "MALLOC_ARENA_MAX", "2");

  private BackendMemory() {}

  /** What of {@link #JVM_FLAGS} and {@link #ENVIRONMENT} this process was not started with. */
  static List<String> missingLaunchSettings(List<String> jvmArguments, Map<String, String> environment) {
    List<String> missing = new ArrayList<>();
    for (String flag : JVM_FLAGS) {
      // a value of the user's own counts: -XX:Name=value by its name, -Xms64m by its -Xms
      int eq = flag.indexOf('=');
      boolean sized = eq >= 0 || flag.startsWith("-Xm");
      String name = eq >= 0 ? flag.substring(0, eq + 1) : sized ? flag.substring(0, 4) : flag;
      if (jvmArguments.stream().noneMatch(a -> a.equals(name) || sized && a.startsWith(name))) {
        missing.add(flag);
      }
    }
    ENVIRONMENT.forEach((k, v) -> {
      if (!environment.containsKey(k)) {
        missing.add(k + "=" + v);
      }
    });
    return missing;
  }

  /**
   * For a process whose job is the backend ({@code pipeline vgpu-backend}): warns when it was not
   * started with the launch settings, sets {@link #MAX_HEAP_FREE_PERCENT} (unless the command line
   * did), and starts the watcher ({@link #shrinkIfSlack}, every
   * {@link #WATCH_MILLIS}). It acts on the whole JVM, so a library embedding a backend does not
   * call this.
   */
  public static void configureProcess() {
    List<String> missing = missingLaunchSettings(ManagementFactory.getRuntimeMXBean().getInputArguments(),
        System.getenv());
    if (!missing.isEmpty()) {
      LOG.warning(() -> "started without " + missing + " (the pipeline script and the vgpu-backend image set them):"
          + " resident memory will follow the JVM's and malloc's own sizing and may not return after a burst");
    }
    try {
      HotSpotDiagnosticMXBean hs = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
      if (hs.getVMOption("MaxHeapFreeRatio").getOrigin() == VMOption.Origin.DEFAULT
          && Integer.parseInt(hs.getVMOption("MinHeapFreeRatio").getValue()) <= MAX_HEAP_FREE_PERCENT) {
        hs.setVMOption("MaxHeapFreeRatio", Integer.toString(MAX_HEAP_FREE_PERCENT)); // a manageable flag
      }
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      LOG.log(Level.FINE, "MaxHeapFreeRatio not settable", e); // the JVM's own ratio applies
    }
    java.util.concurrent.ScheduledExecutorService watcher = java.util.concurrent.Executors
        .newSingleThreadScheduledExecutor(r -> {
          Thread t = new Thread(r, "vgpu-memory");
          t.setDaemon(true);
          return t;
        });
    watcher.scheduleWithFixedDelay(BackendMemory::shrinkIfSlack, WATCH_MILLIS, WATCH_MILLIS,
        java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  /**
   * G1 grows the heap when its pauses take more than 1% of the time (the threshold for a heap far
   * below its maximum), which a busy host causes without any more memory being needed, and it
   * gives the growth back only at a full collection or the remark of a concurrent cycle; the young
   * generation then moves to the new regions and the old ones stay resident. Its periodic
   * collection does not help: it waits for a pause-free interval that a served backend never has.
   * So every {@link #WATCH_MILLIS} this compares the committed heap with what is needed (the old
   * generation after the last collection, tenants' buffers included, plus the young generation's
   * cap) and, past {@link #heapHasSlack}, asks for a collection; either way it trims the native
   * heap.
   */
  static void shrinkIfSlack() {
    try {
      long committed = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
      long old = -1;
      for (java.lang.management.MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
        if (p.getName().endsWith("Old Gen") && p.getCollectionUsage() != null) {
          old = p.getCollectionUsage().getUsed();
        }
      }
      long young = Long.parseLong(ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
          .getVMOption("MaxNewSize").getValue());
      if (old >= 0 && heapHasSlack(committed, old, young)) {
        returnToSystem();
      } else {
        // the JIT's arenas and the transport's small buffers come and go through malloc all the
        // time; without a trim glibc keeps their freed pages (measured: 14 to 28 MiB in 10 s of
        // one honest tenant after the bench's attacks). A trim of two arenas takes well under 1 ms.
        trimNativeHeap();
      }
    } catch (RuntimeException e) {
      LOG.log(Level.FINE, "heap check failed", e);
    }
  }

  /** True when more than twice what is needed, and 16 MiB, is committed. */
  static boolean heapHasSlack(long committed, long oldAfterCollection, long youngCap) {
    return committed > 2 * (oldAfterCollection + youngCap) + 16 * MIB;
  }

  /**
   * A collection (a concurrent cycle with {@link #JVM_FLAGS}, else a full one: either way the heap
   * shrinks to what is live plus the free ratio, and G1 uncommits the rest), then glibc's
   * {@code malloc_trim} through the JVM's {@code System.trim_native_heap} command (freed native
   * memory leaves the process). Blocks for the collection; call it off the device thread.
   */
  public static void returnToSystem() {
    System.gc();
    trimNativeHeap();
  }

  /** malloc_trim; a no-op where the C library has none (the JVM then says so, and we ignore it). */
  static void trimNativeHeap() {
    try {
      MBeanServer server = ManagementFactory.getPlatformMBeanServer();
      Object said = server.invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"), "systemTrimNativeHeap",
          new Object[] {null}, new String[] {String[].class.getName()});
      LOG.fine(() -> "native heap: " + String.valueOf(said).strip());
    } catch (javax.management.JMException | RuntimeException e) {
      // a JVM before 17.0.9 has no such command: the native heap keeps what it keeps
      LOG.log(Level.FINE, "no System.trim_native_heap in this JVM", e);
    }
  }
}
