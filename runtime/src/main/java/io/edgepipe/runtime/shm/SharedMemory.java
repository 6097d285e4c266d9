package io.edgepipe.runtime.shm;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shared-memory files of same-host hops: where they live ({@code /dev/shm}), how they are
 * named ({@code edgepipe-<writer pid>-<n>}), mapping them, and reclaiming those a killed writer
 * left behind.
 *
 * <p>No segment outlives its processes: the reader unlinks a ring's file as soon as it has mapped
 * it (the mappings stay valid), the writer deletes its file if the stream ends before that, and
 * the only gap (a writer killed between creating the file and the reader mapping it) is closed by
 * {@link #reclaimOrphans}, run by every process that opens a ring: files whose writer pid is no
 * longer alive are deleted.
 */
public final class SharedMemory {
  private static final Logger log = Logger.getLogger(SharedMemory.class.getName());
  private static final Pattern NAME = Pattern.compile("edgepipe-(\\d{1,10})-(\\d{1,19})");
  private static final AtomicLong COUNTER = new AtomicLong();
  private static volatile boolean swept;

  private SharedMemory() {}

  /** Where segments live; {@code -Dedgepipe.shm.dir} for tests, {@code off} to disable. */
  static Path dir() {
    return Path.of(System.getProperty("edgepipe.shm.dir", "/dev/shm"));
  }

  /** Whether this process can offer shared memory at all. */
  public static boolean available() {
    return !"off".equals(System.getProperty("edgepipe.shm")) && Files.isDirectory(dir()) && Files.isWritable(dir());
  }

  static String newName() {
    return "edgepipe-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet();
  }

  /** The file of a segment name a peer sent, or null when the name is not one of ours (no paths). */
  static Path fileOf(String name) {
    return name != null && NAME.matcher(name).matches() ? dir().resolve(name) : null;
  }

  /** Creates and maps a new segment of {@code bytes}. */
  static MappedByteBuffer create(Path file, long bytes) throws IOException {
    reclaimOrphansOnce();
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw"); FileChannel ch = f.getChannel()) {
      f.setLength(bytes);
      return ch.map(FileChannel.MapMode.READ_WRITE, 0, bytes);
    }
  }

  /** Maps an existing segment read-only, then unlinks it: the mapping lives on, the name does not. */
  static MappedByteBuffer mapAndUnlink(Path file) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r"); FileChannel ch = f.getChannel()) {
      MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
      Files.deleteIfExists(file);
      return map;
    }
  }

  static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      log.warning("cannot delete shared-memory segment " + file + ": " + e.getMessage());
    }
  }

  private static void reclaimOrphansOnce() {
    if (!swept) {
      swept = true;
      reclaimOrphans();
    }
  }

  /** Deletes segments whose writer process is gone (killed before its reader mapped them). */
  public static int reclaimOrphans() {
    int reclaimed = 0;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir(), "edgepipe-*")) {
      for (Path file : files) {
        Matcher m = NAME.matcher(file.getFileName().toString());
        if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()) {
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
