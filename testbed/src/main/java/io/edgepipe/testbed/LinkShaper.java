package io.edgepipe.testbed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Shapes one end of the link (its egress, so both ends together shape both directions):
 * an {@code htb} root qdisc whose single default class 1:10 has rate = ceil = the bandwidth,
 * with a {@code tbf} child at the same rate as the class's queue. htb sets the rate; tbf bounds
 * the queue to about {@value #QUEUE_LATENCY_MS} ms at that rate (instead of htb's default
 * 1000-packet fifo) and enforces the same rate again. netem does not exist on these kernels.
 *
 * <p>A token bucket lets a whole bucket through at memory speed. The bucket was 64 KiB so that a
 * GSO packet (up to 64 KiB on a veth) passed whole, and at 10 Mbit a paced 64 KiB frame crossed in
 * 4 ms instead of the 52 ms a wire takes: the planner's latency looked 6x wrong where the
 * emulation was. Now the bucket is about 1 ms of the link (two MTUs at least) and tbf cuts a GSO
 * packet larger than its bucket into MTU segments; its queue must then hold a whole cut packet,
 * so it is at least two GSO packets long (at 10 Mbit that is about 110 ms rather than 50).
 */
final class LinkShaper {
  static final int QUEUE_LATENCY_MS = 50;
  static final long MTU_BYTES = 1514;
  static final long GSO_MAX_BYTES = 64 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What tc reports for a shaped interface, rates in bits per second. */
  record Readback(long htbRateBps, long htbCeilBps, long tbfRateBps) {}

  private LinkShaper() {}

  static void shape(String netns, String dev, long rateBps) {
    String rate = rateBps + "bit";
    String burst = String.valueOf(burstBytes(rateBps));
    Sh.run("tc", "-n", netns, "qdisc", "add", "dev", dev, "root", "handle", "1:", "htb", "default", "10");
    Sh.run("tc", "-n", netns, "class", "add", "dev", dev, "parent", "1:", "classid", "1:10", "htb",
        "rate", rate, "ceil", rate, "burst", burst, "cburst", burst, "quantum", "1514");
    Sh.run("tc", "-n", netns, "qdisc", "add", "dev", dev, "parent", "1:10", "handle", "10:", "tbf",
        "rate", rate, "burst", burst, "limit", String.valueOf(queueBytes(rateBps)));
  }

  /**
   * Changes the rate of a shaped end while connections use it: the qdiscs are removed and added
   * again at the new rate. ({@code tc class change} + {@code tc qdisc change} leave tbf holding
   * packets queued at the old rate without sending them: a 1 Gbit to 10 Mbit change stalled TCP
   * for over a minute, its RTO backed off 8 times.) The packets queued at that instant are
   * dropped and TCP sends them again.
   */
  static void reshape(String netns, String dev, long rateBps) {
    Sh.run("tc", "-n", netns, "qdisc", "del", "dev", dev, "root");
    shape(netns, dev, rateBps);
  }

  /** Bucket size: 1 ms at the rate (what may pass at once), at least two Ethernet MTUs. */
  static long burstBytes(long rateBps) {
    return Math.max(2 * MTU_BYTES, rateBps / 8 / 1000);
  }

  /** tbf's queue: {@value #QUEUE_LATENCY_MS} ms at the rate, at least two whole GSO packets and the bucket. */
  static long queueBytes(long rateBps) {
    return Math.max(rateBps / 8 * QUEUE_LATENCY_MS / 1000, 2 * GSO_MAX_BYTES + burstBytes(rateBps));
  }

  static Readback read(String netns, String dev) {
    // htb classes have no JSON output in iproute2 6.1: read "class htb 1:10 ... rate 20Mbit ceil 20Mbit"
    long htbRate = -1;
    long htbCeil = -1;
    for (String line : Sh.run("tc", "-n", netns, "class", "show", "dev", dev).split("\n")) {
      if (line.startsWith("class htb 1:10 ")) {
        htbRate = tcRate(line, "rate");
        htbCeil = tcRate(line, "ceil");
      }
    }
    long tbfRate = -1;
    try {
      for (JsonNode q : JSON.readTree(Sh.run("tc", "-n", netns, "-j", "qdisc", "show", "dev", dev))) {
        if ("tbf".equals(q.path("kind").asText())) {
          tbfRate = q.path("options").path("rate").asLong() * 8; // bytes per second in tc's JSON
        }
      }
    } catch (java.io.IOException e) {
      throw new TestbedException("cannot parse tc's JSON for " + dev + " in " + netns + ": " + e.getMessage());
    }
    return new Readback(htbRate, htbCeil, tbfRate);
  }

  /** The value after {@code key} in tc's text, e.g. {@code rate 20Mbit}, in bit/s. */
  static long tcRate(String line, String key) {
    Matcher m = Pattern.compile("\\b" + key + " (\\d+(?:\\.\\d+)?)([KMGT]?)bit").matcher(line);
    if (!m.find()) {
      return -1;
    }
    double factor = switch (m.group(2)) {
      case "K" -> 1e3;
      case "M" -> 1e6;
      case "G" -> 1e9;
      case "T" -> 1e12;
      default -> 1;
    };
    return Math.round(Double.parseDouble(m.group(1)) * factor);
  }

  /** {@code tc -s qdisc show} for status. */
  static String stats(String netns, String dev) {
    return Sh.exec(List.of("tc", "-n", netns, "-s", "qdisc", "show", "dev", dev)).out();
  }
}
