package io.edgepipe.runtime;

import io.grpc.netty.shaded.io.netty.buffer.AbstractByteBufAllocator;
import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.ByteBufAllocator;
import io.grpc.netty.shaded.io.netty.buffer.UnpooledUnsafeDirectByteBuf;
import io.grpc.netty.shaded.io.netty.util.internal.PlatformDependent;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * A hop's buffer allocator: every request goes to {@code delegate}, except the buffers gRPC frames
 * large outgoing messages into, which come from a short stack of the ones released last.
 *
 * <p>Why: grpc-netty copies each outgoing message into buffers of at most 1 MiB (its
 * {@code NettyWritableBufferAllocator}), so a message of a megabyte or more is framed into 1 MiB
 * buffers of exactly that capacity, written to the socket and released. From Netty's pool, the
 * next message's buffers are other memory, long out of the core's cache, and both the framing
 * copy and the kernel's socket copy then run from memory. Taken last-in first-out, the buffer just
 * written (and released, on the same event loop: {@link FramingOnConnectionThread}) is framed into
 * again while it is still in the core's 2 MiB cache, as a raw socket's sender reuses the JDK's one
 * temporary buffer. Smaller messages ask for buffers of their own size and go to the pool as before.
 *
 * <p>At most {@value #KEPT} idle buffers are kept (8 MiB for the JVM); one released beyond that is
 * freed. Opt-in ({@code -Dedgepipe.hop.hotBuffers=true}), like the framing on the connection's
 * thread it is meant to go with: under session 9's load neither changed the CPU per GB of
 * {@code bench transport} measurably.
 */
final class HotFramingBuffers extends AbstractByteBufAllocator {
  /** Whether {@link Transport} puts it in front of the pool. */
  static final boolean ENABLED = Boolean.getBoolean("edgepipe.hop.hotBuffers");
  /** What grpc-netty asks for when framing a message of 1 MiB or more: buffer(1 MiB, 1 MiB). */
  static final int FRAMING_BYTES = 1 << 20;
  private static final int KEPT = 8;

  private final ByteBufAllocator delegate;
  private final ArrayDeque<ByteBuffer> idle = new ArrayDeque<>(); // guarded by itself; last released first

  HotFramingBuffers(ByteBufAllocator delegate) {
    super(true);
    this.delegate = delegate;
  }

  @Override
  protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
    return delegate.heapBuffer(initialCapacity, maxCapacity);
  }

  @Override
  protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
    if (initialCapacity != FRAMING_BYTES || maxCapacity != FRAMING_BYTES) {
      return delegate.directBuffer(initialCapacity, maxCapacity);
    }
    return toLeakAwareBuffer(new Recycled(take()).clear()); // wrapped memory counts as written: empty it
  }

  @Override
  public boolean isDirectBufferPooled() {
    return true;
  }

  /** Idle buffers kept now (for tests). */
  int idle() {
    synchronized (idle) {
      return idle.size();
    }
  }

  private ByteBuffer take() {
    ByteBuffer memory;
    synchronized (idle) {
      memory = idle.pollLast();
    }
    return memory != null ? memory.clear() : ByteBuffer.allocateDirect(FRAMING_BYTES);
  }

  private void giveBack(ByteBuffer memory) {
    synchronized (idle) {
      if (idle.size() < KEPT) {
        idle.addLast(memory);
        return;
      }
    }
    PlatformDependent.freeDirectBuffer(memory);
  }

  /** A framing buffer whose memory goes back on the stack when the buffer is released. */
  private final class Recycled extends UnpooledUnsafeDirectByteBuf {
    private final ByteBuffer memory;

    Recycled(ByteBuffer memory) {
      super(HotFramingBuffers.this, memory, FRAMING_BYTES); // this constructor never frees the memory itself
      this.memory = memory;
    }

    @Override
    protected void deallocate() {
      super.deallocate();
      giveBack(memory);
    }
  }
}
