package io.edgepipe.launcher.options;

import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --shm-dir DIR}: where this service's same-host hops keep their shared-memory rings
 * (env EDGEPIPE_SHM_DIR, default /dev/shm). Both ends of a hop must see the same directory: the
 * containers of one k3s Pod mount one memory-backed emptyDir at the same path and name it here;
 * {@code off} sends every payload inline.
 */
public final class SharedMemoryDirOption {
  /** The runtime's setting that this flag fills (read by the shared-memory ring code). */
  static final String DIR_PROPERTY = "edgepipe.shm.dir";
  static final String SWITCH_PROPERTY = "edgepipe.shm";
  static final String OFF = "off";

  @Option(names = "--shm-dir", defaultValue = "${env:EDGEPIPE_SHM_DIR:-/dev/shm}", paramLabel = "DIR",
      description = "Directory of the shared-memory rings of same-host hops; both ends of a hop must use the same "
          + "one (the containers of one Pod: a memory-backed emptyDir); off = always inline "
          + "(default: ${DEFAULT-VALUE}; env EDGEPIPE_SHM_DIR).")
  String dir;

  /**
   * Points the runtime at the directory. A directory that does not exist is a user error naming
   * it, unless it is the default /dev/shm, whose absence (a host without it) quietly means inline.
   */
  public void apply() {
    if (OFF.equals(dir)) {
      System.setProperty(SWITCH_PROPERTY, OFF);
      return;
    }
    Path path = Path.of(dir);
    if (!Files.isDirectory(path) && !path.equals(Path.of("/dev/shm"))) {
      throw new IllegalArgumentException("--shm-dir " + dir + " is not a directory (EDGEPIPE_SHM_DIR; off = inline)");
    }
    System.setProperty(DIR_PROPERTY, path.toString());
  }

  public String value() {
    return dir;
  }
}
