package io.edgepipe.vgpu.cuda;

import static jcuda.driver.JCudaDriver.cuMemAllocHost;
import static jcuda.driver.JCudaDriver.cuMemFreeHost;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import jcuda.Pointer;

/**
 * Page-locked host memory for asynchronous copies whose host buffer cannot be handed to the
 * driver as is: a heap ByteBuffer may move under the GC once the JNI call returns, and a
 * read-only one (a protobuf payload) exposes no array at all. Regions are bump-allocated from
 * chunks between two synchronize calls, then {@link #reset()} makes the chunks reusable; chunks
 * are kept, so steady-state frames allocate nothing. Must be used with the owning context current.
 */
final class PinnedStaging {
  /** A staging region: the device-visible pointer and a ByteBuffer view of the same bytes. */
  record Region(Pointer pointer, ByteBuffer view) {}

  private static final long MIN_CHUNK = 32L << 20;

  private static final class Chunk {
    final Pointer base;
    final ByteBuffer bytes;
    int used;

    Chunk(Pointer base, ByteBuffer bytes) {
      this.base = base;
      this.bytes = bytes;
    }
  }

  private final List<Chunk> chunks = new ArrayList<>();

  /** A region of {@code n} bytes, valid until the next {@link #reset()}. */
  Region take(int n) {
    for (Chunk c : chunks) {
      if (c.bytes.capacity() - c.used >= n) {
        return carve(c, n);
      }
    }
    long size = Math.max(MIN_CHUNK, n);
    Pointer base = new Pointer();
    CudaGpu.check(cuMemAllocHost(base, size), "cuMemAllocHost(" + size + ")");
    Chunk c = new Chunk(base, base.getByteBuffer(0, size));
    chunks.add(c);
    return carve(c, n);
  }

  private static Region carve(Chunk c, int n) {
    int at = c.used;
    c.used += n;
    ByteBuffer view = c.bytes.duplicate().position(at).limit(at + n).slice();
    return new Region(c.base.withByteOffset(at), view);
  }

  /** Every region handed out so far is done with (called after a stream synchronize). */
  void reset() {
    for (Chunk c : chunks) {
      c.used = 0;
    }
  }

  void free() {
    for (Chunk c : chunks) {
      cuMemFreeHost(c.base);
    }
    chunks.clear();
  }
}
