package io.edgepipe.api.shm;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;

/**
 * One shared-memory segment, mapped read-write by its creator and by the one peer it was offered
 * to (who unlinks its name on mapping, see {@link SharedMemory}). Payloads are read and written
 * through {@link #view}s, bounds-checked against the segment. {@link #close} deletes the name if
 * the peer never took it and unmaps at once: nothing may touch a view afterwards.
 */
public final class SharedSegment implements AutoCloseable {
  private final Path file;
  private final MappedByteBuffer map;
  private boolean closed;

  private SharedSegment(Path file, MappedByteBuffer map) {
    this.file = file;
    this.map = map;
  }

  /** A new segment of {@code bytes} of {@code kind}, or null where shared memory is missing or full. */
  public static SharedSegment create(String kind, long bytes) {
    if (!SharedMemory.available() || bytes < 1 || bytes > Integer.MAX_VALUE) {
      return null;
    }
    Path file = SharedMemory.dir().resolve(SharedMemory.newName(kind));
    try {
      return new SharedSegment(file, SharedMemory.create(file, bytes));
    } catch (IOException | RuntimeException e) {
      SharedMemory.deleteQuietly(file);
      return null;
    }
  }

  /**
   * Maps the first {@code mapBytes} of the segment a peer offered under {@code name}, declared
   * {@code bytes} long, and unlinks its name.
   *
   * @throws IOException saying why not: not a name of {@code kind}, not on this host, another size
   */
  public static SharedSegment map(String name, String kind, long bytes, long mapBytes) throws IOException {
    Path file = SharedMemory.fileOf(name, kind);
    if (file == null) {
      throw new IOException("'" + name + "' is not the name of a " + kind + " segment");
    }
    if (!SharedMemory.available()) {
      throw new IOException("shared memory is off on this side");
    }
    if (bytes < 1 || mapBytes < 1 || Math.min(bytes, mapBytes) > Integer.MAX_VALUE) {
      throw new IOException("a segment of " + bytes + " bytes cannot be mapped");
    }
    return new SharedSegment(file, SharedMemory.mapAndUnlink(file, bytes, mapBytes));
  }

  /** The name the peer is told. */
  public String name() {
    return file.getFileName().toString();
  }

  public long bytes() {
    return map.capacity();
  }

  /**
   * A view of {@code [offset, offset + length)}, positioned at 0, or null when that is not inside
   * the segment (a peer's numbers are checked here, never trusted).
   */
  public ByteBuffer view(long offset, long length) {
    if (offset < 0 || length < 0 || offset > map.capacity() || length > map.capacity() - offset) {
      return null;
    }
    return map.duplicate().position((int) offset).limit((int) (offset + length)).slice();
  }

  /** Deletes the name if still there (the peer never mapped it) and unmaps the segment now. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    SharedMemory.deleteQuietly(file);
    SharedMemory.unmap(map);
  }
}
