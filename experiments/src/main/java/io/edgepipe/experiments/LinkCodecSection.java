package io.edgepipe.experiments;

import static io.edgepipe.experiments.Csv.num;
import static io.edgepipe.experiments.Csv.str;
import static io.edgepipe.experiments.ReportContext.f;
import static io.edgepipe.experiments.ReportContext.missing;
import static io.edgepipe.experiments.ReportContext.reading;
import static io.edgepipe.experiments.ReportContext.table;

import io.edgepipe.experiments.LinkCodecExperiment.CodecColumn;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.knowm.xchart.CategoryChart;

/** The link codecs' section: fps per crossing placement and codec, with the repeats' range. */
final class LinkCodecSection implements ReportSection {
  /** Below this share of the rate its link allows with none, a placement's pace was set by compute, not the link. */
  static final double LINK_BOUND_SHARE = 0.8;

  @Override
  public String id() {
    return "Codecs";
  }

  @Override
  public String render(ReportContext report) {
    StringBuilder sb = new StringBuilder("## Codecs on the link (issue 11.8)\n\n");
    Optional<Csv> csv = report.csv(LinkCodecExperiment.CSV);
    if (csv.isEmpty() || csv.get().isEmpty()) {
      return ""; // not run: the section is left out rather than announced empty
    }
    Csv c = csv.get();
    sb.append("Method: ").append(report.meta().getOrDefault("codec_method", "-")).append(".\n\n");
    if (report.meta().containsKey("codec_run")) {
      sb.append("Run: ").append(report.meta().get("codec_run")).append(".\n\n");
    }
    List<String> placements = c.distinct(CodecColumn.PLACEMENT);
    Map<String, List<Double>> series = new LinkedHashMap<>();
    for (String codec : c.distinct(CodecColumn.CODEC)) {
      List<Double> ys = new ArrayList<>();
      for (String p : placements) {
        ys.add(c.where(r -> str(r, CodecColumn.PLACEMENT).equals(p) && str(r, CodecColumn.CODEC).equals(codec))
            .stream().mapToDouble(r -> num(r, CodecColumn.FPS)).findFirst().orElse(Double.NaN));
      }
      series.put(codec, ys);
    }
    CategoryChart chart = Charts.bars("fps per placement and codec (median of the repeats; range in the table)",
        "placement", "fps", placements, series, false);
    sb.append(report.image(chart, "codec_link.png", "codecs on the link"));
    List<String> parts = new ArrayList<>();
    int matches = 0;
    int predictedPlacements = 0;
    int notLinkBound = 0;
    for (String p : placements) {
      List<Map<String, String>> rows = c.where(r -> str(r, CodecColumn.PLACEMENT).equals(p));
      Map<String, String> none = rows.stream().filter(r -> str(r, CodecColumn.CODEC).equals("none")).findFirst()
          .orElse(null);
      Map<String, String> best = rows.stream().filter(r -> !str(r, CodecColumn.CODEC).equals("none"))
          .max(java.util.Comparator.comparingDouble(r -> num(r, CodecColumn.FPS))).orElse(null);
      if (none != null && best != null) {
        boolean overlap = num(best, CodecColumn.FPS_MIN) <= num(none, CodecColumn.FPS_MAX)
            && num(none, CodecColumn.FPS_MIN) <= num(best, CodecColumn.FPS_MAX);
        String part = p + ": none " + f(num(none, CodecColumn.FPS)) + " fps (" + f(num(none, CodecColumn.FPS_MIN)) + "-"
            + f(num(none, CodecColumn.FPS_MAX)) + "), best codec " + str(best, CodecColumn.CODEC) + " "
            + f(num(best, CodecColumn.FPS)) + " fps (" + str(best, CodecColumn.VS_NONE_PCT) + "%"
            + (overlap ? ", within the repeats' spread" : "") + ")";
        if (none.containsKey(CodecColumn.PRED_BEST.header())) {
          String predicted = str(none, CodecColumn.PRED_BEST);
          String measured = str(none, CodecColumn.MEAS_BEST);
          Map<String, String> pr = rows.stream().filter(r -> str(r, CodecColumn.CODEC).equals(predicted)).findFirst()
              .orElse(none);
          predictedPlacements++;
          matches += predicted.equals(measured) ? 1 : 0;
          part += "; predicted best " + predicted + " (" + f(num(pr, CodecColumn.PRED_HOP_FPS)) + " fps, limit "
              + str(pr, CodecColumn.PRED_LIMIT) + "), measured best " + measured
              + (predicted.equals(measured) ? ": match" : ": no match");
          double linkBound = num(none, CodecColumn.PRED_HOP_FPS);
          if (num(none, CodecColumn.FPS) < LINK_BOUND_SHARE * linkBound) {
            notLinkBound++;
            part += " (but not link-bound: none ran at " + f(num(none, CodecColumn.FPS)) + " of the " + f(linkBound)
                + " fps its link allows, so compute set the pace and a codec could only add to it)";
          }
        }
        parts.add(part);
      }
    }
    if (predictedPlacements > 0) {
      parts.add("the codec predicted best from the link rate and each end's CPU (`bench codec` on the same frames) is "
          + "the measured best in " + matches + " of " + predictedPlacements + " placements"
          + (notLinkBound > 0 ? "; " + notLinkBound + " of them were not link-bound in this run, where the prediction "
              + "(link and codec CPU only, no compute) does not apply" : ""));
    }
    sb.append(reading(String.join("; ", parts) + "."));
    sb.append(table(c, CodecColumn.values()));
    return sb.toString();
  }
}
