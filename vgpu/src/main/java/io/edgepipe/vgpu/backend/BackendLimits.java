package io.edgepipe.vgpu.backend;

import java.util.concurrent.TimeUnit;

/**
 * What a backend promises its tenants and what it allows each of them (see docs/vgpu.md).
 *
 * @param deviceMemoryBytes device memory that sessions' vMemory reservations may add up to, margin
 *     included; 0 = the device's own figure ({@code Gpu.memoryCapacity()})
 * @param marginBytes device memory never reserved (driver, contexts, kernel modules)
 * @param tenantDefaults caps for tenants whose line in the tokens file names none
 * @param maxMessageBytes largest message a session may send (and largest reply payload)
 * @param hostBudgetBytes host memory all sessions may hold together; each session reserves
 *     {@link #hostBytesPerSession()} of it when it is admitted
 * @param maxOpsPerBatch ops one batch may carry
 * @param sliceNanos device time a batch runs before other tenants' batches may run between its ops
 * @param replyTimeoutMillis a reply the client has not read in this time ends the session
 * @param openTimeoutMillis a session stream that has not opened in this time is ended
 * @param handshakeTimeoutMillis a connection that has not finished its HTTP/2 (and TLS) handshake in
 *     this time is closed
 * @param idleConnectionMillis a connection without a call for this long is closed
 * @param scheduler fGPU scheduling tuning
 */
public record BackendLimits(long deviceMemoryBytes, long marginBytes, TokenStore.Limits tenantDefaults,
    int maxMessageBytes, long hostBudgetBytes, int maxOpsPerBatch, long sliceNanos, long replyTimeoutMillis,
    long openTimeoutMillis, long handshakeTimeoutMillis, long idleConnectionMillis, FairScheduler.Config scheduler) {

  /** Upper bound of a session's vMemory request (4 TiB): refuses absurd numbers, not real devices. */
  public static final int MAX_VMEM_UNITS = 1 << 14;

  /** A tenant without caps in the tokens file: fGPU 1, 16 vMemory units (4 GiB), 8 sessions. */
  public static final TokenStore.Limits TENANT_DEFAULTS = new TokenStore.Limits(1.0, 16, 8, false);

  /**
   * The defaults: device memory as the device reports it less 1/16; 64 MiB messages; host budget a
   * quarter of this JVM's heap; 4096 ops per batch; 2 ms slices; 30 s to read a reply; 10 s to open
   * a session or finish a handshake; connections idle for 5 minutes closed.
   */
  public static BackendLimits defaults() {
    return new BackendLimits(0, -1, TENANT_DEFAULTS, 64 << 20, Runtime.getRuntime().maxMemory() / 4, 4096,
        TimeUnit.MILLISECONDS.toNanos(2), 30_000, 10_000, 10_000, TimeUnit.MINUTES.toMillis(5),
        FairScheduler.Config.DEFAULT);
  }

  public BackendLimits {
    if (maxMessageBytes < (1 << 20)) {
      throw new IllegalArgumentException("max message size must be at least 1 MiB, got " + maxMessageBytes);
    }
    if (maxOpsPerBatch < 1 || sliceNanos < 1 || replyTimeoutMillis < 1 || openTimeoutMillis < 1
        || handshakeTimeoutMillis < 1 || idleConnectionMillis < 1) {
      throw new IllegalArgumentException("ops per batch, slice and timeouts must be >= 1");
    }
    if (hostBudgetBytes < hostBytes(maxMessageBytes)) {
      throw new IllegalArgumentException("host budget of " + hostBudgetBytes + " bytes holds no session (each reserves "
          + hostBytes(maxMessageBytes) + ")");
    }
  }

  /**
   * Host memory a session can make the backend hold: one inbound message being read and one reply
   * being written (the backend reads a session's next message only after its last reply has left).
   */
  public long hostBytesPerSession() {
    return hostBytes(maxMessageBytes);
  }

  private static long hostBytes(int maxMessage) {
    return 2L * maxMessage;
  }

  /** Payload a batch may carry each way: the message limit less room for the framing. */
  public long maxBatchPayload() {
    return io.edgepipe.vgpu.remote.Wire.payloadLimit(maxMessageBytes);
  }

  /** The margin in effect for a device of {@code deviceBytes}: the configured one, else 1/16 of it. */
  public long margin(long deviceBytes) {
    return marginBytes >= 0 ? marginBytes : deviceBytes / 16;
  }

  public BackendLimits withDeviceMemory(long bytes, long margin) {
    return new BackendLimits(bytes, margin, tenantDefaults, maxMessageBytes, hostBudgetBytes, maxOpsPerBatch,
        sliceNanos, replyTimeoutMillis, openTimeoutMillis, handshakeTimeoutMillis, idleConnectionMillis, scheduler);
  }

  public BackendLimits withTenantDefaults(TokenStore.Limits d) {
    return new BackendLimits(deviceMemoryBytes, marginBytes, d, maxMessageBytes, hostBudgetBytes, maxOpsPerBatch,
        sliceNanos, replyTimeoutMillis, openTimeoutMillis, handshakeTimeoutMillis, idleConnectionMillis, scheduler);
  }

  public BackendLimits withMessages(int maxMessage, long hostBudget) {
    return new BackendLimits(deviceMemoryBytes, marginBytes, tenantDefaults, maxMessage, hostBudget, maxOpsPerBatch,
        sliceNanos, replyTimeoutMillis, openTimeoutMillis, handshakeTimeoutMillis, idleConnectionMillis, scheduler);
  }

  public BackendLimits withBatches(int maxOps, long slice) {
    return new BackendLimits(deviceMemoryBytes, marginBytes, tenantDefaults, maxMessageBytes, hostBudgetBytes, maxOps,
        slice, replyTimeoutMillis, openTimeoutMillis, handshakeTimeoutMillis, idleConnectionMillis, scheduler);
  }

  public BackendLimits withTimeouts(long reply, long open, long handshake, long idle) {
    return new BackendLimits(deviceMemoryBytes, marginBytes, tenantDefaults, maxMessageBytes, hostBudgetBytes,
        maxOpsPerBatch, sliceNanos, reply, open, handshake, idle, scheduler);
  }

  public BackendLimits withScheduler(FairScheduler.Config s) {
    return new BackendLimits(deviceMemoryBytes, marginBytes, tenantDefaults, maxMessageBytes, hostBudgetBytes,
        maxOpsPerBatch, sliceNanos, replyTimeoutMillis, openTimeoutMillis, handshakeTimeoutMillis, idleConnectionMillis, s);
  }
}
