package io.edgepipe.vgpu.remote;

import io.edgepipe.api.PayloadCodec;

/**
 * How a stage's vGPU session moves its payloads.
 *
 * @param shmBytes size of the shared-memory segment offered at open (0: none). When the backend
 *     is on the same host and maps it, HtoD and DtoH payloads go through it and the messages carry
 *     only the op and the place; a payload that does not fit what is left of it in one batch, or
 *     a backend on another host, takes the inline path
 * @param codec how inline payloads are encoded (none, lz4, zstd: lossless), both ways; for links
 *     slower than the CPU can compress
 */
public record LinkOptions(long shmBytes, PayloadCodec codec) {
  /** 64 MiB: a 720p float32 frame's input and output four times over; more than a 4K float32 input goes inline. */
  public static final long DEFAULT_SHM_BYTES = 64L << 20;
  /** Largest segment a client offers (a backend bounds it further by the session's reservation). */
  public static final long MAX_SHM_BYTES = 1L << 30;
  public static final LinkOptions DEFAULT = new LinkOptions(DEFAULT_SHM_BYTES, PayloadCodec.NONE);

  public LinkOptions {
    if (shmBytes < 0 || shmBytes > MAX_SHM_BYTES) {
      throw new IllegalArgumentException("shm must be off or 1.." + (MAX_SHM_BYTES >> 20) + " MiB, got "
          + shmBytes + " bytes");
    }
    if (codec == null) {
      codec = PayloadCodec.NONE;
    }
  }

  public LinkOptions withShmBytes(long bytes) {
    return new LinkOptions(bytes, codec);
  }

  public LinkOptions withCodec(PayloadCodec c) {
    return new LinkOptions(shmBytes, c);
  }
}
