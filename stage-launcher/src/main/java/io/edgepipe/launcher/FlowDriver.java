package io.edgepipe.launcher;

import io.edgepipe.producer.Producer;
import io.edgepipe.producer.source.FrameSource;
import io.edgepipe.producer.source.FrameSources;
import io.edgepipe.producer.source.LetterboxSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs the producer's flows, one thread and one source each (flow ids cam0, cam1, ...), and
 * waits for all of them. Sources are opened before any frame is sent so that a missing camera
 * or file fails the run at once with its own message.
 */
public final class FlowDriver {
  private FlowDriver() {}

  public static long drive(RunOptions o, Producer producer, Runnable progress) {
    List<FrameSource> sources = new ArrayList<>();
    try {
      for (int i = 0; i < o.flows(); i++) {
        int h = o.spec().input().h();
        int w = o.spec().input().w();
        sources.add(o.letterbox()
            ? new LetterboxSource(FrameSources.open(o.source(), 0, 0, o.spec().input().c(), o.seed() + i), h, w)
            : FrameSources.open(o.source(), h, w, o.spec().input().c(), o.seed() + i));
      }
      ExecutorService pool = Executors.newFixedThreadPool(o.flows());
      try {
        List<Future<Long>> flows = new ArrayList<>();
        for (int i = 0; i < o.flows(); i++) {
          FrameSource source = sources.get(i);
          String flowId = "cam" + i;
          flows.add(pool.submit(() -> producer.stream(flowId, source, o.fps(), o.frames(), progress)));
        }
        long total = 0;
        for (Future<Long> f : flows) {
          total += f.get();
        }
        return total;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof RuntimeException r) {
          throw r;
        }
        throw new IllegalStateException(e.getCause());
      } finally {
        pool.shutdownNow();
      }
    } finally {
      sources.forEach(FrameSource::close);
    }
  }
}
