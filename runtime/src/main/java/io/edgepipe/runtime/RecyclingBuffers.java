package io.edgepipe.runtime;

import io.grpc.netty.shaded.io.netty.buffer.AbstractByteBufAllocator;
import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.ByteBufAllocator;
import io.grpc.netty.shaded.io.netty.buffer.UnpooledUnsafeDirectByteBuf;
import io.grpc.netty.shaded.io.netty.util.internal.PlatformDependent;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A buffer allocator that hands out the most recently freed large buffer first, so a hop moving
 * multi-megabyte frames keeps reusing the same few megabytes of memory, which stay in the
 * processor's cache, instead of cycling through tens of megabytes of pool.
 *
 * <p>Why: a socket read and the copy of a payload into send buffers write every byte of a
 * buffer; into memory that was last touched a frame ago (a few megabytes back) that costs
 * about half what it costs into memory last touched tens of megabytes ago (session 13's copy
 * measurement: 0.02-0.03 s/GB cycling 4-8 MiB against 0.05-0.06 at 32-64 MiB, on the 32 MiB
 * L3 of this machine). Netty's pools do not favour the most recently freed memory: the adaptive
 * pool carves its chunks in turn, so consecutive frames land in different memory.
 *
 * <p>Large requests (above half of {@value #SMALLEST} bytes up to {@value #LARGEST}: socket reads
 * and gRPC's framing buffers for big messages) get memory of the next power-of-two size, at least
 * {@value #SMALLEST}, from a stack per size; everything else comes from {@code small}. At most {@link #keptBytesBound} bytes of free buffers
 * are kept, all sizes together; beyond it a freed buffer is left to the garbage collector. A buffer that is
 * never released is collected like any other, so a leak costs memory, never a wrong reuse.
 */
final class RecyclingBuffers extends AbstractByteBufAllocator {
  static final int SMALLEST = 64 << 10;
  static final int LARGEST = 1 << 20;
  /**
   * Free memory kept, all sizes together: room for an 11 MB frame's reads and for its send
   * buffers with another frame queued, and small beside an edge Pod's memory (the k3s manifests
   * request 256-512 MiB and limit 512 MiB-1 GiB): direct memory counts there too.
   */
  static final long KEPT_BYTES = 32L << 20;
  private static final int SIZES = Integer.numberOfTrailingZeros(LARGEST) - Integer.numberOfTrailingZeros(SMALLEST) + 1;

  private final ByteBufAllocator small;
  private final long keptBytesBound;
  @SuppressWarnings("unchecked")
  private final ConcurrentLinkedDeque<ByteBuffer>[] free = new ConcurrentLinkedDeque[SIZES];
  private final AtomicLong keptBytes = new AtomicLong();

  RecyclingBuffers(ByteBufAllocator small, long keptBytesBound) {
    super(true);
    this.small = small;
    this.keptBytesBound = keptBytesBound;
    for (int i = 0; i < SIZES; i++) {
      free[i] = new ConcurrentLinkedDeque<>();
    }
  }

  @Override
  public ByteBuf heapBuffer(int initialCapacity, int maxCapacity) {
    return small.heapBuffer(initialCapacity, maxCapacity);
  }

  /** Large direct buffers recycled here (wrapped for Netty's leak detector by the superclass); others from {@code small}. */
  @Override
  public ByteBuf directBuffer(int initialCapacity, int maxCapacity) {
    return recycles(initialCapacity) ? super.directBuffer(initialCapacity, maxCapacity) : small.directBuffer(initialCapacity, maxCapacity);
  }

  @Override
  protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
    return small.heapBuffer(initialCapacity, maxCapacity); // not reached: heapBuffer goes to small
  }

  @Override
  protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
    int size = sizeIndex(initialCapacity);
    ByteBuffer memory = free[size].pollFirst();
    if (memory == null) {
      memory = ByteBuffer.allocateDirect(SMALLEST << size);
    } else {
      keptBytes.addAndGet(-memory.capacity());
    }
    return new Recycled(this, memory, initialCapacity, maxCapacity);
  }

  @Override
  public boolean isDirectBufferPooled() {
    return true;
  }

  /** Bytes of free memory kept now, all sizes. */
  long keptBytes() {
    return keptBytes.get();
  }

  /**
   * Whether a request is served from the stacks: above half the smallest size (so no buffer is
   * more than twice what was asked) up to the largest, and only where Netty can address native
   * memory directly (its buffers over wrapped memory need it).
   */
  static boolean recycles(int capacity) {
    return capacity > SMALLEST / 2 && capacity <= LARGEST && PlatformDependent.hasUnsafe();
  }

  private static int sizeIndex(int capacity) {
    int rounded = Math.max(SMALLEST, Integer.highestOneBit(capacity - 1) << 1);
    return Integer.numberOfTrailingZeros(rounded) - Integer.numberOfTrailingZeros(SMALLEST);
  }

  /** The total is checked, then raised: racing releases may keep a buffer or two beyond the bound. */
  private void giveBack(ByteBuffer memory) {
    if (keptBytes.get() + memory.capacity() > keptBytesBound) {
      return; // enough kept: the garbage collector frees this one
    }
    keptBytes.addAndGet(memory.capacity());
    free[sizeIndex(memory.capacity())].offerFirst(memory);
  }

  /** A buffer over recycled memory, given back to its stack when its last reference is released. */
  private static final class Recycled extends UnpooledUnsafeDirectByteBuf {
    private final RecyclingBuffers owner;
    private final ByteBuffer memory;

    Recycled(RecyclingBuffers owner, ByteBuffer memory, int capacity, int maxCapacity) {
      super(owner, memory.duplicate().clear().limit(capacity), maxCapacity); // wraps, does not free
      clear(); // wrapping counts the memory as written; a new buffer starts empty
      this.owner = owner;
      this.memory = memory;
    }

    @Override
    protected void deallocate() {
      super.deallocate(); // frees only memory of its own (after growing past its capacity)
      owner.giveBack(memory);
    }
  }
}
