package io.edgepipe.harness.report;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/** Where result files go: {@code <dir>/<name>-<timestamp>.csv}, so runs never overwrite each other. */
public final class ResultFiles {
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

  private ResultFiles() {}

  public static Path csv(Path dir, String name) {
    // a mode such as "embedded/reliable" must not become a folder
    return dir.resolve(name.replace('/', '-') + "-" + LocalDateTime.now().format(STAMP) + ".csv");
  }
}
