package io.deeppipe.jobs.catalog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.deeppipe.jobs.catalog.Catalog.Edge;
import io.deeppipe.jobs.catalog.Catalog.Item;
import io.deeppipe.jobs.catalog.Catalog.Kind;
import io.deeppipe.models.infer.BatchPredict;
import io.deeppipe.models.infer.Evaluator;
import io.deeppipe.models.train.ModelDir;
import io.deeppipe.transforms.Fingerprint;
import io.deeppipe.transforms.card.Cards;
import io.deeppipe.transforms.card.DatasetCard;
import io.deeppipe.transforms.card.Json;
import io.deeppipe.transforms.card.ModelCard;
import io.deeppipe.transforms.io.Storage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Finds the cards under a root on any Hadoop file system and reads each one on its own: whatever
 * is wrong with one card (truncated, corrupt, a foreign schema version, a missing model file)
 * becomes that item's {@code error}, never a failure of the catalog. Folders whose name starts
 * with '.' or '_' are skipped (unpublished temporary outputs, Spark's markers), and a folder holding
 * a card is not searched further (outputs do not nest; a dataset's Parquet parts are not listed).
 */
public final class CatalogScanner {
  /** The card file of each kind. */
  static final Map<String, Kind> CARD_FILES = Map.of(
      DatasetCard.FILE_NAME, Kind.dataset,
      ModelCard.FILE_NAME, Kind.model,
      Evaluator.METRICS, Kind.evaluation,
      BatchPredict.SUMMARY, Kind.predictions);
  /** Imported models (ONNX) name their kind in model.json; DL4J cards predate the field. */
  static final String ONNX = "onnx";
  static final String ONNX_FILE = "model.onnx";
  /** Deep enough for any layout people use, shallow enough to stop a link loop. */
  private static final int MAX_DEPTH = 32;

  /** A card as read: the catalog item, and the card's text and tree for its page (null when unreadable). */
  public record Entry(Item item, String cardText, JsonNode card) {}

  private final Configuration conf;

  public CatalogScanner(Configuration conf) {
    this.conf = conf;
  }

  /** Every card under {@code root}, in path order, each read (or failed) on its own. */
  public List<Entry> scan(Path root) {
    List<Entry> entries = new ArrayList<>();
    FileSystem fs = Storage.fs(root, conf);
    walk(fs, fs.makeQualified(root), 0, entries);
    entries.sort(Comparator.comparing((Entry e) -> e.item().kind()).thenComparing(e -> e.item().path()));
    return entries;
  }

  private void walk(FileSystem fs, Path dir, int depth, List<Entry> entries) {
    FileStatus[] children;
    try {
      children = fs.listStatus(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
    List<Path> subdirs = new ArrayList<>();
    boolean holdsCard = false;
    for (FileStatus child : children) {
      String name = child.getPath().getName();
      if (child.isDirectory()) {
        if (!name.startsWith(".") && !name.startsWith("_")) {
          subdirs.add(child.getPath());
        }
      } else if (CARD_FILES.containsKey(name)) {
        holdsCard = true;
        entries.add(read(CARD_FILES.get(name), dir, child.getPath()));
      }
    }
    if (!holdsCard && depth < MAX_DEPTH) {
      subdirs.sort(Comparator.naturalOrder());
      for (Path sub : subdirs) {
        walk(fs, sub, depth + 1, entries);
      }
    }
  }

  /** Reads one card; any problem becomes the item's error. */
  Entry read(Kind kind, Path dir, Path file) {
    String text = null;
    JsonNode tree = null;
    try {
      text = Storage.readString(file, conf);
      tree = tree(file, text);
      Item item = switch (kind) {
        case dataset -> dataset(dir, tree);
        case model -> model(dir, file, tree);
        case evaluation -> evaluation(dir, file, tree, text);
        case predictions -> predictions(dir, file, tree, text);
      };
      return new Entry(item, text, tree);
    } catch (RuntimeException e) {
      String reason = e.getMessage() == null ? e.toString() : e.getMessage();
      return new Entry(item(kind, dir, null, null, null, null, null, null, null, null, null, null, null, reason),
          text, tree);
    }
  }

  private static JsonNode tree(Path file, String text) {
    if (text.isBlank()) {
      throw new IllegalArgumentException(file + " is empty");
    }
    try {
      JsonNode tree = Json.mapper().readTree(text);
      if (tree == null || !tree.isObject()) {
        throw new IllegalArgumentException(file + " is not a JSON object");
      }
      return tree;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(file + " is not valid JSON (truncated or corrupt): " + e.getOriginalMessage());
    }
  }

  private Item dataset(Path dir, JsonNode tree) {
    DatasetCard card = Cards.readDataset(dir, conf); // the strict reader every job uses
    Map<String, Long> counts = new LinkedHashMap<>(card.counts());
    counts.put("duplicates", card.duplicatesRemoved());
    counts.put("input", card.inputRecords());
    return item(Kind.dataset, dir, card.fingerprint(), card.created(), counts, null, null, null, null, null,
        card.source(), null, null, null);
  }

  private Item model(Path dir, Path file, JsonNode tree) {
    String kind = text(tree, "kind");
    boolean imported = ONNX.equalsIgnoreCase(kind);
    if (!imported) {
      Cards.readModel(dir, conf); // a DL4J card: the strict reader predict and evaluate use
    }
    Path modelFile = modelFile(dir, tree, imported);
    String fingerprint = text(tree, "fingerprint");
    if (!Storage.exists(modelFile, conf)) {
      throw new IllegalArgumentException(file + " names no model file that exists: " + modelFile + " is missing");
    }
    if (fingerprint == null) {
      // a card from before train recorded it: the file's own digest is the same value
      fingerprint = Fingerprint.ofFile(modelFile, conf);
    }
    Map<String, Object> metrics = new LinkedHashMap<>();
    putNumber(metrics, tree, "best_validation_accuracy");
    putNumber(metrics, tree, "best_epoch");
    putNumber(metrics, tree, "parameters");
    putNumber(metrics, tree, "wall_time_ms");
    if (tree.path("epochs").isArray()) {
      metrics.put("epochs", tree.get("epochs").size());
    }
    String type = imported ? ONNX : text(tree, "model");
    String datasetFingerprint = text(tree, "dataset_fingerprint");
    String datasetPath = text(tree, "dataset_path");
    String stale = staleReason(datasetPath, datasetFingerprint);
    return item(Kind.model, dir, fingerprint, text(tree, "created"), null, metrics, type, datasetFingerprint, null,
        datasetPath, null, datasetPath == null ? null : stale != null, stale, null);
  }

  /** The model file a card describes: the one it names, else model.onnx for ONNX, else model.zip. */
  private Path modelFile(Path dir, JsonNode tree, boolean imported) {
    for (String field : List.of("model_file", "file")) {
      String named = text(tree, field);
      if (named != null && !named.contains("/") && !named.contains("..")) {
        return new Path(dir, named);
      }
    }
    if (imported || !Storage.exists(new Path(dir, ModelDir.MODEL), conf) && Storage.exists(new Path(dir, ONNX_FILE), conf)) {
      return new Path(dir, ONNX_FILE);
    }
    return new Path(dir, ModelDir.MODEL);
  }

  /**
   * Why the lineage of a model trained on {@code datasetPath} is stale: the dataset there now has
   * another fingerprint (re-ingested with other data or options). Null when it still matches, or
   * when nothing readable is there to compare with.
   */
  private String staleReason(String datasetPath, String recorded) {
    if (datasetPath == null || recorded == null) {
      return null;
    }
    try {
      Path card = new Path(datasetPath, DatasetCard.FILE_NAME);
      if (!Storage.exists(card, conf)) {
        return null;
      }
      String now = text(tree(card, Storage.readString(card, conf)), "fingerprint");
      return now == null || now.equals(recorded) ? null
          : "the dataset now at " + datasetPath + " has fingerprint " + shortFp(now) + ", but this model was trained on "
              + shortFp(recorded);
    } catch (RuntimeException e) {
      return null; // that dataset's own item says what is wrong with it
    }
  }

  private Item evaluation(Path dir, Path file, JsonNode tree, String text) {
    if (!tree.path("accuracy").isNumber()) {
      throw new IllegalArgumentException(file + " has no numeric accuracy: not an evaluation's metrics");
    }
    Map<String, Object> metrics = new LinkedHashMap<>();
    putNumber(metrics, tree, "accuracy");
    putNumber(metrics, tree, "macro_f1");
    putNumber(metrics, tree, "roc_auc");
    putNumber(metrics, tree, "count");
    if (text(tree, "split") != null) {
      metrics.put("split", text(tree, "split"));
    }
    return item(Kind.evaluation, dir, Fingerprint.sha256(text), text(tree, "created"), null, metrics, null,
        text(tree, "dataset_fingerprint"), text(tree, "model_fingerprint"), text(tree, "data"), null, null, null, null);
  }

  private Item predictions(Path dir, Path file, JsonNode tree, String text) {
    if (!tree.path("predicted").isNumber()) {
      throw new IllegalArgumentException(file + " has no numeric 'predicted' count: not a predictions summary");
    }
    Map<String, Long> counts = new LinkedHashMap<>();
    for (String key : List.of("input_records", "predicted", "rejected")) {
      if (tree.path(key).isNumber()) {
        counts.put(key, tree.get(key).asLong());
      }
    }
    String datasetFingerprint = text(tree, "dataset_fingerprint");
    return item(Kind.predictions, dir, Fingerprint.sha256(text), text(tree, "created"), counts, null, null,
        datasetFingerprint, text(tree, "model_fingerprint"), null, datasetFingerprint == null ? text(tree, "input") : null,
        null, null, null);
  }

  private static Item item(Kind kind, Path dir, String fingerprint, String created, Map<String, Long> counts,
      Map<String, Object> metrics, String modelType, String datasetFingerprint, String modelFingerprint,
      String datasetPath, String source, Boolean stale, String staleReason, String error) {
    String id = kind + "-" + slug(dir.getName()) + "-" + Fingerprint.sha256(dir.toString()).substring(0, 8);
    return new Item(id, kind, dir.toString(), dir.getName(), "items/" + id + ".html", fingerprint, created, counts,
        metrics, modelType, datasetFingerprint, modelFingerprint, datasetPath, source, stale, staleReason, error);
  }

  /**
   * The edges, matched only through recorded fingerprints: dataset → model (the model's
   * dataset_fingerprint), dataset → evaluation/predictions (their dataset_fingerprint), model →
   * evaluation/predictions (their model_fingerprint). A dataset copied under another name matches
   * as well as the original. Raw input → dataset/predictions comes from the source the card names.
   */
  public static List<Edge> edges(List<Item> items) {
    Map<String, List<Item>> datasets = new LinkedHashMap<>();
    Map<String, List<Item>> models = new LinkedHashMap<>();
    for (Item i : items) {
      if (i.readable() && i.fingerprint() != null && i.kind() == Kind.dataset) {
        datasets.computeIfAbsent(i.fingerprint(), k -> new ArrayList<>()).add(i);
      } else if (i.readable() && i.fingerprint() != null && i.kind() == Kind.model) {
        models.computeIfAbsent(i.fingerprint(), k -> new ArrayList<>()).add(i);
      }
    }
    Set<Edge> edges = new LinkedHashSet<>();
    for (Item i : items) {
      if (!i.readable()) {
        continue;
      }
      if (i.source() != null) {
        edges.add(new Edge(i.source(), i.path(), "raw", i.kind().name(), "source"));
      }
      if (i.datasetFingerprint() != null) {
        for (Item d : datasets.getOrDefault(i.datasetFingerprint(), List.of())) {
          edges.add(new Edge(d.path(), i.path(), "dataset", i.kind().name(), "dataset_fingerprint " + shortFp(d.fingerprint())));
        }
      }
      if (i.modelFingerprint() != null) {
        for (Item m : models.getOrDefault(i.modelFingerprint(), List.of())) {
          edges.add(new Edge(m.path(), i.path(), "model", i.kind().name(), "model_fingerprint " + shortFp(m.fingerprint())));
        }
      }
    }
    return new ArrayList<>(edges);
  }

  /** The catalog of the scanned entries. */
  public static Catalog catalog(Path root, List<Entry> entries) {
    List<Item> items = entries.stream().map(Entry::item).toList();
    int unreadable = (int) items.stream().filter(i -> !i.readable()).count();
    return new Catalog(Catalog.SCHEMA_VERSION, root.toString(), Instant.now().toString(), unreadable, items,
        edges(items));
  }

  static String shortFp(String fingerprint) {
    return fingerprint.length() > 12 ? fingerprint.substring(0, 12) : fingerprint;
  }

  private static String slug(String name) {
    String s = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
    return s.isEmpty() ? "item" : s.length() > 40 ? s.substring(0, 40) : s;
  }

  private static String text(JsonNode tree, String field) {
    JsonNode v = tree.get(field);
    return v != null && v.isTextual() ? v.asText() : null;
  }

  private static void putNumber(Map<String, Object> into, JsonNode tree, String field) {
    JsonNode v = tree.get(field);
    if (v != null && v.isNumber()) {
      into.put(field, v.isIntegralNumber() ? (Object) v.asLong() : (Object) v.asDouble());
    }
  }
}
