package io.edgepipe.vgpu.backend;

import io.edgepipe.api.shm.SharedMemory;
import io.edgepipe.api.shm.SharedSegment;
import io.edgepipe.vgpu.Gpu;
import io.edgepipe.vgpu.GpuException;
import io.edgepipe.vgpu.proto.SessionStatus;
import io.edgepipe.vgpu.proto.StatusReply;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the backend's service shares: the device, its scheduler, modules, live sessions, and the
 * admission ledger. A session is admitted only if its vMemory reservation fits the device's
 * unreserved memory and its host reservation fits the host budget, so a tenant's allocations
 * inside its reservation always succeed and no tenant can make the backend hold more host memory
 * than it was admitted with.
 */
final class BackendCore {
  private static final long MIB = 1L << 20;

  final Gpu device;
  final BackendLimits limits;
  final FairScheduler scheduler;
  final SharedModules modules;
  /** Sends replies (serialisation can be long) so that the device thread never waits on it. */
  final ExecutorService replies = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "vgpu-reply");
    t.setDaemon(true);
    return t;
  });
  /**
   * Open and reply deadlines. Cancelled ones leave the queue at once: a busy session drains
   * hundreds of replies a second, each with a deadline that would otherwise wait out the timeout.
   */
  final ScheduledExecutorService timers = timers();

  private static ScheduledExecutorService timers() {
    java.util.concurrent.ScheduledThreadPoolExecutor t = new java.util.concurrent.ScheduledThreadPoolExecutor(1, r -> {
      Thread th = new Thread(r, "vgpu-timers");
      th.setDaemon(true);
      return th;
    });
    t.setRemoveOnCancelPolicy(true);
    return t;
  }
  /** Session ids and handles: random, so they tell nothing about other sessions. */
  final SecureRandom random = new SecureRandom();
  private final AtomicLong deviceBytes = new AtomicLong();
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  /** Device memory reservations may add up to (the device's memory less the margin). */
  private final long reservable;
  private long deviceReserved; // guarded by this
  private long hostReserved; // guarded by this

  private final TokenStore tokens;

  BackendCore(Gpu device, BackendLimits limits, TokenStore tokens) {
    this.device = device;
    this.limits = limits;
    this.tokens = tokens;
    this.scheduler = new FairScheduler("vgpu-device", limits.scheduler());
    this.modules = new SharedModules(device);
    long memory = limits.deviceMemoryBytes() > 0 ? limits.deviceMemoryBytes() : device.memoryCapacity();
    if (memory <= 0) {
      throw new IllegalArgumentException("device " + device.name() + " does not report its memory: configure it");
    }
    this.reservable = memory - limits.margin(memory);
    random.nextLong(); // seeds it now, not in the first tenant's open
  }

  /** Device memory sessions' reservations may add up to. */
  long reservableBytes() {
    return reservable;
  }

  /** The caps that apply to {@code tenant}: its line's, else the backend's defaults. */
  TokenStore.Limits limitsOf(String tenant) {
    return tokens.limits(tenant).orElse(limits.tenantDefaults());
  }

  /**
   * Admits a new session, reserving its vMemory and host memory, or throws GpuException
   * RESOURCE_EXHAUSTED naming the cap, reservation or budget it would pass (PERMISSION_DENIED for
   * an admin token, which opens no sessions).
   */
  synchronized Session newSession(String tenant, String client, double fgpu, int vmemUnits) {
    TokenStore.Limits lim = limitsOf(tenant);
    if (lim.admin()) {
      throw new GpuException("PERMISSION_DENIED", "'" + tenant + "' is an admin token: it may read status, not open sessions");
    }
    double f = 0;
    long v = 0;
    int n = 0;
    for (Session s : sessions.values()) {
      if (s.tenant.equals(tenant) && !s.ended) {
        f += s.fgpu;
        v += s.vmemUnits;
        n++;
      }
    }
    if (n + 1 > lim.maxSessions()) {
      throw new GpuException("RESOURCE_EXHAUSTED", "tenant '" + tenant + "' may have " + lim.maxSessions()
          + " sessions open at once; " + n + " are open");
    }
    if (f + fgpu > lim.maxFgpu() + 1e-9) {
      throw new GpuException("RESOURCE_EXHAUSTED", "tenant '" + tenant + "' may hold fGPU "
          + lim.maxFgpu() + " over all its sessions: " + round(f) + " in use, " + fgpu + " requested");
    }
    if (v + vmemUnits > lim.maxVmemUnits()) {
      throw new GpuException("RESOURCE_EXHAUSTED", "tenant '" + tenant + "' may hold "
          + lim.maxVmemUnits() + " vMemory units (256 MiB each) over all its sessions: " + v + " in use, "
          + vmemUnits + " requested");
    }
    long want = vmemUnits * Session.VMEM_UNIT;
    if (deviceReserved + want > reservable) {
      throw new GpuException("RESOURCE_EXHAUSTED", "device memory: " + vmemUnits + " vMemory unit(s) ("
          + want / MIB + " MiB) requested, " + deviceReserved / MIB + " MiB reserved by open sessions, "
          + (reservable - deviceReserved) / MIB + " MiB free of " + reservable / MIB + " MiB reservable");
    }
    long host = limits.hostBytesPerSession();
    if (hostReserved + host > limits.hostBudgetBytes()) {
      throw new GpuException("RESOURCE_EXHAUSTED", "host memory: a session reserves " + host / MIB
          + " MiB for its messages, " + hostReserved / MIB + " MiB reserved by open sessions, "
          + (limits.hostBudgetBytes() - hostReserved) / MIB + " MiB free of " + limits.hostBudgetBytes() / MIB
          + " MiB");
    }
    String id;
    do {
      id = Long.toString(random.nextLong() & Long.MAX_VALUE, 36);
    } while (sessions.containsKey(id));
    FairScheduler.Lane lane = scheduler.register(id, fgpu);
    Session s = new Session(id, tenant, client, fgpu, vmemUnits, lane, device, modules, deviceBytes, random,
        limits.maxBatchPayload());
    deviceReserved += want;
    hostReserved += host;
    sessions.put(id, s);
    return s;
  }

  /**
   * Maps the shared-memory segment {@code s} offered at open and charges what it maps to the host
   * budget, like the session's messages: at most what the session's messages may hold
   * ({@link BackendLimits#hostBytesPerSession}, the first that much of a larger offer), and only
   * if it fits what is left of the budget. Returns null when mapped, else why not (the session
   * then moves its payloads inline).
   */
  String attachSegment(Session s, String name, long offered) {
    if (!SharedMemory.available()) {
      return "shared memory is off on the backend";
    }
    if (offered < 1) {
      return "a segment of " + Long.toUnsignedString(offered) + " bytes cannot be mapped";
    }
    long bytes = Math.min(offered, limits.hostBytesPerSession());
    synchronized (this) {
      if (hostReserved + bytes > limits.hostBudgetBytes()) {
        return "host memory: a segment of " + bytes / MIB + " MiB does not fit, " + hostReserved / MIB
            + " MiB reserved by open sessions of " + limits.hostBudgetBytes() / MIB + " MiB";
      }
      hostReserved += bytes;
    }
    try {
      s.segment = SharedSegment.map(name, SEGMENT_KIND, offered, bytes);
      return null;
    } catch (java.io.IOException | RuntimeException e) {
      synchronized (this) {
        hostReserved -= bytes;
      }
      return "cannot map it: " + e.getMessage();
    }
  }

  /** Segment kind the backend maps (the client library's; never a stage hop's ring). */
  static final String SEGMENT_KIND = "vgpu";

  /** Host memory {@code s} reserved: its messages, and its segment if it has one. */
  private long hostBytesOf(Session s) {
    return limits.hostBytesPerSession() + (s.segment == null ? 0 : s.segment.bytes());
  }

  private static String round(double v) {
    return String.format(Locale.ROOT, "%.3f", v);
  }

  /**
   * On the device thread: frees the session's memory, forgets it and returns its reservations. A
   * session that made the backend hold a lot (buffers or messages of 16 MiB or more), or that
   * leaves 64 MiB or more of heap committed but unused (garbage of a busy session), is followed
   * by a full collection, so the JVM gives the memory back to the system rather than keeping the
   * heap it grew to (see {@link #returnMemory}).
   */
  void release(Session s) {
    long host = hostBytesOf(s);
    s.release();
    synchronized (this) {
      if (sessions.remove(s.id) != null) {
        deviceReserved -= s.bytesAllowed;
        hostReserved -= host;
      }
    }
    java.lang.management.MemoryUsage heap = java.lang.management.ManagementFactory.getMemoryMXBean()
        .getHeapMemoryUsage();
    if (s.largestFootprint() >= RETURN_AFTER_BYTES || heap.getCommitted() - heap.getUsed() >= 4 * RETURN_AFTER_BYTES) {
      returnMemory();
    }
  }

  /** Sessions that held at least this much at once are followed by a collection when they end. */
  static final long RETURN_AFTER_BYTES = 16 * MIB;
  private static final long GC_SPACING_NANOS = 2_000_000_000L;
  private long lastCollection = System.nanoTime() - GC_SPACING_NANOS; // guarded by this
  private boolean collectionQueued; // guarded by this

  /**
   * Asks for a full collection and a trim of the native heap off the device thread, at most once
   * per 2 s ({@link BackendMemory#returnToSystem}): the heap then shrinks to what is live (G1
   * uncommits after a full GC) and malloc gives back the pages of freed transport buffers, so
   * resident memory returns to its level before a tenant's burst.
   */
  private synchronized void returnMemory() {
    if (collectionQueued) {
      return;
    }
    collectionQueued = true;
    long wait = Math.max(0, lastCollection + GC_SPACING_NANOS - System.nanoTime());
    timers.schedule(() -> {
      synchronized (this) {
        collectionQueued = false;
        lastCollection = System.nanoTime();
      }
      BackendMemory.returnToSystem();
    }, wait + 200_000_000L, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  long deviceBytesInUse() {
    return deviceBytes.get();
  }

  synchronized long deviceBytesReserved() {
    return deviceReserved;
  }

  synchronized long hostBytesReserved() {
    return hostReserved;
  }

  int sessionCount() {
    return sessions.size();
  }

  List<Session> sessions() {
    return new ArrayList<>(sessions.values());
  }

  /** Every session (admin view). */
  StatusReply status() {
    return status(null);
  }

  /**
   * What {@code viewer} may see: an admin token (or null, the backend itself) sees every session
   * and the device totals; a tenant sees its own sessions, and totals over them only.
   */
  StatusReply status(String viewer) {
    boolean all = viewer == null || tokens.isAdmin(viewer);
    List<Session> live = new ArrayList<>();
    for (Session s : sessions()) {
      if (all || s.tenant.equals(viewer)) {
        live.add(s);
      }
    }
    long[] busy = new long[live.size()];
    long[] entitled = new long[live.size()];
    long liveBusy = 0;
    long bytes = 0;
    for (int i = 0; i < busy.length; i++) {
      FairScheduler.LaneStats st = scheduler.stats(live.get(i).lane);
      busy[i] = st.busyNanos();
      entitled[i] = st.entitledNanos();
      liveBusy += busy[i];
      bytes += live.get(i).bytesInUse();
    }
    StatusReply.Builder r = StatusReply.newBuilder()
        .setDeviceName(device.name())
        .setDeviceBytesInUse(all ? deviceBytes.get() : bytes)
        .setBusyNanosTotal(all ? scheduler.totalBusyNanos() : liveBusy);
    for (int i = 0; i < busy.length; i++) {
      Session s = live.get(i);
      r.addSessions(SessionStatus.newBuilder()
          .setSessionId(s.id).setTenant(s.tenant).setClient(s.client)
          .setFgpu(s.fgpu).setVmemUnits(s.vmemUnits)
          .setBytesInUse(s.bytesInUse()).setPeakBytesInUse(s.peakBytesInUse()).setBytesAllowed(s.bytesAllowed)
          .setBuffers(s.buffers())
          .setBusyNanos(busy[i]).setEntitledNanos(entitled[i])
          .setBusyShare(liveBusy == 0 ? 0 : (double) busy[i] / liveBusy)
          .setBatches(s.batches()));
    }
    return r.build();
  }
}
