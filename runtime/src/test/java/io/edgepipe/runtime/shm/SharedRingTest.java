package io.edgepipe.runtime.shm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.api.shm.SharedMemory;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Outputs written straight into a reserved slot of the writer's ring, and the slots' lifetimes. */
class SharedRingTest {
  @BeforeEach
  void needsDevShm() {
    Assumptions.assumeTrue(SharedMemory.available(), "needs a writable /dev/shm");
  }

  private static Frame frame(ByteString data) {
    return Frame.newBuilder().setFlowId("cam").setSeq(1).setData(data).build();
  }

  private static long firstLong(Frame resolved) {
    return resolved.getData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).getLong(0);
  }

  @Test
  void aReservedPayloadIsPlacedInItsOwnSlotWithoutACopy() {
    try (SharedRing ring = SharedRing.create(2, 16)) {
      SharedSlots reader = SharedSlots.open(ring.name());
      SharedRing.Reservation slot = ring.reserve(8);
      slot.buffer().putLong(0, 42);
      SharedRing.Placed placed = ring.place(frame(slot.payload()));
      assertTrue(placed.inPlace());
      assertEquals(42, firstLong(reader.resolve(placed.frame())));
      // the reader maps the very memory the producer wrote: a later write shows, which a copy would not
      slot.buffer().putLong(0, 7);
      assertEquals(7, firstLong(reader.resolve(placed.frame())));
    }
  }

  @Test
  void equalBytesFromElsewhereAreCopiedIntoAFreeSlot() {
    try (SharedRing ring = SharedRing.create(2, 16)) {
      SharedRing.Reservation slot = ring.reserve(8);
      slot.buffer().putLong(0, 42);
      SharedRing.Placed copied = ring.place(frame(ByteString.copyFrom(slot.payload().toByteArray())));
      assertFalse(copied.inPlace(), "matched by identity, not by content");
      assertEquals(8, copied.frame().getShared().getLength());
      assertNull(ring.reserve(8), "both slots taken: the reservation and the copy");
    }
  }

  @Test
  void anUnsentReservationGivesItsSlotBackAndAFullRingFallsBackToInline() {
    try (SharedRing ring = SharedRing.create(2, 16)) {
      SharedRing.Reservation first = ring.reserve(16);
      assertNotNull(ring.reserve(16));
      assertNull(ring.reserve(16), "no slot left to reserve");
      assertNull(ring.place(frame(ByteString.copyFrom(new byte[4]))), "no slot left: the frame goes inline");
      assertNull(ring.reserve(17), "larger than a slot");
      first.release();
      first.release(); // twice is harmless: the slot is given back once
      assertNotNull(ring.reserve(16));
      assertNull(ring.reserve(16));
    }
  }

  @Test
  void aClosedRingReservesNothing() {
    SharedRing ring = SharedRing.create(2, 16);
    ring.close();
    assertNull(ring.reserve(8));
  }
}
