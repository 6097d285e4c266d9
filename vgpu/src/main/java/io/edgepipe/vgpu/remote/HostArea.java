package io.edgepipe.vgpu.remote;

import io.edgepipe.api.shm.SharedSegment;
import io.edgepipe.vgpu.proto.ShmRange;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.TreeMap;

/**
 * The host buffers a session hands its caller ({@link RemoteGpu#hostBuffer}): regions at the top
 * of the part of the segment the backend mapped, so that a copy from or into one needs no client
 * copy (the op names the region, the backend reads or writes it in place). Batches lay their other
 * payloads out below the lowest region ({@link #floor}); the regions together hold at most half
 * the mapped part, so batches keep room.
 */
final class HostArea {
  private static final int ALIGN = 64;

  private final SharedSegment segment;
  private final long usable;
  private final long base;
  /** Offset -> length of the regions handed out. */
  private final TreeMap<Long, Long> regions = new TreeMap<>();
  private long held;

  HostArea(SharedSegment segment, long usable) {
    this.segment = segment;
    this.usable = usable;
    this.base = BufferAddress.of(segment.view(0, 0));
  }

  SharedSegment segment() {
    return segment;
  }

  /** Whether a region of {@code bytes} is within the room left (the segment's address could be read, and half of it holds them). */
  boolean fits(int bytes) {
    return base >= 0 && bytes >= 1 && held + bytes <= usable / 2;
  }

  /** A region of {@code bytes} (little-endian view, position 0), or null when it would not fit. */
  ByteBuffer allocate(int bytes) {
    if (!fits(bytes)) {
      return null;
    }
    long end = usable & -ALIGN;
    // highest gap first: from the top down, between the regions handed out
    for (Map.Entry<Long, Long> r : regions.descendingMap().entrySet()) {
      long top = r.getKey() + r.getValue();
      long start = (end - bytes) & -ALIGN;
      if (start >= top) {
        return take(start, bytes);
      }
      end = r.getKey();
    }
    long start = (end - bytes) & -ALIGN;
    return start >= 0 ? take(start, bytes) : null;
  }

  private ByteBuffer take(long start, int bytes) {
    regions.put(start, (long) bytes);
    held += bytes;
    return segment.view(start, bytes).order(ByteOrder.LITTLE_ENDIAN);
  }

  /**
   * The place in the segment of {@code b}'s bytes from position to limit, if they lie inside one
   * region handed out; else null (the copy takes the ordinary path).
   */
  ShmRange place(ByteBuffer b) {
    long address = BufferAddress.of(b);
    if (address < 0 || base < 0 || b.remaining() < 1) {
      return null;
    }
    long offset = address - base + b.position();
    Map.Entry<Long, Long> r = regions.floorEntry(offset);
    if (r == null || offset + b.remaining() > r.getKey() + r.getValue()) {
      return null;
    }
    return ShmRange.newBuilder().setOffset(offset).setLength(b.remaining()).build();
  }

  /** Gives back the region {@code b} is a view of; false if it is none of this area's. */
  boolean free(ByteBuffer b) {
    long address = BufferAddress.of(b);
    if (address < 0 || base < 0) {
      return false;
    }
    Map.Entry<Long, Long> r = regions.floorEntry(address - base);
    if (r == null || address - base >= r.getKey() + r.getValue()) {
      return false;
    }
    regions.remove(r.getKey());
    held -= r.getValue();
    return true;
  }

  /** Where batch payloads must end: the lowest region's offset, or the mapped size when none is out. */
  long floor() {
    return regions.isEmpty() ? usable : regions.firstKey();
  }

  boolean isEmpty() {
    return regions.isEmpty();
  }
}
