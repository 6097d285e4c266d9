package io.edgepipe.planner.codec;

import io.edgepipe.api.PayloadCodec;
import io.edgepipe.planner.predict.Prediction;
import io.edgepipe.planner.predict.UnitPrediction;
import io.edgepipe.planner.profile.CostModel;
import io.edgepipe.planner.profile.LinkClass;
import io.edgepipe.planner.profile.ProfileException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The codec of each hop of a predicted placement that crosses between nodes, chosen by
 * {@link HopCodecChoice} from the codec costs {@code pipeline bench codec} measured. The link
 * rate of a hop is what the profile's transfer time implies for its bytes (latency included);
 * hops inside a node move payloads through memory and keep {@code none}.
 */
public final class CodecPlan {
  private CodecPlan() {}

  /** One hop between nodes: its uncompressed outcome and the best one. */
  public record HopCodec(String hop, LinkClass link, long bytes, double linkBitsPerSecond,
      HopCodecChoice.Outcome none, HopCodecChoice.Outcome best) {}

  public static List<HopCodec> choose(Prediction prediction, CostModel costs, Map<String, List<CodecCost>> byHop) {
    List<HopCodec> hops = new ArrayList<>();
    for (int u = 0; u < prediction.units().size(); u++) {
      UnitPrediction unit = prediction.units().get(u);
      if (unit.sendLink().inNode() || !(unit.sendMs() > 0)) {
        continue;
      }
      int stage = lastStage(prediction, u);
      String hop = costs.chain().hopName(stage);
      long bytes = costs.hopBytes(stage);
      List<CodecCost> measured = byHop.get(hop);
      if (bytes <= 0 || measured == null) {
        continue;
      }
      double rate = bytes * 8.0 / (unit.sendMs() / 1e3);
      List<HopCodecChoice.Outcome> ranked = HopCodecChoice.rank(bytes, rate, measured);
      HopCodecChoice.Outcome none = ranked.stream().filter(o -> o.cost().codec() == PayloadCodec.NONE)
          .findFirst().orElseThrow();
      hops.add(new HopCodec(hop, unit.sendLink(), bytes, rate, none, ranked.get(0)));
    }
    return hops;
  }

  /** The index of the last stage of unit {@code u}: units cover the chain in order. */
  private static int lastStage(Prediction prediction, int u) {
    // plain units are one stage each; fused ones are named "a+b": count the stages named so far
    int stages = 0;
    for (int i = 0; i <= u; i++) {
      stages += prediction.units().get(i).name().split("\\+").length;
    }
    return stages - 1;
  }

  /**
   * Reads the per-hop codec costs from a CSV written by {@code pipeline bench codec}
   * (columns hop, codec, raw_KB, ratio, encode_cpu_ms, decode_cpu_ms, among others).
   */
  public static Map<String, List<CodecCost>> readCosts(Path csv) {
    List<String> lines;
    try {
      lines = Files.readAllLines(csv);
    } catch (IOException e) {
      throw new ProfileException("cannot read codec costs " + csv + ": " + e.getMessage());
    }
    if (lines.isEmpty()) {
      throw new ProfileException(csv + ": empty; expected the CSV of `pipeline bench codec`");
    }
    List<String> header = List.of(lines.get(0).split(","));
    int hop = column(header, "hop", csv);
    int codec = column(header, "codec", csv);
    int raw = column(header, "raw_KB", csv);
    int ratio = column(header, "ratio", csv);
    int enc = column(header, "encode_cpu_ms", csv);
    int dec = column(header, "decode_cpu_ms", csv);
    Map<String, List<CodecCost>> byHop = new LinkedHashMap<>();
    for (int i = 1; i < lines.size(); i++) {
      if (lines.get(i).isBlank()) {
        continue;
      }
      String[] cells = lines.get(i).split(",");
      try {
        double rawBytes = Double.parseDouble(cells[raw]) * 1e3;
        byHop.computeIfAbsent(cells[hop], k -> new ArrayList<>()).add(new CodecCost(PayloadCodec.parse(cells[codec]),
            Double.parseDouble(cells[ratio]), Double.parseDouble(cells[enc]) * 1e6 / rawBytes,
            Double.parseDouble(cells[dec]) * 1e6 / rawBytes));
      } catch (RuntimeException e) {
        throw new ProfileException(csv + " line " + (i + 1) + ": " + e.getMessage());
      }
    }
    return byHop;
  }

  private static int column(List<String> header, String name, Path csv) {
    int i = header.indexOf(name);
    if (i < 0) {
      throw new ProfileException(csv + ": no column " + name + "; expected the CSV of `pipeline bench codec`");
    }
    return i;
  }
}
