package io.edgepipe.runtime.shm;

import io.edgepipe.api.shm.SharedMemory;
import com.google.protobuf.ByteString;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.api.proto.SharedSlot;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;
import java.util.BitSet;

/**
 * The writer's side of a same-host hop: a file in shared memory cut into fixed slots, one per
 * frame the sender may have unanswered. A payload is copied into a free slot and the frame
 * carries only the slot's place; the slot is freed when the frame is answered. A payload larger
 * than a slot, or one sent while every slot is taken, travels inline.
 */
public final class SharedRing implements AutoCloseable {
  private final Path file;
  private final String name;
  private final MappedByteBuffer map;
  private final int slotBytes;
  private final int slots;
  private final BitSet taken; // guarded by this
  private boolean closed;

  private SharedRing(Path file, MappedByteBuffer map, int slots, int slotBytes) {
    this.file = file;
    this.name = file.getFileName().toString();
    this.map = map;
    this.slots = slots;
    this.slotBytes = slotBytes;
    this.taken = new BitSet(slots);
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
    int slot = taken.nextClearBit(0);
    if (slot >= slots) {
      return null;
    }
    taken.set(slot);
    ByteBuffer target = map.duplicate();
    target.position(slot * slotBytes);
    data.copyTo(target); // the one copy: from the sender's buffer into shared memory
    Frame slim = frame.toBuilder().clearData()
        .setShared(SharedSlot.newBuilder().setOffset((long) slot * slotBytes).setLength(data.size())).build();
    return new Placed(slim, slot);
  }

  /** A frame whose payload is in slot {@code slot}. */
  public record Placed(Frame frame, int slot) {}

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
