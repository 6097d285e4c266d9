package io.edgepipe.api.shm;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
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
  /** The peer's side keeps the file open, to see whether its creator has shortened it since. */
  private final RandomAccessFile opened;
  private boolean closed;

  private SharedSegment(Path file, MappedByteBuffer map, RandomAccessFile opened) {
    this.file = file;
    this.map = map;
    this.opened = opened;
  }

  /** A new segment of {@code bytes} of {@code kind}, or null where shared memory is missing or full. */
  public static SharedSegment create(String kind, long bytes) {
    if (!SharedMemory.available() || bytes < 1 || bytes > Integer.MAX_VALUE) {
      return null;
    }
    Path file = SharedMemory.dir().resolve(SharedMemory.newName(kind));
    try {
      return new SharedSegment(file, SharedMemory.create(file, bytes), null);
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
    RandomAccessFile f = SharedMemory.openDeclared(file, bytes);
    try {
      MappedByteBuffer m = f.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, Math.min(bytes, mapBytes));
      Files.deleteIfExists(file);
      return new SharedSegment(file, m, f);
    } catch (IOException | RuntimeException e) {
      f.close();
      throw e;
    }
  }

  /**
   * True when the file behind a segment this side mapped as the peer has been shortened since (its
   * creator, holding a descriptor, truncated it): touching the missing part would fault. Checked
   * before every use, so a shortened segment is refused rather than read; a truncation in the
   * instant between check and use is still caught, later, as the JVM's InternalError.
   */
  public boolean shortened() {
    try {
      return opened != null && opened.length() < map.capacity();
    } catch (IOException e) {
      return true;
    }
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
    if (opened != null) {
      try {
        opened.close();
      } catch (IOException e) {
        // closing a file we only read the size of cannot lose anything
      }
    }
  }
}
