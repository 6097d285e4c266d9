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
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Codecs across the link (issue 11, point 8): on the testbed at 100 Mbit, the placements whose
 * frames cross the link (ESSS, EESS, EEES), fps with every hop's payload sent as is and with each
 * lossless codec, on real footage. One start of the chain per codec (every hop of the spec gets
 * it; the stage processes read it from a spec file), visiting the three placements by repointing
 * warm standbys, each visit repeated.
 */
public final class LinkCodecExperiment {
  static final String CSV = "codec_link.csv";
  static final List<String> PLACEMENTS = List.of("ESSS", "EESS", "EEES");
  static final double SETTLE_S = 1;
  static final double WINDOW_S = 3;

  /** Columns of {@link #CSV}: per placement and codec, the repeats' median fps and range. */
  public enum CodecColumn implements CsvColumn {
    PLACEMENT, CODEC, REPEATS, FPS, FPS_MIN, FPS_MAX, VS_NONE_PCT
  }

  private LinkCodecExperiment() {}

  public static void run(Suite s, int side, String link, String source, int repeats) {
    TestbedDriver driver = s.testbed.driver();
    if (driver == null) {
      s.note("codec_status", "skipped: " + s.testbed.reason());
      return;
    }
    s.note("codec_method", "testbed at " + link + ", edge cpu " + s.edgeCpu + ", " + side + "x" + side + " frames from "
        + source + ", reliable delivery, frames as fast as the chain goes; one start of the chain per codec (on "
        + "every hop), visiting " + PLACEMENTS + " by repointing warm standbys, " + repeats + " x " + WINDOW_S
        + " s each after " + SETTLE_S + " s of settling");
    Table t = CsvColumn.table(CodecColumn.values());
    double[][] noneFps = new double[PLACEMENTS.size()][];
    try {
      for (PayloadCodec codec : PayloadCodec.values()) {
        s.task("codec " + codec.label());
        Path specFile = specWith(s, codec);
        PipelineSpec spec = PipelineSpec.load(specFile).withInput(side, side).withDelivery(Delivery.RELIABLE);
        driver.up(link, s.edgeCpu);
        List<Step> steps = new ArrayList<>();
        for (String p : PLACEMENTS) {
          steps.add(new Step("warm-up " + p, 0, 0, 0, 3, 0, p, true));
        }
        for (int r = 0; r < repeats; r++) {
          List<String> order = new ArrayList<>(PLACEMENTS);
          if (r % 2 == 1) {
            java.util.Collections.reverse(order);
          }
          for (String p : order) {
            steps.add(new Step(p, 0, 0, 0, SETTLE_S + WINDOW_S, SETTLE_S, p));
          }
        }
        RunOptions o = new RunOptions(spec, specFile, source, 0, 0, 1, s.device, s.seed, null, "npy");
        TestbedController watch = TestbedController.forTestbed(linkOnly(spec, driver.bandwidthBitsPerSec()), spec,
            new Placement(PLACEMENTS.get(0)), driver.state(), AdaptiveExperiment.settings(), x -> { }, false);
        ScheduledTestbedRun.Outcome out = ScheduledTestbedRun.run(driver.state(), PLACEMENTS.get(0), o, 10, steps,
            watch, true, s.logs.resolve("codec-" + codec.label()), x -> { });
        driver.down();
        for (int i = 0; i < PLACEMENTS.size(); i++) {
          String p = PLACEMENTS.get(i);
          double[] fps = out.steps().stream().filter(x -> !x.step().warmup() && x.step().label().equals(p))
              .mapToDouble(ScheduledTestbedRun.StepResult::fps).toArray();
          if (codec == PayloadCodec.NONE) {
            noneFps[i] = fps;
          }
          Spread sp = Spread.of(fps);
          double none = noneFps[i] == null ? Double.NaN : Spread.of(noneFps[i]).median();
          t.row(p, codec.label(), fps.length, sp.median(), sp.min(), sp.max(),
              codec == PayloadCodec.NONE ? "-" : String.format(java.util.Locale.ROOT, "%+.1f",
                  100 * (sp.median() / none - 1)));
        }
      }
    } finally {
      driver.down();
      t.writeCsv(s.dir.resolve(CSV));
    }
    s.say("");
    s.say("Codecs across the link (" + link + ")");
    t.print(s.console);
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
