package io.edgepipe.experiments;

import io.edgepipe.api.Delivery;
import io.edgepipe.api.PayloadCodec;
import io.edgepipe.api.PipelineSpec;
import io.edgepipe.api.Placement;
import io.edgepipe.harness.report.Spread;
import io.edgepipe.harness.report.Table;
import io.edgepipe.harness.testbed.ScheduledTestbedRun;
import io.edgepipe.harness.testbed.ScheduledTestbedRun.Step;
import io.edgepipe.harness.testbed.TestbedController;
import io.edgepipe.launcher.RunOptions;
import io.edgepipe.planner.profile.Profile;
import io.edgepipe.planner.profile.ProfileBuilder;
import io.edgepipe.planner.profile.LinkClass;
import io.edgepipe.api.Tier;
import io.edgepipe.planner.profile.FrameSize;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import io.edgepipe.experiments.bench.CodecBench;
import io.edgepipe.planner.codec.CodecCost;
import io.edgepipe.planner.codec.HopCodecChoice;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Codecs across the link (issue 11, point 8): on the testbed at 100 Mbit, the placements whose
 * frames cross the link (ESSS, EESS, EEES), fps with every hop's payload sent as is and with each
 * lossless codec, on real footage. Each repeat starts the chain once per codec (every hop of the
 * spec gets it; the stage processes read it from a spec file), in an order rotated from repeat to
 * repeat so that a load that drifts over the run does not favour one codec, and visits the three
 * placements by repointing warm standbys. Beside the measurement, the prediction from
 * {@link CodecBench} on the same frames: per codec, the rate its two crossing hops allow (the one
 * up to the server and the results back to the sink), with the edge's end of each slowed by its
 * CPU cap, as the planner's {@link HopCodecChoice} reckons it.
 */
public final class LinkCodecExperiment {
  static final String CSV = "codec_link.csv";
  static final List<String> PLACEMENTS = List.of("ESSS", "EESS", "EEES");
  static final double SETTLE_S = 1;
  static final double WINDOW_S = 4;
  static final double WARMUP_S = 10;
  /**
   * Each placement's warm-up visit lasts until its rate settles and the JIT is quiet, at most this
   * (the grid's for a throttled edge). With 3 s visits (session 15's first run) the edge's JVMs
   * were still compiling in the measured windows: at 100 Mbit a chain passes about 11 frames a
   * second, so its JVMs see few frames and compile for tens of seconds, and on a half-core edge
   * the compiler competes with the codec; EESS with zstd read 11.3 fps (10.7-12.5) against 13.0 the
   * day before.
   */
  static final double WARMUP_MAX_SECONDS = GridExperiment.QUOTA_WARMUP_MAX_SECONDS;
  static final int BENCH_FRAMES = 30;

  /**
   * Columns of {@link #CSV}: per placement and codec, the repeats' median fps and range, and the
   * rate the crossing hops allow by the codec bench (link and codec CPU only; compute not counted).
   */
  public enum CodecColumn implements CsvColumn {
    PLACEMENT, CODEC, REPEATS, FPS, FPS_MIN, FPS_MAX, VS_NONE_PCT, PRED_HOP_FPS, PRED_LIMIT, PRED_BEST, MEAS_BEST
  }

  private LinkCodecExperiment() {}

  public static void run(Suite s, int side, String link, String source, int repeats) {
    TestbedDriver driver = s.testbed.driver();
    if (driver == null) {
      s.note("codec_status", "skipped: " + s.testbed.reason());
      return;
    }
    s.note("codec_method", "testbed at " + link + ", edge cpu " + s.edgeCpu + ", " + side + "x" + side + " frames from "
        + source + ", reliable delivery, frames as fast as the chain goes; " + repeats + " repeats, each starting the "
        + "chain once per codec (on every hop; codec order rotated per repeat), warmed " + WARMUP_S + " s, then each "
        + "placement until its rate settles and the JIT is quiet (at most " + WARMUP_MAX_SECONDS + " s), visiting "
        + PLACEMENTS + " by repointing warm standbys, " + WINDOW_S + " s each after " + SETTLE_S + " s of settling "
        + "(a window in which a node's JIT compiler used more than 5% of its CPU is measured once more); "
        + "predicted: `bench codec` on " + BENCH_FRAMES + " of the same frames, the slower of the two crossing hops "
        + "(edge end slowed by its cap)");
    PipelineSpec base = s.spec.withInput(side, side);
    long t0 = System.nanoTime();
    String loadBefore = loadAverage();
    s.task("codec bench");
    List<CodecBench.Row> bench = new CodecBench(base, source).run(BENCH_FRAMES, 5);
    double bps = io.edgepipe.harness.measure.BitRate.parse(link);
    Map<String, Map<PayloadCodec, List<Double>>> fps = new LinkedHashMap<>();
    PLACEMENTS.forEach(p -> fps.put(p, new EnumMap<>(PayloadCodec.class)));
    List<PayloadCodec> codecs = List.of(PayloadCodec.values());
    Table t = CsvColumn.table(CodecColumn.values());
    int[] windows = {0, 0}; // measured, measured again
    try {
      for (int r = 0; r < repeats; r++) {
        for (int k = 0; k < codecs.size(); k++) {
          PayloadCodec codec = codecs.get((k + r) % codecs.size());
          s.task("codec " + codec.label() + ", repeat " + (r + 1) + " of " + repeats);
          Map<String, Double> once = runOnce(s, driver, codec, side, link, source, r % 2 == 1,
              "codec-" + codec.label() + "-" + (r + 1), windows);
          once.forEach((p, f) -> fps.get(p).computeIfAbsent(codec, c -> new ArrayList<>()).add(f));
        }
      }
    } finally {
      driver.down();
      for (String p : PLACEMENTS) {
        Map<PayloadCodec, Prediction> predicted = new EnumMap<>(PayloadCodec.class);
        for (PayloadCodec c : codecs) {
          predicted.put(c, predict(bench, base, p, c, bps, s.edgeCpu));
        }
        PayloadCodec predBest = codecs.stream().max(Comparator.comparingDouble(c -> predicted.get(c).fps())).orElseThrow();
        Map<PayloadCodec, List<Double>> byCodec = fps.get(p);
        PayloadCodec measBest = byCodec.isEmpty() ? null : byCodec.keySet().stream()
            .max(Comparator.comparingDouble(c -> median(byCodec.get(c)))).orElseThrow();
        double none = byCodec.containsKey(PayloadCodec.NONE) ? median(byCodec.get(PayloadCodec.NONE)) : Double.NaN;
        for (PayloadCodec c : codecs) {
          List<Double> v = byCodec.get(c);
          Spread sp = v == null ? new Spread(Double.NaN, Double.NaN, Double.NaN)
              : Spread.of(v.stream().mapToDouble(Double::doubleValue).toArray());
          t.row(p, c.label(), v == null ? 0 : v.size(), sp.median(), sp.min(), sp.max(),
              c == PayloadCodec.NONE ? "-" : String.format(Locale.ROOT, "%+.1f", 100 * (sp.median() / none - 1)),
              predicted.get(c).fps(), predicted.get(c).limit(), predBest.label(),
              measBest == null ? "-" : measBest.label());
        }
      }
      t.writeCsv(s.dir.resolve(CSV));
      s.note("codec_run", String.format(Locale.ROOT, "%.1f min, load average %s at the start and %s at the end; "
          + "%d of %d windows measured again (the JIT busy in the first)", (System.nanoTime() - t0) / 6e10, loadBefore,
          loadAverage(), windows[1], windows[0]));
    }
    s.say("");
    s.say("Codecs across the link (" + link + ")");
    t.print(s.console);
  }

  /**
   * One start of the chain with {@code codec} on every hop: each placement's fps over one window.
   * Adds to {@code windows} the windows measured and those measured again.
   */
  private static Map<String, Double> runOnce(Suite s, TestbedDriver driver, PayloadCodec codec, int side, String link,
      String source, boolean reversed, String logName, int[] windows) {
    Path specFile = specWith(s, codec);
    PipelineSpec spec = PipelineSpec.load(specFile).withInput(side, side).withDelivery(Delivery.RELIABLE);
    driver.up(link, s.edgeCpu);
    try {
      List<Step> steps = new ArrayList<>();
      for (String p : PLACEMENTS) {
        steps.add(new Step("warm-up " + p, 0, 0, 0, WARMUP_MAX_SECONDS, 0, p, true, true));
      }
      List<String> order = new ArrayList<>(PLACEMENTS);
      if (reversed) {
        Collections.reverse(order);
      }
      for (String p : order) {
        steps.add(new Step(p, 0, 0, 0, SETTLE_S + WINDOW_S, SETTLE_S, p));
      }
      RunOptions o = new RunOptions(spec, specFile, source, 0, 0, 1, s.device, s.seed, null, "npy");
      TestbedController watch = TestbedController.forTestbed(linkOnly(spec, driver.bandwidthBitsPerSec()), spec,
          new Placement(PLACEMENTS.get(0)), driver.state(), AdaptiveExperiment.settings(), x -> { }, false);
      ScheduledTestbedRun.Outcome out = ScheduledTestbedRun.run(driver.state(), PLACEMENTS.get(0), o, WARMUP_S, steps,
          watch, true, s.logs.resolve(logName), GridExperiment.schedule(s, logName), GridExperiment.RETRY);
      Map<String, Double> fps = new LinkedHashMap<>();
      for (ScheduledTestbedRun.StepResult r : out.steps()) {
        if (!r.step().warmup()) {
          fps.put(r.step().label(), r.fps());
          windows[0]++;
          windows[1] += r.attempts() > 1 ? 1 : 0;
        }
      }
      return fps;
    } finally {
      driver.down();
    }
  }

  /** The rate a codec's crossing hops allow for a placement, and which end or link sets it. */
  record Prediction(double fps, String limit) {}

  /**
   * The placement's two crossing hops: up, from the last edge service to the first server one
   * (encoded on the edge), and back, from the last stage to the sink on the edge (decoded there).
   */
  static Prediction predict(List<CodecBench.Row> bench, PipelineSpec spec, String placement, PayloadCodec codec,
      double bps, double edgeCores) {
    int up = placement.indexOf('S') - 1; // hop index: 0 = producer -> first stage
    int back = spec.layers().size();
    Prediction best = null;
    for (int hop : new int[] {up, back}) {
      CodecBench.Row row = bench.stream().filter(r -> r.hop() == hop && r.codec() == codec).findFirst().orElseThrow();
      CodecCost c = row.cost();
      double slow = 1 / Math.min(1, edgeCores);
      CodecCost atEnds = hop == up ? new CodecCost(codec, c.ratio(), c.encodeNsPerByte() * slow, c.decodeNsPerByte())
          : new CodecCost(codec, c.ratio(), c.encodeNsPerByte(), c.decodeNsPerByte() * slow);
      HopCodecChoice.Outcome o = HopCodecChoice.outcome(Math.round(row.rawBytes()), bps, atEnds);
      String end = o.periodMs() == o.transferMs() ? "link" : o.periodMs() == o.encodeMs()
          ? (hop == up ? "edge encode" : "server encode") : (hop == up ? "server decode" : "edge decode");
      Prediction p = new Prediction(o.framesPerSecond(), row.hopName() + " " + end);
      if (best == null || p.fps() < best.fps()) {
        best = p;
      }
    }
    return best;
  }

  /** The 1-minute load average, or "-" (the run's figures depend on what else the host does). */
  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split("\\s+")[0];
    } catch (IOException | RuntimeException e) {
      return "-";
    }
  }

  private static double median(List<Double> v) {
    return Spread.of(v.stream().mapToDouble(Double::doubleValue).toArray()).median();
  }

  /** The spec file with {@code codec} on the input and every stage (flow-style YAML maps, as pipelines/ writes them). */
  static Path specWith(Suite s, PayloadCodec codec) {
    try {
      String yaml = Files.readString(s.specFile);
      Pattern map = Pattern.compile("(?m)^(\\s*(?:input:|-)\\s*\\{.*)\\}\\s*$"); // the line's outer map
      Matcher m = map.matcher(yaml);
      String changed = m.replaceAll(r -> Matcher.quoteReplacement(r.group(1) + ", codec: " + codec.label() + "}"));
      Path file = s.logs.resolve("spec-" + codec.label() + ".yaml").toAbsolutePath();
      Files.createDirectories(file.getParent());
      Files.writeString(file, changed);
      PipelineSpec check = PipelineSpec.load(file);
      if (!check.hopCodecs().stream().allMatch(c -> c == codec)) {
        throw new IllegalStateException("could not set codec " + codec.label() + " on every hop of " + s.specFile
            + " (flow-style maps expected)");
      }
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A profile that only gives the watcher what it needs (hop bytes, a link): nothing is planned here. */
  private static Profile linkOnly(PipelineSpec spec, double bps) {
    ProfileBuilder b = ProfileBuilder.forSpec(spec);
    b.addHopsFromSpec(spec);
    FrameSize size = FrameSize.of(spec.input().w(), spec.input().h());
    for (String stage : ProfileMeasurer.services(spec)) {
      for (Tier tier : Tier.values()) {
        b.addCompute(stage, tier, size, 1, 1);
      }
    }
    b.addLink(LinkClass.EDGE_SERVER, bps, 0);
    return b.build();
  }
}
