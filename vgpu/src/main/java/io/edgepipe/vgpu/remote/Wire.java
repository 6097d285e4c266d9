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
  public static final long MAX_BATCH_PAYLOAD = payloadLimit(MAX_MESSAGE_BYTES);

  /** Payload a batch may carry each way when messages may have {@code maxMessageBytes}: room is left for framing. */
  public static long payloadLimit(long maxMessageBytes) {
    return maxMessageBytes - Math.min(1 << 20, maxMessageBytes / 8);
  }

  // The HTTP/2 flow-control window is left at gRPC's default (1 MiB, auto-tuned from the
  // measured bandwidth-delay product): on loopback, fixed 8 and 32 MiB windows made a 16 MiB
  // up+down batch 40-100% slower (more data parked in buffers), and auto-tuning grows the window
  // where a long link needs it.

  /** One vMemory unit, as in gEdge. */
  public static final long VMEM_UNIT_BYTES = 256L << 20;

  /** Metadata carrying the tenant name (optional: the token alone identifies the tenant). */
  public static final String TENANT_HEADER = "x-vgpu-tenant";
}
