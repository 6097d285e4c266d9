package io.edgepipe.runtime.shm;

import io.edgepipe.api.shm.SharedMemory;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.api.proto.SharedSlot;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;
import java.util.BitSet;

/**
 * The writer's side of a same-host hop: a file in shared memory cut into fixed slots, one per
 * frame the sender may have unanswered. A payload is copied into a free slot and the frame
 * carries only the slot's place; the slot is freed when the frame is answered. A payload larger
 * than a slot, or one sent while every slot is taken, travels inline.
 *
 * <p>A stage can also {@link #reserve} a slot before it computes and write its output straight
 * into it; a frame whose payload is that reservation is then placed without any copy.
 */
public final class SharedRing implements AutoCloseable {
  private final Path file;
  private final String name;
  private final MappedByteBuffer map;
  private final int slotBytes;
  private final int slots;
  private final BitSet taken; // guarded by this
  private final ByteString[] reserved; // per slot, the payload reserved in it and not yet placed; guarded by this
  private boolean closed;

  private SharedRing(Path file, MappedByteBuffer map, int slots, int slotBytes) {
    this.file = file;
    this.name = file.getFileName().toString();
    this.map = map;
    this.slots = slots;
    this.slotBytes = slotBytes;
    this.taken = new BitSet(slots);
    this.reserved = new ByteString[slots];
  }

  /** A new ring of {@code slots} slots of {@code slotBytes}, or null where shared memory is missing. */
  public static SharedRing create(int slots, long slotBytes) {
    if (!SharedMemory.available() || slots < 1 || slotBytes < 1 || slots * slotBytes > Integer.MAX_VALUE) {
      return null;
    }
    Path file = SharedMemory.dir().resolve(SharedMemory.newName());
    try {
      return new SharedRing(file, SharedMemory.create(file, slots * slotBytes), slots, (int) slotBytes);
    } catch (IOException | RuntimeException e) {
      SharedMemory.deleteQuietly(file);
      return null;
    }
  }

  /** The name the reader is told when the stream opens. */
  public String name() {
    return name;
  }

  /**
   * {@code frame} with its payload moved into a free slot (the returned slot index is to be
   * freed on the answer), or null when it must travel inline.
   */
  public synchronized Placed place(Frame frame) {
    ByteString data = frame.getData();
    if (closed || data.isEmpty() || data.size() > slotBytes) {
      return null;
    }
    int slot = reservedSlotOf(data);
    boolean inPlace = slot >= 0;
    if (inPlace) {
      reserved[slot] = null; // written in place by its producer: no copy
    } else {
      slot = taken.nextClearBit(0);
      if (slot >= slots) {
        return null;
      }
      taken.set(slot);
      ByteBuffer target = map.duplicate();
      target.position(slot * slotBytes);
      data.copyTo(target); // the one copy: from the sender's buffer into shared memory
    }
    Frame slim = frame.toBuilder().clearData()
        .setShared(SharedSlot.newBuilder().setOffset((long) slot * slotBytes).setLength(data.size())).build();
    return new Placed(slim, slot, inPlace);
  }

  /** A frame whose payload is in slot {@code slot}; {@code inPlace} when it was written there, not copied. */
  public record Placed(Frame frame, int slot, boolean inPlace) {}

  /**
   * A free slot to write a payload of {@code bytes} into before it is sent, or null (too large,
   * no slot free, ring closed): the caller then writes into memory of its own. The slot stays
   * taken until a frame carrying {@link Reservation#payload} is placed and answered, or until
   * {@link #release} (the output was not sent through this ring).
   */
  public synchronized Reservation reserve(int bytes) {
    if (closed || bytes < 1 || bytes > slotBytes) {
      return null;
    }
    int slot = taken.nextClearBit(0);
    if (slot >= slots) {
      return null;
    }
    taken.set(slot);
    ByteBuffer view = map.duplicate();
    view.position(slot * slotBytes).limit(slot * slotBytes + bytes);
    ByteBuffer writable = view.slice().order(ByteOrder.LITTLE_ENDIAN);
    ByteString payload = UnsafeByteOperations.unsafeWrap(writable.duplicate());
    reserved[slot] = payload;
    return new Reservation(this, writable, payload);
  }

  /** Frees {@code payload}'s slot if it was reserved here and never placed; otherwise nothing. */
  public synchronized void release(ByteString payload) {
    int slot = reservedSlotOf(payload);
    if (slot >= 0) {
      reserved[slot] = null;
      taken.clear(slot);
    }
  }

  private int reservedSlotOf(ByteString payload) {
    for (int i = 0; i < slots; i++) {
      if (reserved[i] == payload) { // the very ByteString handed out, not equal bytes
        return i;
      }
    }
    return -1;
  }

  /** A reserved slot, to write one payload into. */
  public static final class Reservation {
    private final SharedRing ring;
    private final ByteBuffer buffer;
    private final ByteString payload;

    private Reservation(SharedRing ring, ByteBuffer buffer, ByteString payload) {
      this.ring = ring;
      this.buffer = buffer;
      this.payload = payload;
    }

    /** Where the producer writes: little-endian, exactly the payload's size. */
    public ByteBuffer buffer() {
      return buffer;
    }

    /** The same memory as the frame's data: a frame carrying it is placed without a copy. */
    public ByteString payload() {
      return payload;
    }

    /** Gives the slot back when the output will not be sent (the computation failed). */
    public void release() {
      ring.release(payload);
    }
  }

  /** The frame in {@code slot} was answered: the reader is done with it. */
  public synchronized void free(int slot) {
    taken.clear(slot);
  }

  /** Deletes the file if the reader has not (the stream ended before it mapped it). */
  @Override
  public synchronized void close() {
    closed = true;
    SharedMemory.deleteQuietly(file);
  }
}
