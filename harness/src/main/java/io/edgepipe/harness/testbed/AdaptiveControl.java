package io.edgepipe.harness.testbed;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgepipe.api.PipelineSpec;
import io.edgepipe.harness.adaptive.SwitchableDownstream;
import io.edgepipe.harness.adaptive.UpstreamLinks;
import io.edgepipe.launcher.RunOptions;
import io.edgepipe.producer.Producer;
import io.edgepipe.producer.source.FrameSource;
import io.edgepipe.producer.source.FrameSources;
import io.edgepipe.producer.source.RawImage;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The producer child's side of an adaptive testbed run: follows the parent's stdin
 * ({@code REPOINT HOST:PORT} when the first stage moves, {@code STOP} to end the stream,
 * {@code DRAINED} once the stages are drained) and reports what the delivered frames carried
 * every {@value TimingReporter#PERIOD_MS} ms as a {@code TIMING} line (a {@link TimingWindow.Report}
 * as JSON).
 */
final class AdaptiveControl {
  static final String STOP = "STOP";
  /** {@code PACE fps}: frames at this rate from now on (0 = as fast as the chain takes them). */
  static final String PACE = "PACE";
  static final String TIMING = "TIMING";

  private final CountDownLatch drained = new CountDownLatch(1);
  private volatile boolean stopped;
  private volatile double pace;
  private final ScheduledExecutorService reporter;

  private AdaptiveControl(ScheduledExecutorService reporter) {
    this.reporter = reporter;
  }

  static AdaptiveControl start(PipelineSpec spec, SwitchableDownstream toFirst, PhasedSink sink, TimingWindow window) {
    return start(spec, toFirst, sink, window, TimingReporter.PERIOD_MS);
  }

  /** As above, with a TIMING line every {@code reportMs} ms. */
  static AdaptiveControl start(PipelineSpec spec, SwitchableDownstream toFirst, PhasedSink sink, TimingWindow window,
      long reportMs) {
    ScheduledExecutorService reporter = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "timing-reporter");
      t.setDaemon(true);
      return t;
    });
    AdaptiveControl control = new AdaptiveControl(reporter);
    reporter.scheduleAtFixedRate(() -> TimingReporter.report(window), reportMs, reportMs, TimeUnit.MILLISECONDS);
    Thread commands = new Thread(() -> RepointCommands.follow(System.in,
        address -> toFirst.switchTo(UpstreamLinks.toStage(spec, 0, address, sink)),
        ChildProtocol::say, control::other), "adaptive-commands");
    commands.setDaemon(true);
    commands.start();
    return control;
  }

  private void other(String line) {
    if (line.equals(STOP)) {
      stopped = true;
    } else if (line.startsWith(PACE + " ")) {
      pace = Double.parseDouble(line.substring(PACE.length() + 1).strip());
    } else if (line.equals(ChildProtocol.DRAINED)) {
      drained.countDown();
    }
  }

  /**
   * Streams flow cam0 (the source looped) until {@code o.frames()} are sent or the parent says
   * STOP: an adaptive run lasts as long as its schedule of conditions, not a frame count.
   */
  void streamUntilStopped(RunOptions o, Producer producer, Runnable progress) {
    try (FrameSource source = FrameSources.open(o.source(), o.spec().input().h(), o.spec().input().w(),
        o.spec().input().c(), o.seed(), true)) {
      FrameSource stoppable = new FrameSource() {
        private long due = System.nanoTime();

        @Override
        public Optional<RawImage> next() {
          // waits in short slices, so that a new pace (a hold ended, a faster rate) or a stop applies at once
          while (!stopped) {
            double fps = pace;
            if (fps <= 0) {
              break;
            }
            long period = (long) (1e9 / fps);
            long now = System.nanoTime();
            long at = Math.max(due + period, now - period);
            if (at <= now) {
              due = at;
              break;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(Math.min(at - now, 20_000_000L));
          }
          return stopped ? Optional.empty() : source.next();
        }

        @Override
        public String describe() {
          return source.describe();
        }

        @Override
        public void close() {
          source.close();
        }
      };
      producer.stream("cam0", stoppable, o.fps(), o.frames() > 0 ? o.frames() : Long.MAX_VALUE, progress);
    }
  }

  void awaitDrained() throws InterruptedException {
    drained.await();
    reporter.shutdownNow();
  }

  /** Writes one TIMING line per period. */
  static final class TimingReporter {
    static final long PERIOD_MS = 250;
    private static final ObjectMapper JSON = new ObjectMapper();

    private TimingReporter() {}

    static void report(TimingWindow window) {
      TimingWindow.Report r = window.drain();
      try {
        ChildProtocol.say(TIMING + " " + JSON.writeValueAsString(r));
      } catch (JsonProcessingException e) {
        System.err.println("cannot write a timing report: " + e.getMessage());
      }
    }
  }
}
