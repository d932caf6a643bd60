package io.deeppipe.jobs;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Stands in for the {@code z} that Zeppelin's Spark interpreter binds (its {@code ZeppelinContext}), with only the
 * methods the notes use and the same signatures: {@code textbox(name[, default])} returns the form's value as an
 * {@code Object}, {@code show(obj[, maxResult])} displays a Dataset. Any other {@code z} call in a note fails to
 * compile in {@link NotebooksIT}: add it here only with Zeppelin's own signature. Public because the REPL's code
 * calls it from another package.
 */
public final class ZeppelinContextStub {
  private final Map<String, String> forms = new LinkedHashMap<>();
  private final List<String> asked = new ArrayList<>();
  private final List<Dataset<?>> shown = new ArrayList<>();
  private PrintStream out = System.out;

  /** The values typed into the dynamic forms; a form without one gets its default, as in Zeppelin. */
  void fill(Map<String, String> values) {
    forms.clear();
    forms.putAll(values);
    asked.clear();
    shown.clear();
  }

  void output(PrintStream out) {
    this.out = out;
  }

  /** Form names the note asked for since {@link #fill}. */
  List<String> asked() {
    return asked;
  }

  /** Datasets the note showed since {@link #fill}. */
  List<Dataset<?>> shown() {
    return shown;
  }

  public Object textbox(String name) {
    return textbox(name, "");
  }

  public Object textbox(String name, String defaultValue) {
    asked.add(name);
    return forms.getOrDefault(name, defaultValue);
  }

  public void show(Object o) {
    show(o, 1000);
  }

  /**
   * As Zeppelin does: takes up to {@code maxResult + 1} rows (so the whole plan runs as far as a user's table needs)
   * and writes them as a {@code %table} of tab-separated values; here the first 20 rows are kept in the output.
   */
  public void show(Object o, int maxResult) {
    if (!(o instanceof Dataset<?> ds)) {
      throw new IllegalArgumentException("z.show of a " + (o == null ? "null" : o.getClass().getName())
          + ": Zeppelin's Spark interpreter shows only Datasets");
    }
    shown.add(ds);
    List<Row> rows = ds.toDF().limit(maxResult + 1).collectAsList();
    StringBuilder table = new StringBuilder("%table ").append(String.join("\t", ds.columns())).append('\n');
    for (Row r : rows.subList(0, Math.min(20, rows.size()))) {
      for (int i = 0; i < r.length(); i++) {
        table.append(i == 0 ? "" : "\t").append(r.get(i));
      }
      table.append('\n');
    }
    if (rows.size() > 20) {
      table.append("(").append(rows.size() - 20).append(" more rows)\n");
    }
    out.print(table);
  }
}
