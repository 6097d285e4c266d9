package io.edgepipe.planner.codec;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Picks the codec of one hop: the one under which the hop moves the most frames per second.
 *
 * <p>A hop is three steps that overlap across frames (the sender encodes frame n+1 while frame n
 * is on the wire and the receiver decodes frame n-1), so its period is the slowest of them:
 * <pre>
 *   period(codec) = max( raw * encodeNsPerByte,            sender CPU
 *                        raw / ratio * 8 / linkBitsPerSec,  the link
 *                        raw * decodeNsPerByte )           receiver CPU
 * </pre>
 * and its throughput is 1 / period. The codec with the shortest period wins; between equal
 * periods, the one with less latency (encode + transfer + decode), so a fast link keeps
 * {@code none}. The CPU a codec takes from the stage's own compute is not in this model: it is
 * a hop-local choice, which the chain's prediction then charges to each node's CPU.
 */
public final class HopCodecChoice {
  private HopCodecChoice() {}

  /** One codec's outcome on a hop, times in milliseconds per frame. */
  public record Outcome(CodecCost cost, double encodeMs, double transferMs, double decodeMs) {
    public double periodMs() {
      return Math.max(encodeMs, Math.max(transferMs, decodeMs));
    }

    public double latencyMs() {
      return encodeMs + transferMs + decodeMs;
    }

    public double framesPerSecond() {
      return periodMs() > 0 ? 1000 / periodMs() : Double.POSITIVE_INFINITY;
    }
  }

  /** How {@code cost} does on a hop of {@code rawBytes} per frame over a link of {@code linkBitsPerSecond}. */
  public static Outcome outcome(long rawBytes, double linkBitsPerSecond, CodecCost cost) {
    if (rawBytes < 0 || !(linkBitsPerSecond > 0)) {
      throw new IllegalArgumentException("need rawBytes >= 0 and a link rate > 0, got " + rawBytes + " B, "
          + linkBitsPerSecond + " bit/s");
    }
    double transferMs = rawBytes / cost.ratio() * 8 / linkBitsPerSecond * 1e3;
    return new Outcome(cost, rawBytes * cost.encodeNsPerByte() / 1e6, transferMs, rawBytes * cost.decodeNsPerByte() / 1e6);
  }

  /** Every candidate's outcome, best first; {@code none} is always a candidate. */
  public static List<Outcome> rank(long rawBytes, double linkBitsPerSecond, List<CodecCost> candidates) {
    List<Outcome> outcomes = new ArrayList<>();
    boolean hasNone = false;
    for (CodecCost c : candidates) {
      outcomes.add(outcome(rawBytes, linkBitsPerSecond, c));
      hasNone |= c.codec() == io.edgepipe.api.PayloadCodec.NONE;
    }
    if (!hasNone) {
      outcomes.add(outcome(rawBytes, linkBitsPerSecond, CodecCost.none()));
    }
    outcomes.sort(Comparator.comparingDouble(Outcome::periodMs).thenComparingDouble(Outcome::latencyMs));
    return outcomes;
  }

  /** The best candidate for this hop. */
  public static Outcome best(long rawBytes, double linkBitsPerSecond, List<CodecCost> candidates) {
    return rank(rawBytes, linkBitsPerSecond, candidates).get(0);
  }
}
