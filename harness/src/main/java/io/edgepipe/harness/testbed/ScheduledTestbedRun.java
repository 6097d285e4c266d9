package io.edgepipe.harness.testbed;

import io.edgepipe.harness.RunResult;
import io.edgepipe.launcher.RunOptions;
import io.edgepipe.testbed.Node;
import io.edgepipe.testbed.Testbed;
import io.edgepipe.testbed.TestbedState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * One start of a chain on the testbed that lives through a schedule of conditions: after the
 * warm-up, each {@link Step} sets the link's rate and the edge's CPU quota (tc and the cgroup,
 * while frames flow), the producer's pace, and lasts its seconds; the frames of each step after
 * its settling time are its window (fps and latency). With an adaptive {@link TestbedController}
 * the chain is re-placed as the conditions change; with a watching one it stays where it
 * started (the static reference). The testbed keeps the last step's conditions.
 */
public final class ScheduledTestbedRun {
  /**
   * One condition.
   *
   * @param linkBps       the link's rate from this step on (0: unchanged)
   * @param edgeCpu       the edge's quota in cores from this step on (0: unchanged)
   * @param paceFps       frames per second from the producer (0: as fast as the chain takes them)
   * @param seconds       how long the step lasts
   * @param settleSeconds the first part of the step left out of its window
   */
  public record Step(String label, long linkBps, double edgeCpu, double paceFps, double seconds,
      double settleSeconds) {
    public Step {
      if (!(seconds > settleSeconds) || settleSeconds < 0) {
        throw new IllegalArgumentException("a step lasts longer than its settling time, got " + seconds + " s and "
            + settleSeconds + " s");
      }
    }
  }

  /**
   * What one step measured, on the controller's clock (s since the main phase began).
   *
   * @param placementAtEnd the path most frames took at the end of the step
   */
  public record StepResult(Step step, double startS, double endS, long frames, double fps, double latencyP50Ms,
      String placementAtEnd) {}

  /** The run: the sink's summary, each step's window, the timeline and the moves. */
  public record Outcome(RunResult result, List<StepResult> steps, List<TestbedController.Sample> samples,
      List<TestbedController.MoveEvent> moves, String controllerFailure) {}

  private ScheduledTestbedRun() {}

  /**
   * @param o the run's options; its frame count bounds the stream (0: until the schedule ends)
   * @param standby each stage also idles on the other node (see {@link TestbedRun#adaptive(TestbedRun.AdaptiveListener, boolean)})
   */
  public static Outcome run(TestbedState state, String placement, RunOptions o, double warmupSeconds, List<Step> steps,
      TestbedController controller, boolean standby, Path logDir, Consumer<String> log) {
    List<double[]> bounds = new ArrayList<>(); // per step: start, end on the controller's clock
    TestbedState[] now = {state};
    TestbedRun.AdaptiveListener listener = new TestbedRun.AdaptiveListener() {
      @Override
      public void onMain(TestbedRun run) {
        controller.onMain(run);
        Thread schedule = new Thread(() -> follow(run, controller, steps, now, bounds, log), "schedule");
        schedule.setDaemon(true);
        schedule.start();
      }

      @Override
      public void onTiming(TimingWindow.Report report) {
        controller.onTiming(report);
      }

      @Override
      public void onStreamEnd() {
        controller.onStreamEnd();
      }
    };
    RunResult result;
    try (TestbedRun run = new TestbedRun(state, placement, logDir)
        .withPhases(new TestbedRun.Phases(warmupSeconds, 0, 0, 1)).adaptive(listener, standby)) {
      result = run.run(o, () -> { });
    }
    List<TestbedController.Sample> samples = controller.samples();
    List<StepResult> results = new ArrayList<>();
    for (int i = 0; i < bounds.size(); i++) {
      results.add(window(steps.get(i), bounds.get(i)[0], bounds.get(i)[1], samples));
    }
    return new Outcome(result, results, samples, controller.moves(), controller.failure());
  }

  private static void follow(TestbedRun run, TestbedController controller, List<Step> steps, TestbedState[] now,
      List<double[]> bounds, Consumer<String> log) {
    try {
      for (Step step : steps) {
        if (step.linkBps() > 0 && step.linkBps() != now[0].bandwidthBps()) {
          now[0] = Testbed.setLinkRate(now[0], step.linkBps());
        }
        if (step.edgeCpu() > 0 && step.edgeCpu() != now[0].edgeCpu()) {
          now[0] = Testbed.setEdgeCpu(now[0], step.edgeCpu());
        }
        run.pace(step.paceFps());
        double start = controller.now();
        log.accept(String.format(java.util.Locale.ROOT, "%.1f s: step %s (link %.0f Mbit/s, edge %.2f cores%s)",
            start, step.label(), now[0].bandwidthBps() / 1e6, now[0].edgeCpu(),
            step.paceFps() > 0 ? ", " + step.paceFps() + " fps" : ""));
        Thread.sleep(Math.round(step.seconds() * 1000));
        synchronized (bounds) {
          bounds.add(new double[] {start, controller.now()});
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.accept("schedule stopped: " + e.getMessage());
    } finally {
      run.stopStream();
    }
  }

  /** A step's window: frames delivered between its settling time and its end, and their latency. */
  static StepResult window(Step step, double start, double end, List<TestbedController.Sample> samples) {
    double from = start + step.settleSeconds();
    TestbedController.Sample first = null;
    TestbedController.Sample last = null;
    List<Long> latencies = new ArrayList<>();
    for (TestbedController.Sample s : samples) {
      if (s.atSeconds() <= from) {
        first = s; // the last report before the window: its count is where the window starts
      } else if (s.atSeconds() <= end) {
        last = s;
        Arrays.stream(s.latencyUs()).forEach(latencies::add);
      }
    }
    if (first == null || last == null) {
      return new StepResult(step, start, end, 0, 0, Double.NaN, "-");
    }
    long frames = last.delivered() - first.delivered();
    double fps = frames / (last.atSeconds() - first.atSeconds());
    latencies.sort(Long::compare);
    double p50 = latencies.isEmpty() ? Double.NaN : latencies.get(latencies.size() / 2) / 1000.0;
    return new StepResult(step, start, end, frames, fps, p50, last.path());
  }

  /** Sensors of an up testbed: the rate tc shapes the link to, and the edge cgroup's quota. */
  public static TestbedController.Sensors sensors(TestbedState state) {
    return new TestbedController.Sensors() {
      @Override
      public double linkBitsPerSec() {
        return Testbed.readLink(state, Node.EDGE).htbRateBps();
      }

      @Override
      public double edgeCores() {
        double cores = Testbed.readCpu(state, Node.EDGE).cores();
        return Double.isFinite(cores) ? cores : 0;
      }
    };
  }
}
