package io.edgepipe.planner.predict;

import java.util.List;

/** Left-aligned text columns padded to the widest cell, two spaces apart. */
final class TextTable {
  private TextTable() {}

  static String render(List<String> header, List<List<String>> rows) {
    int[] widths = new int[header.size()];
    for (int c = 0; c < header.size(); c++) {
      widths[c] = header.get(c).length();
      for (List<String> row : rows) {
        widths[c] = Math.max(widths[c], row.get(c).length());
      }
    }
    StringBuilder out = new StringBuilder();
    line(out, header, widths);
    for (List<String> row : rows) {
      line(out, row, widths);
    }
    return out.toString();
  }

  private static void line(StringBuilder out, List<String> cells, int[] widths) {
    StringBuilder line = new StringBuilder("  ");
    for (int c = 0; c < cells.size(); c++) {
      line.append(String.format("%-" + Math.max(1, widths[c]) + "s", cells.get(c)));
      if (c + 1 < cells.size()) {
        line.append("  ");
      }
    }
    out.append(line.toString().stripTrailing()).append('\n');
  }
}
