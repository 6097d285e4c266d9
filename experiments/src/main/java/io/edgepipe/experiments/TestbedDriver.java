package io.edgepipe.experiments;

import io.edgepipe.api.PipelineSpec;
import io.edgepipe.launcher.RunOptions;
import io.edgepipe.harness.RunResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What the experiments need from the edge/server testbed (namespaces, shaped link, edge cgroup),
 * so that E4-E6 do not depend on how it is built. {@link TestbedDrivers} finds the
 * implementation, or says why there is none (not root, testbed not in this build...).
 */
public interface TestbedDriver extends AutoCloseable {

  /** What {@link #runPhased} measured. */
  record PhasedResult(RunResult throughput, RunResult paced,
      java.util.Map<String, io.edgepipe.harness.testbed.ServiceCpu> cpu) {}

  /** Brings a testbed up with this link rate (e.g. "1gbit") and edge CPU cap (cores). */
  void up(String bandwidth, double edgeCpu);

  /** Removes what {@link #up} made; harmless when nothing is up. */
  void down();

  /** The rate of the link that is up, bit/s. */
  double bandwidthBitsPerSec();

  /** The edge node's CPU cap that is up, in cores. */
  double edgeCpu();

  /**
   * Runs the chain with each microservice on the node of its letter (producer and sink on the
   * first letter's node) and reports as the embedded run does. With {@code warmupSeconds > 0},
   * frames go through first until the rate settles (at least that long) and are not reported:
   * the JVMs start cold.
   */
  RunResult run(PipelineSpec spec, Path specFile, String placement, RunOptions options, double warmupSeconds,
      Runnable progress);

  /**
   * One start of the chain for both a throughput and a latency figure (see
   * {@link io.edgepipe.harness.testbed.TestbedRun.Phases}): warm-up no result counts, then
   * {@code options}' frames (at least) as fast as the chain goes, then a paced phase.
   *
   * @return the throughput run, the paced run, and each service's CPU in them
   */
  PhasedResult runPhased(PipelineSpec spec, Path specFile, String placement, RunOptions options,
      io.edgepipe.harness.testbed.TestbedRun.Phases phases, Runnable progress);

  /**
   * Runs {@code pipeline ARGS...} on a node ("edge" or "server": its namespace and cgroup) and
   * waits for it; used to measure compute under the edge's CPU cap.
   *
   * @return its exit code
   */
  int runCli(String node, List<String> args, Path log, Duration timeout);

  /** The testbed that is up (for runs that change its link and quota while they go, E7). */
  io.edgepipe.testbed.TestbedState state();

  /** One line: what is up (for the report). */
  String describe();

  @Override
  default void close() {
    down();
  }
}
