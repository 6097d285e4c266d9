package io.edgepipe.harness.report;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** A small result table: printed aligned for a person, written as CSV for a program. */
public final class Table {
  private final List<String> header;
  private final List<List<String>> rows = new ArrayList<>();

  public Table(String... header) {
    this.header = List.of(header);
  }

  public Table row(Object... cells) {
    if (cells.length != header.size()) {
      throw new IllegalArgumentException("row has " + cells.length + " cells, header has " + header.size());
    }
    List<String> row = new ArrayList<>();
    for (Object c : cells) {
      row.add(format(c));
    }
    rows.add(row);
    return this;
  }

  public List<List<String>> rows() {
    return rows;
  }

  public List<String> header() {
    return header;
  }

  /** Numbers get a precision that suits their size; everything else is its string. */
  public static String format(Object c) {
    if (c instanceof Double || c instanceof Float) {
      double d = ((Number) c).doubleValue();
      if (Double.isNaN(d)) {
        return "-";
      }
      double a = Math.abs(d);
      return String.format(Locale.ROOT, a >= 100 ? "%.1f" : a >= 1 ? "%.2f" : a == 0 ? "%.0f" : "%.3f", d);
    }
    return String.valueOf(c);
  }

  public void print(PrintStream out) {
    int[] widths = new int[header.size()];
    for (int i = 0; i < widths.length; i++) {
      widths[i] = header.get(i).length();
      for (List<String> r : rows) {
        widths[i] = Math.max(widths[i], r.get(i).length());
      }
    }
    out.println(line(header, widths));
    char[] rule = new char[Arrays.stream(widths).sum() + 2 * (widths.length - 1)];
    Arrays.fill(rule, '-');
    out.println(new String(rule));
    for (List<String> r : rows) {
      out.println(line(r, widths));
    }
  }

  /** As a GitHub-flavoured markdown table (for README and reports). */
  public String markdown() {
    StringBuilder sb = new StringBuilder("| ").append(String.join(" | ", header)).append(" |\n|");
    for (int i = 0; i < header.size(); i++) {
      sb.append("---|");
    }
    sb.append('\n');
    for (List<String> r : rows) {
      sb.append("| ").append(String.join(" | ", r)).append(" |\n");
    }
    return sb.toString();
  }

  private static String line(List<String> cells, int[] widths) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      if (i > 0) {
        sb.append("  ");
      }
      String c = cells.get(i);
      // numbers right-aligned, text left-aligned
      boolean numeric = c.matches("-?[0-9.]+%?x?");
      sb.append(numeric ? " ".repeat(widths[i] - c.length()) + c : c + " ".repeat(widths[i] - c.length()));
    }
    return sb.toString().stripTrailing();
  }

  public void writeCsv(Path file) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      StringBuilder sb = new StringBuilder(csvLine(header));
      for (List<String> r : rows) {
        sb.append(csvLine(r));
      }
      Files.writeString(file, sb.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private static String csvLine(List<String> cells) {
    List<String> quoted = new ArrayList<>();
    for (String c : cells) {
      quoted.add(c.contains(",") || c.contains("\"") ? "\"" + c.replace("\"", "\"\"") + "\"" : c);
    }
    return String.join(",", quoted) + "\n";
  }
}
