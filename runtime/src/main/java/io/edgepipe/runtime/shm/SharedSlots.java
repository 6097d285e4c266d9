package io.edgepipe.runtime.shm;

import io.edgepipe.api.shm.SharedMemory;
import com.google.protobuf.UnsafeByteOperations;
import io.edgepipe.api.proto.Frame;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;

/**
 * The reader's side of a same-host hop: the sender's ring, mapped read-only when the stream
 * opened. A frame naming a slot gets its payload as a view of the slot, no copy; the view must
 * not be used after the frame is answered (the sender then reuses the slot).
 */
public final class SharedSlots {
  private final MappedByteBuffer map;

  private SharedSlots(MappedByteBuffer map) {
    this.map = map;
  }

  /** Maps the ring a sender named (and unlinks its file), or null if it is not on this host. */
  public static SharedSlots open(String ringName) {
    Path file = SharedMemory.fileOf(ringName);
    if (file == null || !SharedMemory.available()) {
      return null;
    }
    try {
      return new SharedSlots(SharedMemory.mapAndUnlink(file));
    } catch (IOException | RuntimeException e) {
      return null; // another host, or another /dev/shm: the sender keeps sending inline
    }
  }

  /**
   * {@code frame} with its slot's bytes as the payload; the frame unchanged when its slot lies
   * outside the ring (the validator then refuses it, naming the slot).
   */
  public Frame resolve(Frame frame) {
    long offset = frame.getShared().getOffset();
    long length = frame.getShared().getLength();
    if (offset < 0 || length < 0 || offset > map.capacity() || length > map.capacity() - offset) {
      return frame;
    }
    ByteBuffer view = map.duplicate();
    view.position((int) offset).limit((int) (offset + length));
    return frame.toBuilder().clearShared().setData(UnsafeByteOperations.unsafeWrap(view.slice())).build();
  }
}
