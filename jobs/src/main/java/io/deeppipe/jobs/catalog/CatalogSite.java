package io.deeppipe.jobs.catalog;

import static io.deeppipe.jobs.catalog.Svg.esc;

import com.fasterxml.jackson.databind.JsonNode;
import io.deeppipe.jobs.catalog.Catalog.Edge;
import io.deeppipe.jobs.catalog.Catalog.Item;
import io.deeppipe.jobs.catalog.Catalog.Kind;
import io.deeppipe.jobs.catalog.CatalogScanner.Entry;
import io.deeppipe.jobs.catalog.ItemDetails.Details;
import io.deeppipe.jobs.catalog.ItemDetails.Sample;
import io.deeppipe.models.train.ModelDir;
import io.deeppipe.transforms.SplitAssigner;
import io.deeppipe.transforms.card.Cards;
import io.deeppipe.transforms.io.Storage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * Writes {@code catalog.json}, {@code index.html} and one page per item ({@code items/ID.html},
 * with copied plots under {@code files/ID/}) into a folder. Pages are plain HTML with inline CSS
 * and SVG; the only script is a few inline lines that mark an image that failed to load, so the
 * site opens from file:// offline.
 */
public final class CatalogSite {
  private static final String EVALUATION_PLOT = "confusion.png";

  private final Configuration conf;
  private final Path dir;

  /** Writes into {@code dir} (a staged folder that the caller publishes). */
  public CatalogSite(Path dir, Configuration conf) {
    this.dir = dir;
    this.conf = conf;
  }

  public void write(Catalog catalog, List<Entry> entries, Function<Entry, Details> details) {
    Storage.writeString(new Path(dir, Catalog.FILE_NAME), Cards.toJson(catalog) + "\n", conf);
    Storage.writeString(new Path(dir, "index.html"), index(catalog), conf);
    for (Entry e : entries) {
      Storage.writeString(new Path(dir, e.item().page()), page(catalog, e, details.apply(e)), conf);
    }
  }

  private String index(Catalog catalog) {
    StringBuilder h = head("deeppipe catalog", "");
    h.append("<h1>Catalog</h1><p>Root <code>").append(esc(catalog.root())).append("</code>, written ")
        .append(esc(catalog.created())).append(". ").append(catalog.items().size()).append(" items");
    if (catalog.unreadable() > 0) {
      h.append(", <span class=\"error\">").append(catalog.unreadable()).append(" unreadable</span>");
    }
    h.append(".</p>");
    for (Kind kind : Kind.values()) {
      // readable items first: the unreadable ones follow with their reasons
      List<Item> items = catalog.items().stream().filter(i -> i.kind() == kind)
          .sorted(java.util.Comparator.comparing((Item i) -> !i.readable())).toList();
      h.append("<h2>").append(kind == Kind.predictions ? "Predictions" : capital(kind.name()) + "s").append(" (")
          .append(items.size()).append(")</h2>");
      if (items.isEmpty()) {
        h.append("<p>none</p>");
        continue;
      }
      h.append("<table class=\"items\"><tr><th>name</th><th>kind</th><th>summary</th><th>fingerprint</th>"
          + "<th>created</th><th>path under the root</th></tr>");
      for (Item i : items) {
        h.append("<tr class=\"item\" data-kind=\"").append(kind).append("\" data-path=\"").append(esc(i.path()))
            .append("\"><td><a class=\"item-link\" href=\"").append(esc(i.page())).append("\">").append(esc(i.name()))
            .append("</a></td><td>").append(kind).append("</td><td>").append(summary(i)).append("</td><td><code>")
            .append(esc(i.fingerprint() == null ? "" : CatalogScanner.shortFp(i.fingerprint()))).append("</code></td><td>")
            .append(esc(shortTime(i.created()))).append("</td><td><code title=\"").append(esc(i.path())).append("\">")
            .append(esc(relative(catalog.root(), i.path()))).append("</code></td></tr>");
      }
      h.append("</table>");
    }
    h.append("<h2>Lineage</h2>").append(graph(catalog, catalog.items(), null));
    return foot(h);
  }

  private static String summary(Item i) {
    if (!i.readable()) {
      return "<span class=\"error\">unreadable: " + esc(i.error()) + "</span>";
    }
    StringBuilder s = new StringBuilder();
    if (i.modelType() != null) {
      s.append(esc(i.modelType())).append(' ');
    }
    if (i.metrics() != null) {
      i.metrics().forEach((k, v) -> s.append(esc(k)).append(' ').append(esc(number(v))).append(' '));
    }
    if (i.counts() != null) {
      i.counts().forEach((k, v) -> s.append(esc(k)).append(' ').append(v).append(' '));
    }
    if (Boolean.TRUE.equals(i.staleLineage())) {
      s.append("<span class=\"stale\">stale lineage</span>");
    }
    return s.toString().trim();
  }

  private String page(Catalog catalog, Entry entry, Details details) {
    Item i = entry.item();
    StringBuilder h = head(i.kind() + " " + i.name(), "../");
    h.append("<p><a href=\"../index.html\">← catalog</a></p><h1>").append(esc(i.name())).append(" <small>")
        .append(i.kind()).append("</small></h1>");
    h.append("<table class=\"facts\">");
    fact(h, "path", "<code>" + esc(i.path()) + "</code>");
    fact(h, "fingerprint", i.fingerprint() == null ? null : "<code>" + esc(i.fingerprint()) + "</code>");
    fact(h, "created", esc(i.created()));
    fact(h, "model type", esc(i.modelType()));
    fact(h, "trained on (recorded path)", i.datasetPath() == null ? null : "<code>" + esc(i.datasetPath()) + "</code>");
    fact(h, "dataset fingerprint", i.datasetFingerprint() == null ? null : "<code>" + esc(i.datasetFingerprint()) + "</code>");
    fact(h, "model fingerprint", i.modelFingerprint() == null ? null : "<code>" + esc(i.modelFingerprint()) + "</code>");
    fact(h, "raw input", i.source() == null ? null : "<code>" + esc(i.source()) + "</code>");
    h.append("</table>");
    if (!i.readable()) {
      h.append("<p class=\"error\" id=\"error\">This card cannot be read: ").append(esc(i.error())).append("</p>");
    }
    if (Boolean.TRUE.equals(i.staleLineage())) {
      h.append("<p class=\"stale\" id=\"stale\">Stale lineage: ").append(esc(i.staleReason())).append("</p>");
    }
    for (String problem : details.problems()) {
      h.append("<p class=\"error\">").append(esc(problem)).append("</p>");
    }
    if (i.readable()) {
      JsonNode card = entry.card();
      switch (i.kind()) {
        case dataset -> dataset(h, i, card, details);
        case model -> model(h, i, card);
        case evaluation -> evaluation(h, i, card);
        case predictions -> predictions(h, i, card, details);
      }
    }
    h.append("<h2>Lineage</h2>").append(graph(catalog, component(catalog, i), i.path()));
    h.append("<h2>Card</h2>");
    h.append(entry.cardText() == null ? "<p>(no text)</p>" : "<pre class=\"card\">" + esc(entry.cardText()) + "</pre>");
    return foot(h);
  }

  private static void dataset(StringBuilder h, Item i, JsonNode card, Details details) {
    Map<String, Long> splits = new LinkedHashMap<>();
    for (String split : SplitAssigner.SPLITS) {
      splits.put(split, i.counts().getOrDefault(split, 0L));
    }
    splits.put("rejected", i.counts().getOrDefault("rejected", 0L));
    splits.put("duplicates", i.counts().getOrDefault("duplicates", 0L));
    h.append("<h2>Counts per split</h2>").append(Svg.bars("rows per split", splits));
    if (!details.labelCounts().isEmpty()) {
      h.append("<h2>Counts per label</h2>").append(Svg.stackedBars("rows per label and split", details.labelCounts(),
          SplitAssigner.SPLITS));
    }
    rejectedReasons(h, card);
    samples(h, "Sample rows", details.samples());
    samples(h, "Rejected records", details.rejected());
  }

  private static void rejectedReasons(StringBuilder h, JsonNode card) {
    Map<String, Long> reasons = new LinkedHashMap<>();
    card.path("rejected_by_reason").fields().forEachRemaining(f -> reasons.put(f.getKey(), f.getValue().asLong()));
    h.append("<h2>Rejected reasons</h2>");
    h.append(reasons.isEmpty() ? "<p>nothing rejected</p>" : Svg.bars("rejected records per reason", reasons));
  }

  private void model(StringBuilder h, Item i, JsonNode card) {
    List<Double> loss = new ArrayList<>();
    List<Double> accuracy = new ArrayList<>();
    for (JsonNode epoch : card.path("epochs")) {
      loss.add(epoch.path("train_loss").isNumber() ? epoch.get("train_loss").asDouble() : Double.NaN);
      accuracy.add(epoch.path("validation_accuracy").isNumber() ? epoch.get("validation_accuracy").asDouble() : Double.NaN);
    }
    if (!loss.isEmpty()) {
      h.append("<h2>Training curves</h2><div class=\"row\">").append(Svg.line("train loss", loss, Svg.COLORS[3]))
          .append(Svg.line("validation accuracy", accuracy, Svg.COLORS[2])).append("</div>");
    }
    copiedImage(h, i, ModelDir.CURVES, "training curves as plotted by train");
    metrics(h, i);
    if (card.path("hyper_parameters").isObject()) {
      h.append("<h2>Hyper-parameters</h2><table class=\"facts\">");
      card.get("hyper_parameters").fields().forEachRemaining(f -> fact(h, f.getKey(), esc(f.getValue().asText())));
      h.append("</table>");
    }
  }

  private void evaluation(StringBuilder h, Item i, JsonNode card) {
    metrics(h, i);
    JsonNode perClass = card.path("per_class");
    if (perClass.isObject()) {
      h.append("<h2>Per class</h2><table class=\"grid\"><tr><th>class</th><th>precision</th><th>recall</th>"
          + "<th>F1</th><th>support</th></tr>");
      perClass.fields().forEachRemaining(f -> h.append("<tr><td>").append(esc(f.getKey())).append("</td><td>")
          .append(number(f.getValue().path("precision").asDouble())).append("</td><td>")
          .append(number(f.getValue().path("recall").asDouble())).append("</td><td>")
          .append(number(f.getValue().path("f1").asDouble())).append("</td><td>")
          .append(f.getValue().path("support").asLong()).append("</td></tr>"));
      h.append("</table>");
    }
    List<String> labels = new ArrayList<>();
    card.path("labels").forEach(l -> labels.add(l.asText()));
    List<List<Long>> matrix = new ArrayList<>();
    card.path("confusion_matrix").forEach(row -> {
      List<Long> r = new ArrayList<>();
      row.forEach(v -> r.add(v.asLong()));
      matrix.add(r);
    });
    if (!labels.isEmpty() && matrix.size() == labels.size()
        && matrix.stream().allMatch(r -> r.size() == labels.size())) {
      h.append("<h2>Confusion matrix</h2>").append(Svg.confusion(labels, matrix));
    }
    copiedImage(h, i, EVALUATION_PLOT, "confusion matrix as plotted by evaluate");
  }

  private static void predictions(StringBuilder h, Item i, JsonNode card, Details details) {
    h.append("<h2>Counts</h2>").append(Svg.bars("records", i.counts()));
    if (!details.labelCounts().isEmpty()) {
      h.append("<h2>Predicted labels</h2>").append(Svg.stackedBars("rows per predicted label", details.labelCounts(),
          List.of("predicted")));
    }
    rejectedReasons(h, card);
    samples(h, "Sample predictions", details.samples());
    samples(h, "Rejected records", details.rejected());
  }

  private static void metrics(StringBuilder h, Item i) {
    if (i.metrics() == null || i.metrics().isEmpty()) {
      return;
    }
    h.append("<h2>Metrics</h2><table class=\"facts metrics\">");
    i.metrics().forEach((k, v) -> fact(h, k, esc(number(v))));
    h.append("</table>");
  }

  private static void samples(StringBuilder h, String title, List<Sample> samples) {
    if (samples.isEmpty()) {
      return;
    }
    h.append("<h2>").append(esc(title)).append("</h2><table class=\"grid samples\"><tr>");
    boolean images = samples.stream().anyMatch(s -> s.thumbnail() != null);
    if (images) {
      h.append("<th>image</th>");
    }
    samples.get(0).fields().keySet().forEach(k -> h.append("<th>").append(esc(k)).append("</th>"));
    h.append("</tr>");
    for (Sample s : samples) {
      h.append("<tr>");
      if (images) {
        h.append("<td>").append(s.thumbnail() == null ? "" : "<img class=\"thumb\" alt=\"sample\" src=\"" + s.thumbnail() + "\">")
            .append("</td>");
      }
      s.fields().values().forEach(v -> h.append("<td>").append(esc(v)).append("</td>"));
      h.append("</tr>");
    }
    h.append("</table>");
  }

  /** Copies a plot the job wrote beside the card into files/ID/ and shows it; a missing one is skipped. */
  private void copiedImage(StringBuilder h, Item i, String file, String alt) {
    Path source = new Path(i.path(), file);
    try {
      if (!Storage.exists(source, conf)) {
        return;
      }
      String relative = "files/" + i.id() + "/" + file;
      Storage.writeBytes(new Path(dir, relative), Storage.readBytes(source, conf), conf);
      h.append("<p><img class=\"plot\" alt=\"").append(esc(alt)).append("\" src=\"../").append(esc(relative)).append("\"></p>");
    } catch (RuntimeException e) {
      h.append("<p class=\"error\">").append(esc(source + " cannot be copied: " + e.getMessage())).append("</p>");
    }
  }

  /** The items connected to {@code item} through edges, in either direction. */
  private static List<Item> component(Catalog catalog, Item item) {
    Set<String> seen = new HashSet<>();
    Deque<String> todo = new ArrayDeque<>(List.of(item.path()));
    while (!todo.isEmpty()) {
      String p = todo.pop();
      if (!seen.add(p)) {
        continue;
      }
      for (Edge e : catalog.edges()) {
        if (e.from().equals(p)) {
          todo.push(e.to());
        } else if (e.to().equals(p)) {
          todo.push(e.from());
        }
      }
    }
    return catalog.items().stream().filter(i -> seen.contains(i.path())).toList();
  }

  /** The lineage graph of {@code items} and their raw inputs; {@code focus} null on the index, else the page's item. */
  private static String graph(Catalog catalog, List<Item> items, String focus) {
    String prefix = focus == null ? "" : "../";
    Set<String> paths = new HashSet<>();
    List<Svg.Node> nodes = new ArrayList<>();
    for (Item i : items) {
      paths.add(i.path());
      nodes.add(new Svg.Node(i.path(), i.name() + (i.readable() ? "" : " (unreadable)"), i.kind().name(),
          prefix + i.page(), Boolean.TRUE.equals(i.staleLineage()) || !i.readable()));
    }
    List<String[]> edges = new ArrayList<>();
    Set<String> raw = new HashSet<>();
    for (Edge e : catalog.edges()) {
      if (!paths.contains(e.to())) {
        continue;
      }
      if ("raw".equals(e.fromKind()) && raw.add(e.from())) {
        nodes.add(new Svg.Node(e.from(), new Path(e.from()).getName(), "raw", null, false));
      }
      edges.add(new String[] {e.from(), e.to(), e.via()});
    }
    nodes.sort(java.util.Comparator.comparing(Svg.Node::key));
    return Svg.lineage(nodes, edges, focus);
  }

  /** {@code 2026-01-02T03:04:05.678Z} as {@code 2026-01-02 03:04} (the page of the item has it all). */
  private static String shortTime(String created) {
    return created != null && created.length() >= 16 ? created.substring(0, 16).replace('T', ' ') : created;
  }

  private static String relative(String root, String path) {
    return path.startsWith(root + "/") ? path.substring(root.length() + 1) : path;
  }

  private static void fact(StringBuilder h, String name, String html) {
    if (html != null && !html.isEmpty()) {
      h.append("<tr><th>").append(esc(name)).append("</th><td>").append(html).append("</td></tr>");
    }
  }

  private static String number(Object v) {
    return v instanceof Double d ? String.format(Locale.ROOT, "%.4f", d) : String.valueOf(v);
  }

  private static String capital(String s) {
    return Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }

  private static StringBuilder head(String title, String up) {
    return new StringBuilder("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
        .append(esc(title)).append("</title><style>")
        .append("body{font-family:sans-serif;margin:1.5em auto;max-width:1100px;padding:0 1em;color:#222}")
        .append("table{border-collapse:collapse;margin:.5em 0}th,td{text-align:left;padding:3px 8px;vertical-align:top}")
        .append("table.items td,table.items th,table.grid td,table.grid th{border-bottom:1px solid #ddd}")
        .append("table.facts th{color:#555;font-weight:normal}code{font-size:90%}table.items code{white-space:nowrap}table.facts code{overflow-wrap:anywhere}small{color:#777}")
        .append(".error{color:#b71c1c}.stale{color:#fff;background:#c62828;padding:2px 6px;border-radius:3px}")
        .append("pre.card{background:#f6f8fa;padding:1em;overflow:auto;max-height:30em}")
        .append("img.thumb{width:56px;height:56px;image-rendering:pixelated}img.plot{max-width:640px}")
        .append(".row{display:flex;gap:1em;flex-wrap:wrap}svg{max-width:100%;height:auto}")
        .append("img.broken{outline:3px solid #c62828}")
        .append("</style></head><body>");
  }

  /** Closes the page; the inline script marks images that failed to load (and lets a test see it). */
  private static String foot(StringBuilder h) {
    return h.append("<script>window.addEventListener('load',function(){for(const img of document.images){"
        + "const ok=img.complete&&img.naturalWidth>0;img.dataset.loaded=ok?'ok':'broken';"
        + "if(!ok){img.classList.add('broken');}}});</script></body></html>\n").toString();
  }
}
