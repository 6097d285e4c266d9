package io.edgepipe.vgpu.remote;

/**
 * Where and as whom to open a remote vGPU: the backend's address, the tenant and its token,
 * the quotas requested (fGPU share in (0, 1], vMemory in 256 MiB units), and how long to wait:
 * {@code callTimeoutMillis} for the backend's answer to one message (then the session is dropped
 * and the call fails with DEADLINE_EXCEEDED), {@code reconnectMillis} for re-establishing a lost
 * session within one call (0: never reconnect). {@link #toString()} never shows the token.
 */
public record RemoteSpec(String host, int port, String tenant, String token, double fgpu, int vmemUnits,
    String client, long callTimeoutMillis, long reconnectMillis, LinkOptions link) {
  public static final double DEFAULT_FGPU = 1.0;
  /**
   * 1 unit = 256 MiB: room for a 720p float32 frame's input and output with weights many times
   * over. The backend reserves it for the session, so ask for what the stage needs (pipeline vgpu
   * profile says; a 4K float32 frame needs vmem=2 or more).
   */
  public static final int DEFAULT_VMEM_UNITS = 1;
  /** A batch answered later than this is taken for a hung backend (a 4K frame takes well under 1 s). */
  public static final long DEFAULT_CALL_TIMEOUT_MILLIS = 30_000;
  /** Time one call may spend re-establishing a lost session (backend restart) before it fails. */
  public static final long DEFAULT_RECONNECT_MILLIS = 5_000;

  /** A spec with the default call timeout and reconnect window. */
  public RemoteSpec(String host, int port, String tenant, String token, double fgpu, int vmemUnits, String client) {
    this(host, port, tenant, token, fgpu, vmemUnits, client, DEFAULT_CALL_TIMEOUT_MILLIS, DEFAULT_RECONNECT_MILLIS);
  }

  /** A spec with the default link (shared memory offered, no codec). */
  public RemoteSpec(String host, int port, String tenant, String token, double fgpu, int vmemUnits, String client,
      long callTimeoutMillis, long reconnectMillis) {
    this(host, port, tenant, token, fgpu, vmemUnits, client, callTimeoutMillis, reconnectMillis, LinkOptions.DEFAULT);
  }

  /** This spec with other waits. */
  public RemoteSpec withTimeouts(long callTimeoutMillis, long reconnectMillis) {
    return new RemoteSpec(host, port, tenant, token, fgpu, vmemUnits, client, callTimeoutMillis, reconnectMillis, link);
  }

  /** This spec with another link (shared memory, codec). */
  public RemoteSpec withLink(LinkOptions l) {
    return new RemoteSpec(host, port, tenant, token, fgpu, vmemUnits, client, callTimeoutMillis, reconnectMillis, l);
  }

  public RemoteSpec {
    if (callTimeoutMillis < 1) {
      throw new IllegalArgumentException("timeout must be > 0, got " + callTimeoutMillis + " ms");
    }
    if (reconnectMillis < 0) {
      throw new IllegalArgumentException("reconnect must be >= 0 (0: never), got " + reconnectMillis + " ms");
    }
    if (host == null || host.isEmpty()) {
      throw new IllegalArgumentException("vgpu spec needs a host");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("vgpu port must be in 1..65535, got " + port);
    }
    if (!(fgpu > 0 && fgpu <= 1)) {
      throw new IllegalArgumentException("fgpu must be in (0, 1], got " + fgpu);
    }
    if (vmemUnits < 1) {
      throw new IllegalArgumentException("vmem must be >= 1 (units of 256 MiB), got " + vmemUnits);
    }
    link = link == null ? LinkOptions.DEFAULT : link;
    tenant = tenant == null ? "" : tenant;
    token = token == null ? "" : token;
    client = client == null ? "" : client;
    // both travel as HTTP/2 header values: refuse here what the transport would refuse later,
    // in a message that does not quote the token
    if (!printable(tenant) || tenant.contains(":")) {
      throw new IllegalArgumentException("tenant name must be printable ASCII without spaces or ':'");
    }
    if (!printable(token)) {
      throw new IllegalArgumentException("the vGPU token must be printable ASCII without spaces");
    }
  }

  private static boolean printable(String s) {
    return s.chars().allMatch(c -> c > ' ' && c < 0x7f);
  }

  /** "vgpu://host:port", plus the tenant when one is named (never the token). */
  public String displayName() {
    String h = host.contains(":") ? "[" + host + "]" : host;
    return "vgpu://" + h + ":" + port + (tenant.isEmpty() ? "" : "?tenant=" + tenant);
  }

  @Override
  public String toString() {
    return "RemoteSpec[" + displayName() + ", fgpu=" + fgpu + ", vmem=" + vmemUnits
        + (token.isEmpty() ? ", no token" : ", token=***") + ", timeout=" + callTimeoutMillis + "ms, reconnect="
        + reconnectMillis + "ms, shm=" + (link.shmBytes() >> 20) + "MiB, codec=" + link.codec().label() + "]";
  }
}
