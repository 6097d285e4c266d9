package io.edgepipe.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.grpc.netty.shaded.io.netty.buffer.AdaptiveByteBufAllocator;
import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RecyclingBuffersTest {
  private static final int MIB = 1 << 20;
  private RecyclingBuffers buffers;

  @BeforeEach
  void recyclingIsAvailable() {
    assumeTrue(RecyclingBuffers.recycles(MIB), "needs Netty's direct memory access (sun.misc.Unsafe), which this JVM does not give");
    buffers = new RecyclingBuffers(new AdaptiveByteBufAllocator(true), 4L * MIB);
  }

  @Test
  void theMostRecentlyFreedMemoryIsHandedOutFirstAndStartsEmpty() {
    ByteBuf first = buffers.directBuffer(MIB);
    ByteBuf second = buffers.directBuffer(MIB);
    long firstAddress = first.memoryAddress();
    long secondAddress = second.memoryAddress();
    assertNotEquals(firstAddress, secondAddress);
    second.writeLong(42);
    first.release();
    second.release();
    assertEquals(2L * MIB, buffers.keptBytes());

    ByteBuf next = buffers.directBuffer(MIB);
    assertEquals(secondAddress, next.memoryAddress(), "the buffer freed last comes back first");
    assertEquals(0, next.readableBytes(), "a recycled buffer starts empty");
    assertEquals(MIB, next.writableBytes());
    assertEquals(firstAddress, buffers.directBuffer(MIB).memoryAddress());
    assertEquals(0, buffers.keptBytes());
  }

  @Test
  void aBufferHasTheCapacityAskedForOverMemoryOfItsPowerOfTwoSize() {
    ByteBuf odd = buffers.directBuffer(600_000);
    long address = odd.memoryAddress();
    assertEquals(600_000, odd.capacity());
    odd.release();
    ByteBuf other = buffers.directBuffer(1000_000); // same 1 MiB size: same memory
    assertEquals(address, other.memoryAddress());
    assertEquals(1000_000, other.capacity());
    ByteBuf half = buffers.directBuffer(300_000); // 512 KiB size: its own stack
    assertNotEquals(address, half.memoryAddress());
    other.release();
    half.release();
  }

  @Test
  void smallAndHugeRequestsComeFromTheOtherAllocator() {
    ByteBuf small = buffers.directBuffer(1024);
    ByteBuf huge = buffers.directBuffer(4 * MIB);
    small.release();
    huge.release();
    assertEquals(0, buffers.keptBytes(), "nothing under 32 KiB or over 1 MiB is kept here");
    assertFalse(RecyclingBuffers.recycles(32 << 10));
    assertTrue(RecyclingBuffers.recycles((32 << 10) + 1));
    assertFalse(RecyclingBuffers.recycles(MIB + 1));
  }

  @Test
  void keepsNoMoreFreeMemoryThanItsBound() {
    List<ByteBuf> live = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      live.add(buffers.directBuffer(MIB));
    }
    ByteBuf half = buffers.directBuffer(MIB / 2);
    live.forEach(ByteBuf::release);
    assertEquals(4L * MIB, buffers.keptBytes(), "a 4 MiB bound keeps four 1 MiB buffers, the rest go to the collector");
    half.release();
    assertEquals(4L * MIB, buffers.keptBytes(), "the bound counts every size together");
  }

  @Test
  void aBufferGrownPastItsMemoryStillGivesItsMemoryBack() {
    ByteBuf grown = buffers.directBuffer(MIB, 4 * MIB);
    long address = grown.memoryAddress();
    grown.writerIndex(MIB).writeLong(7); // past the recycled memory: Netty moves it to memory of its own
    assertEquals(7, grown.getLong(MIB));
    assertNotEquals(address, grown.memoryAddress());
    grown.release();
    assertEquals(MIB, buffers.keptBytes());
    assertEquals(address, buffers.directBuffer(MIB).memoryAddress());
  }

  /** Threads allocating and releasing at once: no memory is handed to two live buffers. */
  @Test
  void noTwoLiveBuffersShareMemoryUnderConcurrentUse() throws Exception {
    Set<Long> live = ConcurrentHashMap.newKeySet();
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try {
      List<Future<Integer>> clashes = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        clashes.add(threads.submit(() -> {
          int clash = 0;
          for (int i = 0; i < 2000; i++) {
            ByteBuf b = buffers.directBuffer(64 << 10 << (i % 3));
            if (!live.add(b.memoryAddress())) {
              clash++;
            }
            b.writeInt(i);
            live.remove(b.memoryAddress());
            b.release();
          }
          return clash;
        }));
      }
      for (Future<Integer> f : clashes) {
        assertEquals(0, f.get(60, TimeUnit.SECONDS));
      }
    } finally {
      threads.shutdownNow();
    }
    assertTrue(buffers.keptBytes() > 0, "released buffers were kept for reuse");
  }
}
