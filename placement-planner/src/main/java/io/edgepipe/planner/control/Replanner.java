package io.edgepipe.planner.control;

import io.edgepipe.api.proto.StageTiming;
import io.edgepipe.api.Placement;
import io.edgepipe.api.Tier;
import io.edgepipe.planner.predict.Candidates;
import io.edgepipe.planner.predict.Objective;
import io.edgepipe.planner.predict.PlacementRanking;
import io.edgepipe.planner.predict.Planner;
import io.edgepipe.planner.predict.PlannerOptions;
import io.edgepipe.planner.predict.Prediction;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The controller's decision logic: keeps a {@link LiveProfile} current from the frames'
 * timings and the nodes' cores, re-plans on demand, and says when to move, with hysteresis so a
 * noisy or oscillating condition does not make placements flap:
 * <ol>
 *   <li>another placement must be predicted better than the current one by at least
 *       {@code margin} (0.2 = 20% more fps, or 20% less latency);</li>
 *   <li>some placement must stay better by that margin for {@code dwell} without a break (a break
 *       restarts the clock); the move goes to the best at the end of it;</li>
 *   <li>no move within {@code cooldown} of the last one (the new placement's own timings need
 *       time to replace the figures it was chosen on).</li>
 * </ol>
 * Time is passed in, so the logic is tested with synthetic streams and no sleeping. The caller
 * performs the move (start new, repoint upstream, drain old) and reports it with {@link #moved}.
 */
public final class Replanner {
  /** Hysteresis and what to compare. */
  public record Settings(Objective objective, double margin, Duration dwell, Duration cooldown, boolean allPlacements) {
    public Settings {
      if (margin < 0 || dwell.isNegative() || cooldown.isNegative()) {
        throw new IllegalArgumentException("margin, dwell and cooldown must be >= 0");
      }
    }

    /** Throughput, 20% margin, 2 s dwell, 3 s cooldown. */
    public static Settings defaults() {
      return new Settings(Objective.THROUGHPUT, 0.2, Duration.ofSeconds(2), Duration.ofSeconds(3), false);
    }
  }

  /**
   * One evaluation.
   *
   * @param move    whether to move now to {@code target}
   * @param target  the placement to move to, or the current one when staying
   * @param reason  why, in a sentence for the log
   * @param current prediction of the current placement from the live profile
   * @param best    the best prediction
   */
  public record Decision(boolean move, Placement target, String reason, Prediction current, Prediction best) {}

  private final LiveProfile live;
  private final PlannerOptions options;
  private final Settings settings;
  private Placement current;
  private Placement candidate;
  private Instant candidateSince;
  private Instant lastMove;
  private boolean producerFixed;

  public Replanner(LiveProfile live, PlannerOptions options, Placement start, Settings settings) {
    this.live = live;
    this.options = options.withObjective(settings.objective());
    this.settings = settings;
    this.current = start;
  }

  /**
   * Only placements that keep the producer on its node are candidates: where the producer is a
   * process beside a camera (the testbed) it cannot move, so SSSS is no option from ESSS.
   */
  public Replanner producerFixed(boolean value) {
    this.producerFixed = value;
    return this;
  }

  public Placement current() {
    return current;
  }

  public LiveProfile live() {
    return live;
  }

  /** One frame's timings, as the sink got them ({@code sinkReceivedUs} 0 = unknown). */
  public void observe(List<StageTiming> timings, long sinkReceivedUs) {
    live.observe(current, timings, sinkReceivedUs);
  }

  /** A probe of the edge-server link; see {@link LiveProfile#observeLinkRate}. */
  public void observeLinkRate(double bitsPerSec) {
    live.observeLinkRate(bitsPerSec);
  }

  public void observeCores(Tier tier, double cores) {
    live.observeCores(tier, cores);
  }

  public Decision evaluate(Instant now) {
    Planner planner = new Planner(options.withCores(live.cores(Tier.EDGE), live.cores(Tier.SERVER)));
    List<Prediction> ranked = new ArrayList<>();
    for (Placement p : Candidates.of(current.size(), settings.allPlacements())) {
      if (!producerFixed || p.tier(0) == current.tier(0)) {
        ranked.add(planner.predict(live.snapshot(p), p)); // each with its processes' CPU on the side it puts them
      }
    }
    ranked.sort(PlacementRanking.comparator(settings.objective()));
    Prediction best = ranked.get(0);
    Prediction now0 = planner.predict(live.snapshot(current), current);
    if (best.placement().equals(current)) {
      candidate = null;
      return stay(now0, best, current + " is still the best");
    }
    double gain = gain(best, now0);
    if (gain < settings.margin()) {
      candidate = null;
      return stay(now0, best, String.format(Locale.ROOT, "%s would gain %.0f%%, under the %.0f%% margin",
          best.placement(), gain * 100, settings.margin() * 100));
    }
    if (candidate == null) {
      candidateSince = now;
    }
    // the clock runs while some placement beats the current one by the margin, whichever it is: two
    // close alternatives taking turns as the best (EEES and EEEE on a slow link) must not hold a move off
    candidate = best.placement();
    Duration held = Duration.between(candidateSince, now);
    if (held.compareTo(settings.dwell()) < 0) {
      return stay(now0, best, String.format(Locale.ROOT, "%s would gain %.0f%% for %d ms of the %d ms dwell",
          candidate, gain * 100, held.toMillis(), settings.dwell().toMillis()));
    }
    if (lastMove != null && Duration.between(lastMove, now).compareTo(settings.cooldown()) < 0) {
      return stay(now0, best, "cooling down after the last move");
    }
    return new Decision(true, best.placement(), String.format(Locale.ROOT, "%s -> %s: predicted %.0f%% better "
        + "for %d ms (%s fps vs %s, link %.1f Mbit/s)", current, best.placement(), gain * 100, held.toMillis(),
        fmt(best.fps()), fmt(now0.fps()), live.linkBitsPerSec() / 1e6), now0, best);
  }

  /** The caller moved the chain to {@code placement} at {@code now}. */
  public void moved(Placement placement, Instant now) {
    current = placement;
    candidate = null;
    lastMove = now;
  }

  /** Relative gain of {@code best} over {@code current} on the objective. */
  private double gain(Prediction best, Prediction now) {
    if (settings.objective() == Objective.THROUGHPUT) {
      return now.fps() > 0 ? best.fps() / now.fps() - 1 : Double.POSITIVE_INFINITY;
    }
    return best.latencyMs() > 0 ? now.latencyMs() / best.latencyMs() - 1 : 0;
  }

  private Decision stay(Prediction now, Prediction best, String reason) {
    return new Decision(false, current, reason, now, best);
  }

  private static String fmt(double fps) {
    return String.format(Locale.ROOT, "%.1f", fps);
  }
}
