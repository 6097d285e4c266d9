package io.edgepipe.cli.bench;

import io.edgepipe.cli.options.OutputFolder;
import io.edgepipe.launcher.options.SpecOption;
import picocli.CommandLine.Mixin;
import io.edgepipe.api.PipelineSpec;
import io.edgepipe.experiments.bench.CodecBench;
import io.edgepipe.harness.report.ResultFiles;
import io.edgepipe.harness.report.Table;
import io.edgepipe.planner.codec.CodecCost;
import io.edgepipe.planner.codec.HopCodecChoice;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code pipeline bench codec}: each link codec on each hop of a chain, on real footage. */
@Command(name = "codec", mixinStandardHelpOptions = true,
    description = {"Measure each link codec (none, lz4, zstd) on each hop of the chain, on real footage.",
        "The footage is vtest.avi from scripts/fetch-models.sh; the table shows wire size, compression ratio, CPU per "
            + "frame and MB/s to encode and decode, and the codec the planner picks per hop at each link rate."})
public final class CodecBenchCommand implements Callable<Integer> {
  @Spec
  CommandSpec command;

  @Mixin
  SpecOption specOption;

  @Option(names = "--video", description = "Footage to code (default: photos/vtest.avi under $EDGEPIPE_DATA or data/,"
      + " where scripts/fetch-models.sh puts it).")
  Path video;

  @Option(names = "--source", description = "Any frame source instead of --video (synthetic, images:DIR, ...).")
  String source;

  @Option(names = "--height", defaultValue = "576", description = "Frame height (default: ${DEFAULT-VALUE}, vtest.avi's own).")
  int height;

  @Option(names = "--width", defaultValue = "768", description = "Frame width (default: ${DEFAULT-VALUE}, vtest.avi's own).")
  int width;

  @Option(names = "--frames", defaultValue = "100", description = "Frames counted (default: ${DEFAULT-VALUE}).")
  int frames;

  @Option(names = "--warmup", defaultValue = "10", description = "Frames coded first and not counted (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--link-mbit", split = ",", defaultValue = "100,1000,10000",
      description = "Link rates for the planner's choice, Mbit/s (default: ${DEFAULT-VALUE}).")
  List<Double> linkMbit;

  @Mixin
  OutputFolder out;

  /** Where scripts/fetch-models.sh puts the footage (its data folder, photos/). */
  static Path defaultVideo() {
    String data = System.getenv("EDGEPIPE_DATA");
    return Path.of(data != null && !data.isBlank() ? data : "data", "photos", "vtest.avi");
  }

  @Override
  public Integer call() {
    if (frames < 1 || warmup < 0) {
      throw new ParameterException(command.commandLine(), "--frames must be >= 1 and --warmup >= 0");
    }
    for (double rate : linkMbit) {
      if (!(rate > 0)) {
        throw new ParameterException(command.commandLine(), "--link-mbit: rates must be > 0, got " + rate);
      }
    }
    String from = source;
    if (from == null) {
      Path file = video != null ? video : defaultVideo();
      if (!Files.isReadable(file)) {
        throw new ParameterException(command.commandLine(), "no footage at " + file + ": run scripts/fetch-models.sh"
            + " (or give --video FILE or --source synthetic)");
      }
      from = "video:" + file;
    }
    PipelineSpec spec = specOption.load().withInput(height, width);
    System.out.printf("%s on %s, %d frames of %dx%d (after %d warm-up frames), one thread, CPU time per frame%n",
        spec.name(), from, frames, width, height, warmup);
    List<CodecBench.Row> rows = new CodecBench(spec, from).run(frames, warmup);

    Table table = new Table("hop", "payload", "codec", "raw_KB", "wire_KB", "ratio", "encode_cpu_ms", "decode_cpu_ms",
        "encode_MBps", "decode_MBps");
    for (CodecBench.Row r : rows) {
      table.row(r.hopName(), r.payload(), r.codec().label(), r.rawBytes() / 1e3, r.wireBytes() / 1e3,
          String.format(Locale.ROOT, "%.2f", r.ratio()), r.encodeCpuMs(), r.decodeCpuMs(),
          r.codec().label().equals("none") ? "-" : String.format(Locale.ROOT, "%.0f", r.encodeMBps()),
          r.codec().label().equals("none") ? "-" : String.format(Locale.ROOT, "%.0f", r.decodeMBps()));
    }
    table.print(System.out);

    Table choice = new Table("hop", "link_Mbit", "best_codec", "hop_fps_none", "hop_fps_best", "period_ms_best",
        "limit");
    for (int hop = 0; hop <= spec.layers().size(); hop++) {
      List<CodecCost> costs = new ArrayList<>();
      long raw = 0;
      String name = null;
      for (CodecBench.Row r : rows) {
        if (r.hop() == hop) {
          costs.add(r.cost());
          raw = Math.round(r.rawBytes());
          name = r.hopName();
        }
      }
      for (double mbit : linkMbit) {
        List<HopCodecChoice.Outcome> ranked = HopCodecChoice.rank(raw, mbit * 1e6, costs);
        HopCodecChoice.Outcome best = ranked.get(0);
        HopCodecChoice.Outcome none = ranked.stream()
            .filter(o -> o.cost().codec() == io.edgepipe.api.PayloadCodec.NONE).findFirst().orElseThrow();
        choice.row(name, mbit, best.cost().codec().label(), none.framesPerSecond(), best.framesPerSecond(),
            best.periodMs(), limit(best));
      }
    }
    System.out.println("\nthe planner's choice per hop (HopCodecChoice; both ends with this machine's CPU)");
    choice.print(System.out);

    Path csv = ResultFiles.csv(out.folder("bench"), "codec");
    table.writeCsv(csv);
    Path choiceCsv = ResultFiles.csv(out.folder("bench"), "codec-choice");
    choice.writeCsv(choiceCsv);
    System.out.println("\nwrote " + csv + " and " + choiceCsv);
    return 0;
  }

  private static String limit(HopCodecChoice.Outcome o) {
    double p = o.periodMs();
    return p == o.transferMs() ? "link" : p == o.encodeMs() ? "encode CPU" : "decode CPU";
  }
}
