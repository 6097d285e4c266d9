package io.edgepipe.harness.testbed;

/**
 * The lines {@link TestbedProducer} and {@link TestbedRun} exchange. The child writes
 * {@code EDGEPIPE-TB <WORD> ...} lines on stdout (everything else is log); the parent answers
 * on the child's stdin.
 */
final class ChildProtocol {
  /** child: the sink listens and every stage answered its health check. */
  static final String READY = "READY";
  /** child: {@code FRAMES n}: n more frames were handed to the first stage (progress). */
  static final String FRAMES = "FRAMES";
  /** child: every frame was sent and answered by the first stage; stop the stages now. */
  static final String SENT = "SENT";
  /** parent: the stages are stopped (drained); summarise. */
  static final String DRAINED = "DRAINED";
  /** child: the warm-up (if any) is over and every frame of it accounted for; the main phase starts now. */
  static final String MAIN = "MAIN";
  /** child: {@code PHASE <RunResult as JSON>}: an earlier phase of a run with several (the last is RESULT). */
  static final String PHASE = "PHASE";
  /** child: {@code RESULT <RunResult as JSON>}. */
  static final String RESULT = "RESULT";
  /** child: {@code ERROR <one line>}; it exits 1. */
  static final String ERROR = "ERROR";

  private ChildProtocol() {}
}
