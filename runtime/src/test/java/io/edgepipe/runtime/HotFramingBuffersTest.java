package io.edgepipe.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.netty.shaded.io.netty.buffer.AdaptiveByteBufAllocator;
import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The framing buffers of large messages are reused last-released first; everything else is the pool's. */
class HotFramingBuffersTest {
  private static final int MIB = HotFramingBuffers.FRAMING_BYTES;

  @Test
  void aReleasedFramingBufferIsTheNextOneHandedOutEmpty() {
    HotFramingBuffers buffers = new HotFramingBuffers(new AdaptiveByteBufAllocator(true));
    ByteBuf first = buffers.buffer(MIB, MIB);
    assertTrue(first.isDirect());
    assertEquals(MIB, first.writableBytes(), "a framing buffer starts empty");
    first.writeBytes(new byte[MIB]);
    long memory = first.memoryAddress();
    first.release();
    assertEquals(1, buffers.idle());

    ByteBuf second = buffers.buffer(MIB, MIB);
    assertEquals(memory, second.memoryAddress(), "the buffer released last is reused");
    assertEquals(MIB, second.writableBytes());
    second.release();
  }

  @Test
  void otherRequestsGoToThePoolAndIdleBuffersAreBounded() {
    HotFramingBuffers buffers = new HotFramingBuffers(new AdaptiveByteBufAllocator(true));
    ByteBuf small = buffers.buffer(4096, 4096);
    ByteBuf growable = buffers.directBuffer(MIB); // a socket read's guess: growable, so not a framing buffer
    small.release();
    growable.release();
    assertEquals(0, buffers.idle());

    List<ByteBuf> many = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      many.add(buffers.buffer(MIB, MIB));
    }
    assertNotEquals(many.get(0).memoryAddress(), many.get(1).memoryAddress());
    many.forEach(ByteBuf::release);
    assertEquals(8, buffers.idle(), "at most eight idle buffers are kept, the rest freed");
  }
}
