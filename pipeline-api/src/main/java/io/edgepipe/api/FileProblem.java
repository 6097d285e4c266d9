package io.edgepipe.api;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * Words for a file that cannot be read: the resolved path and the reason, as a person reads them
 * ({@code /work/nope.yaml: no such file}). Java's messages are often the bare path.
 */
public final class FileProblem {
  private FileProblem() {}

  public static String describe(Path file, IOException e) {
    Path shown = file.toAbsolutePath().normalize();
    String reason;
    if (e instanceof NoSuchFileException || !java.nio.file.Files.exists(file)) {
      reason = "no such file";
    } else if (e instanceof AccessDeniedException) {
      reason = "permission denied";
    } else if (e instanceof NotDirectoryException) {
      reason = "a parent is not a folder";
    } else if (e instanceof FileSystemException f && f.getReason() != null) {
      reason = f.getReason().toLowerCase(java.util.Locale.ROOT);
    } else if (java.nio.file.Files.isDirectory(file)) {
      reason = "is a folder, not a file";
    } else {
      reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
    return shown + ": " + reason;
  }
}
