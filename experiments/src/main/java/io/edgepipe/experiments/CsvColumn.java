package io.edgepipe.experiments;

import io.edgepipe.harness.report.Table;
import java.util.Arrays;
import java.util.Locale;

/**
 * One column of an experiment's CSV file. Each experiment declares its columns once, as an enum
 * implementing this, in the order it writes them; the same constants name the cells its report
 * section reads back, so a column renamed in one place is renamed everywhere.
 */
public interface CsvColumn {
  /** The enum constant's name (implemented by every enum). */
  String name();

  /** The column's name in the CSV header: the constant's name in lower case. */
  default String header() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** An empty table with these columns, in this order, as the experiment writes it. */
  static Table table(CsvColumn[] columns) {
    return new Table(Arrays.stream(columns).map(CsvColumn::header).toArray(String[]::new));
  }
}
