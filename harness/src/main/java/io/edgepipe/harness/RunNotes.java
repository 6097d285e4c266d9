package io.edgepipe.harness;

import io.edgepipe.launcher.options.FrameCount;
import io.edgepipe.launcher.RunOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The sentences under a run's tables that keep its numbers from being misread: a source that
 * ended before --frames, a rate that was asked but not reached, and what the latency of an
 * unpaced run measures.
 */
public final class RunNotes {
  /** A paced run within this share of its asked rate counts as meeting it (start and drain cost a little). */
  static final double RATE_TOLERANCE = 0.95;

  private RunNotes() {}

  public static List<String> of(RunResult r, RunOptions o) {
    List<String> notes = new ArrayList<>();
    boolean untilEnd = FrameCount.untilSourceEnds(o.frames());
    for (Map.Entry<String, Long> e : new TreeMap<>(r.sentPerFlow()).entrySet()) {
      if (untilEnd) {
        notes.add(String.format("flow %s: the source ended after %d frame(s) (--frames all)", e.getKey(), e.getValue()));
      } else if (e.getValue() < o.frames()) {
        notes.add(String.format("flow %s: the source ended after %d frame(s), before --frames %d", e.getKey(),
            e.getValue(), o.frames()));
      }
    }
    double fps = r.summary().fps();
    if (o.fps() > 0) {
      double asked = o.fps() * o.flows();
      if (fps < asked * RATE_TOLERANCE) {
        notes.add(String.format("asked rate NOT met: %d flow(s) x %s fps = %s fps asked, %.1f fps delivered (%.0f%%); "
            + "the chain cannot keep this pace here", o.flows(), trim(o.fps()), trim(asked), fps, 100 * fps / asked));
      } else {
        notes.add(String.format("asked rate met: %s fps asked, %.1f fps delivered", trim(asked), fps));
      }
    } else {
      notes.add("unpaced run (--fps 0): frames were sent as fast as the chain took them, so the latency percentiles "
          + "are mostly time spent queueing behind earlier frames; pace with --fps for the latency of a frame alone");
    }
    return notes;
  }

  private static String trim(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
  }
}
