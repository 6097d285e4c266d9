package io.edgepipe.api.shm;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shared-memory segments of one host: where they live ({@code /dev/shm}), how they are named
 * ({@code edgepipe-[KIND-]<creator pid>-<n>}), creating and mapping them, unmapping them at once,
 * and reclaiming those a killed creator left behind. Used by stage hops between processes (the
 * runtime's ring, no kind) and by the vGPU link between a stage and a backend on one host (kind
 * {@code vgpu}); the kind keeps one user from being handed the other's segments.
 *
 * <p>No segment outlives its processes: the peer unlinks a segment's file as soon as it has
 * mapped it (the mappings stay valid), the creator deletes its file if the peer never maps it,
 * and the only gap (a creator killed between creating the file and the peer mapping it) is closed
 * by {@link #reclaimOrphans}, run by every process that creates a segment: files whose creator pid
 * is no longer alive are deleted.
 */
public final class SharedMemory {
  private static final Logger log = Logger.getLogger(SharedMemory.class.getName());
  private static final Pattern NAME = Pattern.compile("edgepipe-(?:([a-z]{1,16})-)?(\\d{1,10})-(\\d{1,19})");
  private static final AtomicLong COUNTER = new AtomicLong();
  private static volatile boolean swept;

  private SharedMemory() {}

  /** Where segments live; {@code -Dedgepipe.shm.dir} for tests. */
  public static Path dir() {
    return Path.of(System.getProperty("edgepipe.shm.dir", "/dev/shm"));
  }

  /** Whether this process can use shared memory at all ({@code -Dedgepipe.shm=off} says no). */
  public static boolean available() {
    return !"off".equals(System.getProperty("edgepipe.shm")) && Files.isDirectory(dir()) && Files.isWritable(dir());
  }

  /** A fresh name for a segment of {@code kind} (null: the stage hops' rings) created by this process. */
  public static String newName(String kind) {
    return "edgepipe-" + (kind == null ? "" : kind + "-") + ProcessHandle.current().pid() + "-"
        + COUNTER.incrementAndGet();
  }

  /** A fresh name for a stage hop's ring. */
  public static String newName() {
    return newName(null);
  }

  /**
   * The file of a segment name a peer sent, or null when the name is not one of ours of
   * {@code kind} (null: no kind). Names only: a path or another kind's segment is refused.
   */
  public static Path fileOf(String name, String kind) {
    if (name == null) {
      return null;
    }
    Matcher m = NAME.matcher(name);
    if (!m.matches() || !java.util.Objects.equals(m.group(1), kind)) {
      return null;
    }
    return dir().resolve(name);
  }

  /** The file of a stage hop's ring name, or null. */
  public static Path fileOf(String name) {
    return fileOf(name, null);
  }

  /** Creates and maps (read-write) a new segment of {@code bytes}. */
  public static MappedByteBuffer create(Path file, long bytes) throws IOException {
    reclaimOrphansOnce();
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw"); FileChannel ch = f.getChannel()) {
      f.setLength(bytes);
      return ch.map(FileChannel.MapMode.READ_WRITE, 0, bytes);
    }
  }

  /** Maps an existing segment read-only, then unlinks it: the mapping lives on, the name does not. */
  public static MappedByteBuffer mapAndUnlink(Path file) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r"); FileChannel ch = f.getChannel()) {
      MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
      Files.deleteIfExists(file);
      return map;
    }
  }

  /**
   * Opens an existing segment read-write, refusing (IOException naming why, file left to its
   * creator) anything but a regular file of exactly the {@code bytes} its creator declared, so a
   * peer cannot make this process map a file shorter than the mapping (a read past the end of a
   * file is a fault, not an exception).
   */
  public static RandomAccessFile openDeclared(Path file, long bytes) throws IOException {
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException(file.getFileName() + " is not a segment on this host");
    }
    RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw");
    if (f.length() != bytes) {
      long size = f.length();
      f.close();
      throw new IOException(file.getFileName() + " is " + size + " bytes, " + bytes + " were declared");
    }
    return f;
  }

  public static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      log.warning("cannot delete shared-memory segment " + file + ": " + e.getMessage());
    }
  }

  /**
   * Unmaps {@code map} now instead of when it is collected, so its pages go back at once. The
   * caller guarantees that nothing reads or writes it (or a view of it) afterwards: that would
   * crash the JVM. Falls back to leaving it to the collector where the JDK does not allow it.
   */
  public static void unmap(ByteBuffer map) {
    if (map == null || !map.isDirect() || CLEANER == null) {
      return;
    }
    try {
      CLEANER.invoke(UNSAFE, map);
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.fine("cannot unmap a segment now (the collector will): " + e);
    }
  }

  private static final Object UNSAFE;
  private static final Method CLEANER;

  static {
    Object unsafe = null;
    Method cleaner = null;
    try {
      Class<?> c = Class.forName("sun.misc.Unsafe");
      Field f = c.getDeclaredField("theUnsafe");
      f.setAccessible(true);
      unsafe = f.get(null);
      cleaner = c.getMethod("invokeCleaner", ByteBuffer.class);
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.fine("segments will be unmapped by the collector: " + e);
    }
    UNSAFE = unsafe;
    CLEANER = cleaner;
  }

  private static void reclaimOrphansOnce() {
    if (!swept) {
      swept = true;
      reclaimOrphans();
    }
  }

  /** Deletes segments whose creator process is gone (killed before its peer mapped them). */
  public static int reclaimOrphans() {
    int reclaimed = 0;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir(), "edgepipe-*")) {
      for (Path file : files) {
        Matcher m = NAME.matcher(file.getFileName().toString());
        if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(2))).isEmpty()) {
          deleteQuietly(file);
          reclaimed++;
        }
      }
    } catch (IOException e) {
      log.fine("cannot list " + dir() + ": " + e.getMessage());
    }
    if (reclaimed > 0) {
      log.info("reclaimed " + reclaimed + " shared-memory segment(s) left by processes that are gone");
    }
    return reclaimed;
  }
}
