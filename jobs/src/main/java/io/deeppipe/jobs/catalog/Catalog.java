package io.deeppipe.jobs.catalog;

import java.util.List;
import java.util.Map;

/**
 * {@code catalog.json}: every output found under a root and how they derive from each other.
 *
 * @param unreadable how many items have an {@code error} (their card is missing parts, corrupt or
 *     truncated); they are still listed
 */
public record Catalog(int schemaVersion, String root, String created, int unreadable, List<Item> items,
    List<Edge> edges) {

  public static final int SCHEMA_VERSION = 1;
  public static final String FILE_NAME = "catalog.json";

  /** What an item is; the order is the lineage order (left to right in the graph). */
  public enum Kind {
    dataset,
    model,
    evaluation,
    predictions
  }

  /**
   * One output. {@code path} is the folder holding the card and {@code name} that folder's name;
   * {@code page} is its page, relative to the catalog folder. Only the fields that apply to the
   * kind are set.
   *
   * @param fingerprint datasets: the card's content fingerprint; models: the SHA-256 of the model
   *     file (recorded by train, else computed from the file); evaluations and predictions: the
   *     SHA-256 of their card
   * @param counts datasets: rows per split, rejected, duplicates, input; predictions: input,
   *     predicted, rejected
   * @param metrics evaluations: accuracy, macro F1, ...; models: best validation accuracy, epochs, ...
   * @param modelType models: the network (mlp, cnn, lstm, transformer) or the imported kind (onnx)
   * @param source the raw input this was made from, as its card records it (datasets; predictions
   *     of raw data)
   * @param staleLineage models: the dataset now at the recorded dataset path has another
   *     fingerprint than the one the model was trained on
   * @param error why the card cannot be read; the item is listed all the same
   */
  public record Item(String id, Kind kind, String path, String name, String page, String fingerprint,
      String created, Map<String, Long> counts, Map<String, Object> metrics, String modelType,
      String datasetFingerprint, String modelFingerprint, String datasetPath, String source,
      Boolean staleLineage, String staleReason, String error) {

    public boolean readable() {
      return error == null;
    }
  }

  /**
   * {@code from} → {@code to}, both paths ({@code from} is the raw input's URI when
   * {@code fromKind} is "raw"); {@code via} says which recorded value matched: a fingerprint, or
   * for raw input the source the card names.
   */
  public record Edge(String from, String to, String fromKind, String toKind, String via) {}
}
