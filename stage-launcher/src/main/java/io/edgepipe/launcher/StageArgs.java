package io.edgepipe.launcher;

import io.edgepipe.api.PipelineSpec;
import io.edgepipe.runtime.tls.TlsFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code NAME ...} arguments of {@link StageMain} (the same as {@code pipeline stage NAME ...}) that start one compute stage as its own process,
 * in one place for every runner that starts stage processes (--processes, the testbed), so a new
 * stage flag reaches them all.
 */
public final class StageArgs {
  /** The class a stage process runs. */
  public static final String MAIN = StageMain.class.getName();

  private StageArgs() {}

  /**
   * @param spec     the run's spec (its input size, delivery and deadline are passed on)
   * @param specFile where the child reads the spec
   * @param tls      the stage's certificate, or null for plaintext
   */
  public static List<String> of(PipelineSpec spec, Path specFile, String stage, String host, int port, String next,
      String device, String node, TlsFiles tls) {
    List<String> args = new ArrayList<>(List.of(stage, "--spec", specFile.toString(),
        "--height", String.valueOf(spec.input().h()), "--width", String.valueOf(spec.input().w()),
        "--bind", host, "--port", String.valueOf(port), "--metrics-port", "-1", "--next", next,
        "--device", device, "--node", node, "--delivery", spec.delivery().label(),
        "--deadline-ms", String.valueOf(spec.deadlineMillis())));
    if (tls != null) {
      args.addAll(tls.asArgs());
    }
    return args;
  }
}
