package io.edgepipe.vgpu.backend;

import io.edgepipe.vgpu.Gpu;
import io.edgepipe.vgpu.proto.SessionStatus;
import io.edgepipe.vgpu.proto.StatusReply;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/** What the backend's service shares: the device, its scheduler, modules and live sessions. */
final class BackendCore {
  final Gpu device;
  final FairScheduler scheduler;
  final SharedModules modules;
  /** Sends replies (serialisation can be long) so that the device thread never waits on it. */
  final ExecutorService replies = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "vgpu-reply");
    t.setDaemon(true);
    return t;
  });
  private final AtomicLong deviceBytes = new AtomicLong();
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final AtomicLong nextId = new AtomicLong(1);
  private final AtomicLong handles = new AtomicLong(1);
  private final String idPrefix;

  private final TokenStore tokens;

  BackendCore(Gpu device, FairScheduler.Config config, TokenStore tokens) {
    this.device = device;
    this.tokens = tokens;
    this.scheduler = new FairScheduler("vgpu-device", config);
    this.modules = new SharedModules(device);
    // session ids differ between backend runs, so a stale id is never mistaken for a live one
    this.idPrefix = Long.toString(new SecureRandom().nextInt(1 << 30), 36);
  }

  /**
   * A new session, or a GpuException RESOURCE_EXHAUSTED when the tenant's live sessions together
   * would pass its limits from the tokens file.
   */
  synchronized Session newSession(String tenant, String client, double fgpu, int vmemUnits) {
    TokenStore.Limits lim = tokens.limits(tenant);
    if (lim.capped()) {
      double f = 0;
      long v = 0;
      for (Session s : sessions.values()) {
        if (s.tenant.equals(tenant)) {
          f += s.fgpu;
          v += s.vmemUnits;
        }
      }
      if (f + fgpu > lim.maxFgpu() + 1e-9) {
        throw new io.edgepipe.vgpu.GpuException("RESOURCE_EXHAUSTED", "tenant '" + tenant + "' may hold fGPU "
            + lim.maxFgpu() + " over all its sessions: " + round(f) + " in use, " + fgpu + " requested");
      }
      if (v + vmemUnits > lim.maxVmemUnits()) {
        throw new io.edgepipe.vgpu.GpuException("RESOURCE_EXHAUSTED", "tenant '" + tenant + "' may hold "
            + lim.maxVmemUnits() + " vMemory units (256 MiB each) over all its sessions: " + v + " in use, "
            + vmemUnits + " requested");
      }
    }
    String id = idPrefix + "-" + nextId.getAndIncrement();
    FairScheduler.Lane lane = scheduler.register(id, fgpu);
    Session s = new Session(id, tenant, client, fgpu, vmemUnits, lane, device, modules, deviceBytes, handles);
    sessions.put(id, s);
    return s;
  }

  private static String round(double v) {
    return String.format(java.util.Locale.ROOT, "%.3f", v);
  }

  /** On the device thread: frees the session's memory and forgets it. */
  void release(Session s) {
    s.release();
    sessions.remove(s.id);
  }

  long deviceBytesInUse() {
    return deviceBytes.get();
  }

  int sessionCount() {
    return sessions.size();
  }

  List<Session> sessions() {
    return new ArrayList<>(sessions.values());
  }

  StatusReply status() {
    List<Session> live = sessions();
    long[] busy = new long[live.size()];
    long[] entitled = new long[live.size()];
    long liveBusy = 0;
    for (int i = 0; i < busy.length; i++) {
      FairScheduler.LaneStats st = scheduler.stats(live.get(i).lane);
      busy[i] = st.busyNanos();
      entitled[i] = st.entitledNanos();
      liveBusy += busy[i];
    }
    StatusReply.Builder r = StatusReply.newBuilder()
        .setDeviceName(device.name())
        .setDeviceBytesInUse(deviceBytes.get())
        .setBusyNanosTotal(scheduler.totalBusyNanos());
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
