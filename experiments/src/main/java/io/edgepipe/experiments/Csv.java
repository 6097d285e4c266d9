package io.edgepipe.experiments;

import io.edgepipe.harness.report.Table;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A CSV file as {@link Table#writeCsv} writes it (header line, comma separated, a cell quoted
 * when it holds a comma or a quote), read back as rows keyed by column name. Numbers are read
 * leniently: {@code -}, empty and anything unparsable are NaN.
 */
public record Csv(List<String> header, List<Map<String, String>> rows) {

  public static Csv read(Path file) {
    try {
      return parse(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /** The file if it exists. */
  public static Optional<Csv> readIfPresent(Path file) {
    return Files.isRegularFile(file) ? Optional.of(read(file)) : Optional.empty();
  }

  public static Csv parse(String text) {
    List<List<String>> lines = new ArrayList<>();
    for (String line : text.split("\r?\n")) {
      if (!line.isBlank()) {
        lines.add(split(line));
      }
    }
    if (lines.isEmpty()) {
      return new Csv(List.of(), List.of());
    }
    List<String> header = lines.get(0);
    List<Map<String, String>> rows = new ArrayList<>();
    for (List<String> cells : lines.subList(1, lines.size())) {
      Map<String, String> row = new LinkedHashMap<>();
      for (int i = 0; i < header.size(); i++) {
        row.put(header.get(i), i < cells.size() ? cells.get(i) : "");
      }
      rows.add(row);
    }
    return new Csv(List.copyOf(header), List.copyOf(rows));
  }

  private static List<String> split(String line) {
    List<String> cells = new ArrayList<>();
    StringBuilder cell = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          cell.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          cell.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        cells.add(cell.toString());
        cell.setLength(0);
      } else {
        cell.append(c);
      }
    }
    cells.add(cell.toString());
    return cells;
  }

  public boolean isEmpty() {
    return rows.isEmpty();
  }

  public List<Map<String, String>> where(Predicate<Map<String, String>> test) {
    return rows.stream().filter(test).toList();
  }

  /** Distinct values of a column, in order of first appearance. */
  public List<String> distinct(String column) {
    return rows.stream().map(r -> r.getOrDefault(column, "")).distinct().toList();
  }

  public List<String> distinct(CsvColumn column) {
    return distinct(column.header());
  }

  public static double num(Map<String, String> row, CsvColumn column) {
    return num(row, column.header());
  }

  public static String str(Map<String, String> row, CsvColumn column) {
    return str(row, column.header());
  }

  public static double num(Map<String, String> row, String column) {
    String v = row.get(column);
    if (v == null) {
      return Double.NaN;
    }
    v = v.trim().replace("%", "");
    if (v.startsWith("+")) {
      v = v.substring(1);
    }
    try {
      return Double.parseDouble(v);
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  public static String str(Map<String, String> row, String column) {
    return row.getOrDefault(column, "");
  }

  /** A key,value file (meta.csv) as a map. */
  public Map<String, String> asMap() {
    Map<String, String> map = new LinkedHashMap<>();
    for (Map<String, String> r : rows) {
      map.put(r.getOrDefault("key", ""), r.getOrDefault("value", ""));
    }
    return map;
  }

  /** Yes-like cell values. */
  public static boolean yes(String v) {
    return switch (v.trim().toLowerCase(Locale.ROOT)) {
      case "yes", "true", "ok", "1" -> true;
      default -> false;
    };
  }
}
