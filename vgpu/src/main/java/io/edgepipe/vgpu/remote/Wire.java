package io.edgepipe.vgpu.remote;

/** Constants both ends of the vGPU shim agree on. */
public final class Wire {
  private Wire() {}

  /** Default backend port ({@code vgpu://host} without a port). */
  public static final int DEFAULT_PORT = 50100;

  /**
   * Largest message either end accepts. Frames are up to 100 MB (4K float32) and a batch carries
   * a frame's input and output, so gRPC's 4 MiB default is far too small.
   */
  public static final int MAX_MESSAGE_BYTES = 512 << 20;

  /** Payload a batch may carry each way; the client flushes before it would exceed this. */
  public static final long MAX_BATCH_PAYLOAD = MAX_MESSAGE_BYTES - (1 << 20);

  /** One vMemory unit, as in gEdge. */
  public static final long VMEM_UNIT_BYTES = 256L << 20;

  /** Metadata carrying the tenant name (optional: the token alone identifies the tenant). */
  public static final String TENANT_HEADER = "x-vgpu-tenant";
}
