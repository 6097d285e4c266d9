package io.edgepipe.testbed;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses and prints the rates and durations of the testbed flags, in tc's vocabulary. */
public final class Units {
  private static final Pattern RATE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(|bit|kbit|mbit|gbit|bps|kbps|mbps|gbps)");
  private static final Pattern TIME = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(|us|ms|s)");

  private Units() {}

  /**
   * A testbed link's rate in bits per second, as {@link #bitsPerSecond} reads it; at least 8kbit
   * (a gRPC stream needs that much).
   */
  public static long parseRate(String text) {
    long bits = Math.round(bitsPerSecond(text));
    if (bits < 8_000) {
      throw new IllegalArgumentException("rate '" + text + "' is below 8kbit: too slow to carry a gRPC stream");
    }
    return bits;
  }

  /**
   * A rate as tc writes it, in bits per second, the one reading of every rate flag (testbed links,
   * the {@code --link} of measure and plan): {@code 1gbit}, {@code 20mbit}, {@code 500kbit},
   * {@code 64000} (bare = bit/s); {@code mbps} and friends are bytes per second, as in tc. It must be
   * above 0.
   */
  public static double bitsPerSecond(String text) {
    Matcher m = RATE.matcher(text.strip().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException("bad rate '" + text + "': use e.g. 1gbit, 100mbit, 500kbit");
    }
    double n = Double.parseDouble(m.group(1));
    double factor = switch (m.group(2)) {
      case "", "bit" -> 1;
      case "kbit" -> 1e3;
      case "mbit" -> 1e6;
      case "gbit" -> 1e9;
      case "bps" -> 8;
      case "kbps" -> 8e3;
      case "mbps" -> 8e6;
      default -> 8e9; // gbps
    };
    if (!(n > 0)) {
      throw new IllegalArgumentException("rate must be positive: " + text);
    }
    return n * factor;
  }

  /** A one-way delay: {@code 0}, {@code 0ms}, {@code 10ms}, {@code 1.5ms}, {@code 500us}, {@code 1s}. */
  public static Duration parseDelay(String text) {
    Matcher m = TIME.matcher(text.strip().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException("bad delay '" + text + "': use e.g. 0ms, 10ms, 500us");
    }
    double n = Double.parseDouble(m.group(1));
    double micros = switch (m.group(2)) {
      case "us" -> n;
      case "s" -> n * 1e6;
      default -> n * 1e3; // ms, or a bare number of milliseconds
    };
    Duration d = Duration.ofNanos(Math.round(micros * 1e3));
    if (d.compareTo(Duration.ofSeconds(10)) > 0) {
      throw new IllegalArgumentException("delay '" + text + "' is above 10 s");
    }
    return d;
  }

  /** bits/s as tc reads it back: {@code 20mbit}, {@code 1gbit}, or {@code 123456bit}. */
  public static String formatRate(long bitsPerSecond) {
    if (bitsPerSecond % 1_000_000_000L == 0) {
      return bitsPerSecond / 1_000_000_000L + "gbit";
    }
    if (bitsPerSecond % 1_000_000L == 0) {
      return bitsPerSecond / 1_000_000L + "mbit";
    }
    if (bitsPerSecond % 1_000L == 0) {
      return bitsPerSecond / 1_000L + "kbit";
    }
    return bitsPerSecond + "bit";
  }

  /** {@code 10ms}, {@code 1.5ms}, {@code 0ms}. */
  public static String formatDelay(Duration d) {
    long micros = d.toNanos() / 1_000;
    return micros % 1_000 == 0 ? micros / 1_000 + "ms" : micros + "us";
  }
}
