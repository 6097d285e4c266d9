package io.edgepipe.planner.control;

import io.edgepipe.api.Placement;
import io.edgepipe.api.Tier;
import io.edgepipe.api.proto.StageTiming;
import io.edgepipe.planner.predict.Objective;
import io.edgepipe.planner.predict.PlannerOptions;
import io.edgepipe.planner.profile.FrameSize;
import io.edgepipe.planner.profile.Profile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What the testbed's adaptive controller was told in E7's run 4 (results/2026-12-06-e7-cputime-run4),
 * replayed through the controller's decision logic as the testbed controller drives it: the
 * TIMING reports of the producer child (per path the mean stage timings, per stage process its
 * CPU readings) at their times, the sensors (the shaper's rate, the edge's quota) following the
 * run's schedule one tick after each change, an evaluation every 100 ms once the warm-up is over,
 * the CPU readings forgotten when it ends.
 *
 * <p>The frames went where run 4's controller sent them, so the placement is pinned to the
 * recording (its moves are replayed with {@link Replanner#moved}); what the replay gives is
 * what the controller would decide, and when, from the same inputs. Not recorded: the idle
 * standbys' CPU (read from /proc by the testbed controller, not logged); a stage never run on a
 * tier is then priced from the other tier with that tier's background.
 */
final class E7Replay {
  static final FrameSize SIZE = FrameSize.of(256, 256);
  static final double HOST_CORES = 2;
  /** The warm-up visits end and the measured conditions begin (s on the controller's clock). */
  static final double MAIN_S = 53.6;
  /** Each change of the schedule: when tc or the quota was written, the link's rate and the edge's quota from then on. */
  static final double[][] CHANGES = {{0, 1e9, 0.5}, {73.6, 1e7, 0.5}, {93.7, 1e7, 0.1}, {113.7, 1e7, 0.5},
      {133.7, 1e9, 0.5}};
  /** Run 4's own moves: decided at (s), to. */
  static final Object[][] RECORDED_MOVES = {{87.12, "EEEE"}, {94.81, "ESSS"}, {114.8, "EEEE"}, {135.0, "ESSS"}};
  static final double END_S = 153.6;

  /** One decision to move that the replayed controller took. */
  record WouldMove(double atS, Placement from, Placement to, String reason) {}

  /** One evaluation, for the log of a failing assertion. */
  record Line(double atS, String reason, double currentFps, double bestFps) {}

  private record Report(double atS, List<String> lines) {}

  final List<WouldMove> moves = new ArrayList<>();
  private double cutAt = Double.NaN;
  private double cutCores;
  final List<Line> log = new ArrayList<>();
  final LiveProfile live;
  final Replanner replanner;

  E7Replay(Replanner.Settings settings) {
    Profile base = Profile.read(resource("e7-run4-profile.json"));
    live = new LiveProfile(base, SIZE, 0.3, 0.5, HOST_CORES).linkFromFrames(false);
    PlannerOptions options = PlannerOptions.defaults().withFrameSize(SIZE).withCores(0.5, HOST_CORES)
        .withHostCores(HOST_CORES);
    replanner = new Replanner(live, options, new Placement("ESSS"), settings).producerFixed(true);
  }

  static Replanner.Settings e7Settings() {
    return new Replanner.Settings(Objective.THROUGHPUT, 0.2, Duration.ofSeconds(1), Duration.ofSeconds(3), false);
  }

  static Path resource(String name) {
    return Path.of("src/test/resources/control", name);
  }

  /**
   * A change run 4 did not have: at {@code atS} the edge's quota becomes {@code cores} (the link as
   * it was); the replay stops taking reports and run 4's moves there and goes on 3 s, so that the
   * decision rests on the readings taken before the cut (what the controller has at first).
   */
  E7Replay quotaCutAt(double atS, double cores) {
    this.cutAt = atS;
    this.cutCores = cores;
    return this;
  }

  /** Replays the whole run; {@link #moves} and {@link #log} hold what came of it. */
  E7Replay run() {
    List<Report> reports = reports();
    Instant epoch = Instant.parse("2026-12-06T13:47:00Z");
    int next = 0;
    int recorded = 0;
    boolean forgotten = false;
    double end = Double.isNaN(cutAt) ? END_S : cutAt + 3;
    for (long tick = 1; tick * 100 <= end * 1000 + 1e-6; tick++) {
      double t = tick / 10.0;
      for (; next < reports.size() && reports.get(next).atS() <= t && !(reports.get(next).atS() >= cutAt); next++) {
        feed(reports.get(next));
      }
      if (t < MAIN_S) {
        continue; // warm-up: the controller is paused
      }
      if (!forgotten) {
        live.forgetCpu(); // as TestbedController does when the warm-up ends
        forgotten = true;
      }
      double[] c = conditionSeenAt(t >= cutAt ? cutAt : t); // the schedule's own changes stop at the cut
      if (t >= cutAt + 0.1) {
        c = new double[] {cutAt, c[1], cutCores};
      }
      live.setLinkRate(c[1] * 1448.0 / 1514); // as TestbedController: the payload the shaped Ethernet frames carry
      replanner.observeCores(Tier.EDGE, c[2]);
      replanner.observeCores(Tier.SERVER, HOST_CORES);
      Replanner.Decision d = replanner.evaluate(at(epoch, t));
      log.add(new Line(t, d.reason(), d.current().fps(), d.best().fps()));
      if (d.move()) {
        moves.add(new WouldMove(t, replanner.current(), d.target(), d.reason()));
      }
      for (; recorded < RECORDED_MOVES.length && (double) RECORDED_MOVES[recorded][0] <= t + 1e-9
          && !((double) RECORDED_MOVES[recorded][0] >= cutAt); recorded++) {
        replanner.moved(new Placement((String) RECORDED_MOVES[recorded][1]), at(epoch, t)); // after deciding, as run 4 did
      }
    }
    return this;
  }

  /** The first decision to move taken in [from, to), or null. */
  WouldMove firstMoveIn(double from, double to) {
    return moves.stream().filter(m -> m.atS() >= from && m.atS() < to).findFirst().orElse(null);
  }

  /** The evaluations in [from, to), one line each, for a failure's message. */
  String logIn(double from, double to) {
    StringBuilder out = new StringBuilder();
    for (Line l : log) {
      if (l.atS() >= from && l.atS() < to) {
        out.append(String.format(java.util.Locale.ROOT, "%n%.1f s: %s (current %.1f fps, best %.1f)", l.atS(),
            l.reason(), l.currentFps(), l.bestFps()));
      }
    }
    return out.append("\nCPU: ").append(live.describeCpu()).toString();
  }

  /** The conditions the sensors show at {@code t}: a change is seen one tick (100 ms) after it is written. */
  private static double[] conditionSeenAt(double t) {
    double[] seen = CHANGES[0];
    for (double[] c : CHANGES) {
      if (c[0] + 0.1 <= t) {
        seen = c;
      }
    }
    return seen;
  }

  private static Instant at(Instant epoch, double t) {
    return epoch.plusMillis(Math.round(t * 1000));
  }

  /** One report, as TestbedController.onTiming takes it (each process's CPU with the path most of its frames took). */
  private void feed(Report r) {
    for (String line : r.lines()) {
      String[] f = line.split(" ");
      if (f[0].equals("P")) {
        List<StageTiming> timings = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          timings.add(StageTiming.newBuilder().setStage(live.chain().stage(i)).setNode(f[1].charAt(i) == 'E' ? "edge"
              : "server").setReceivedUs(Long.parseLong(f[3 + 3 * i])).setProcessedUs(Long.parseLong(f[4 + 3 * i]))
              .setSentUs(Long.parseLong(f[5 + 3 * i])).build());
        }
        live.observe(new Placement(f[1]), timings, Long.parseLong(f[15]));
      } else if (f[0].equals("C")) {
        Tier tier = f[2].toLowerCase().startsWith("e") ? Tier.EDGE : Tier.SERVER;
        live.observeCpu(pathThrough(r, f[1], tier), f[1], tier, Long.parseLong(f[3]), Long.parseLong(f[4]),
            Long.parseLong(f[5]));
      }
    }
  }

  private Placement pathThrough(Report r, String stage, Tier tier) {
    int index = live.chain().indexOf(stage);
    Placement busiest = null;
    long most = -1;
    for (String line : r.lines()) {
      String[] f = line.split(" ");
      if (f[0].equals("P") && f[1].charAt(index) == tier.letter() && Long.parseLong(f[2]) > most) {
        busiest = new Placement(f[1]);
        most = Long.parseLong(f[2]);
      }
    }
    return busiest;
  }

  private static List<Report> reports() {
    try {
      List<Report> out = new ArrayList<>();
      for (String line : Files.readAllLines(resource("e7-run4-reports.txt"))) {
        if (line.startsWith("T ")) {
          out.add(new Report(Long.parseLong(line.split(" ")[1]) / 1000.0, new ArrayList<>()));
        } else if (!line.startsWith("#") && !out.isEmpty()) {
          out.get(out.size() - 1).lines().add(line);
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
