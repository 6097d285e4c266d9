package io.edgepipe.harness.measure;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses link rates the way tc writes them: 100mbit, 1gbit, 500kbit, or plain bits per second. */
public final class BitRate {
  private static final Pattern RATE = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)\\s*(bit|kbit|mbit|gbit)?(?:/s|ps)?");

  private BitRate() {}

  public static double parse(String text) {
    Matcher m = RATE.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException("'" + text + "' is not a rate (e.g. 100mbit, 1gbit, 2500000)");
    }
    double value = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "bit" : m.group(2);
    double scale = switch (unit) {
      case "kbit" -> 1e3;
      case "mbit" -> 1e6;
      case "gbit" -> 1e9;
      default -> 1;
    };
    if (value <= 0) {
      throw new IllegalArgumentException("rate must be positive: " + text);
    }
    return value * scale;
  }
}
