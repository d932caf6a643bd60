package io.deeppipe.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Collects the rows of one run and writes them as Markdown (for people) and JSON (raw figures). */
public final class Report {
  /**
   * One comparison. {@code ratio} is a median over rounds of a per-round ratio, oriented so that
   * the goal reads naturally (a time ratio for ingest, a speed ratio elsewhere; {@code measure} says which).
   */
  public record Row(
      String stage, String ours, Sample oursSample, String against, Sample againstSample,
      String measure, double ratio, double[] range, String goal, Boolean met, String note) {}

  private final List<Row> rows = new ArrayList<>();
  private final Map<Row, String> keys = new java.util.IdentityHashMap<>();
  private String stageKey = "";

  /** The harness stage ({@code --stages} name) that the rows added from now on belong to. */
  public synchronized void stage(String key) {
    stageKey = key;
  }
  private final Map<String, Object> data = new LinkedHashMap<>();
  private final Map<String, Object> extra = new LinkedHashMap<>();
  private final List<String> notes = new ArrayList<>();

  public synchronized void add(Row row) {
    rows.add(row);
    keys.put(row, stageKey);
  }

  /**
   * Adds the rows of {@code stage} from the JSON of an earlier run (bin/bench --merge), saying
   * when they were measured; returns whether there were any.
   */
  @SuppressWarnings("unchecked")
  public synchronized boolean merge(Path json, String stage) throws IOException {
    Map<String, Object> old = new ObjectMapper().readValue(json.toFile(), Map.class);
    boolean any = false;
    if (old.get("data") instanceof Map<?, ?> d) {
      ((Map<String, Object>) d).forEach(data::putIfAbsent);
    }
    for (Map<String, Object> m : (List<Map<String, Object>>) old.get("rows")) {
      String was = m.get("note") == null ? "" : (String) m.get("note");
      if (!stage.equals(m.getOrDefault("stage_key", m.get("stage"))) || "not measured".equals(m.get("measure"))) {
        continue;
      }
      // a row that run merged itself keeps the note of the run that measured it
      boolean mergedThere = was.contains("(measured in the run started ");
      Number ratio = (Number) m.get("ratio");
      Number lo = (Number) m.get("ratio_min");
      Number hi = (Number) m.get("ratio_max");
      String note = mergedThere ? was : (was.isEmpty() ? "" : was + " ")
          + "(measured in the run started " + old.get("started") + ": `" + old.get("command") + "`)";
      stage(stage);
      add(new Row((String) m.get("stage"), (String) m.get("ours"), sample((Map<String, Object>) m.get("ours_seconds")),
          (String) m.get("against"), sample((Map<String, Object>) m.get("against_seconds")), (String) m.get("measure"),
          ratio == null ? Double.NaN : ratio.doubleValue(),
          lo == null ? null : new double[] {lo.doubleValue(), hi.doubleValue()}, (String) m.get("goal"),
          (Boolean) m.get("met"), note));
      any = true;
    }
    return any;
  }

  @SuppressWarnings("unchecked")
  private static Sample sample(Map<String, Object> m) {
    if (m == null) {
      return null;
    }
    Sample s = new Sample((String) m.get("name"));
    for (Object v : (List<Object>) m.get("seconds")) {
      s.add(((Number) v).doubleValue());
    }
    return s;
  }

  /** A stage that produced no figure: listed as not measured, with why. */
  public synchronized void notMeasured(String stage, String why) {
    Row row = new Row(stage, "—", null, "—", null, "not measured", Double.NaN, null, "—", null, why);
    rows.add(row);
    keys.put(row, stage);
  }

  public synchronized void data(String key, Object value) {
    data.put(key, value);
  }

  public synchronized void extra(String key, Object value) {
    extra.put(key, value);
  }

  public synchronized void note(String text) {
    notes.add(text);
  }

  public List<Row> rows() {
    return rows;
  }

  public static String fmt(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return "n/a";
    }
    double a = Math.abs(v);
    return String.format(Locale.ROOT, a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : a >= 0.1 ? "%.2f" : "%.3f", v);
  }

  public void writeJson(Path file, Map<String, Object> run) throws IOException {
    Map<String, Object> root = new LinkedHashMap<>(run);
    root.put("data", data);
    List<Map<String, Object>> out = new ArrayList<>();
    for (Row r : rows) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("stage", r.stage());
      m.put("stage_key", keys.get(r));
      m.put("ours", r.ours());
      m.put("ours_seconds", r.oursSample() == null ? null : r.oursSample().toJson());
      m.put("against", r.against());
      m.put("against_seconds", r.againstSample() == null ? null : r.againstSample().toJson());
      m.put("measure", r.measure());
      m.put("ratio", Double.isNaN(r.ratio()) ? null : r.ratio());
      m.put("ratio_min", r.range() == null ? null : r.range()[0]);
      m.put("ratio_max", r.range() == null ? null : r.range()[1]);
      m.put("goal", r.goal());
      m.put("met", r.met());
      m.put("note", r.note());
      out.add(m);
    }
    root.put("rows", out);
    root.put("extra", extra);
    root.put("notes", notes);
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root) + "\n");
  }

  /** The generated part of BENCHMARKS.md: run facts, the table, per-stage notes. */
  public String markdown(Map<String, Object> run) {
    StringBuilder sb = new StringBuilder();
    sb.append("| stage | ours | against | ours: median (min–max, rounds) | against: median (min–max, rounds) | measure | ratio (range) | goal | met |\n");
    sb.append("|---|---|---|---|---|---|---|---|---|\n");
    for (Row r : rows) {
      sb.append("| ").append(r.stage())
          .append(" | ").append(r.ours())
          .append(" | ").append(r.against())
          .append(" | ").append(r.oursSample() == null ? "—" : r.oursSample().describe())
          .append(" | ").append(r.againstSample() == null ? "—" : r.againstSample().describe())
          .append(" | ").append(r.measure())
          .append(" | ").append(Double.isNaN(r.ratio()) ? "—"
              : "**" + fmt(r.ratio()) + "×**" + (r.range() == null ? "" : " (" + fmt(r.range()[0]) + "–" + fmt(r.range()[1]) + ")"))
          .append(" | ").append(r.goal())
          .append(" | ").append(r.met() == null ? "—" : r.met() ? "yes" : "**no**")
          .append(" |\n");
    }
    sb.append('\n');
    boolean any = false;
    for (Row r : rows) {
      if (r.note() != null && !r.note().isBlank()) {
        if (!any) {
          sb.append("Notes on the rows:\n\n");
          any = true;
        }
        sb.append("- **").append(r.stage()).append("** (").append(r.ours()).append("): ").append(r.note()).append('\n');
      }
    }
    if (!notes.isEmpty()) {
      sb.append('\n');
      for (String n : notes) {
        sb.append("- ").append(n).append('\n');
      }
    }
    sb.append("\nData:\n\n");
    for (var e : data.entrySet()) {
      sb.append("- ").append(e.getKey()).append(": ").append(e.getValue()).append('\n');
    }
    return sb.toString();
  }
}
