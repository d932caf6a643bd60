package io.deeppipe.transforms.card;

import java.util.List;
import java.util.Map;

/**
 * {@code dataset.json}: what an ingested dataset is. Written last; a directory without it is not
 * a dataset. {@code inputRecords == sum(counts) + duplicatesRemoved} holds by construction (the
 * counts come from one split of every input record into kept, rejected or duplicate).
 *
 * @param kind "text" or "image"
 * @param labels the sorted distinct labels of the kept records; position = {@code label_index}
 * @param counts rows per split ("train", "validation", "test") and "rejected"
 * @param schema column name to Spark SQL type, in column order
 * @param fingerprint hash of kept content, labels, vocabulary and preprocessing options
 * @param split the split fractions and the seed that assigned them
 */
public record DatasetCard(
    int schemaVersion,
    String kind,
    List<String> labels,
    Map<String, Long> counts,
    long inputRecords,
    Map<String, Long> rejectedByReason,
    long duplicatesRemoved,
    List<Column> schema,
    String fingerprint,
    String created,
    String source,
    SplitSpec split,
    TextSpec text,
    ImageSpec image) {

  public static final int SCHEMA_VERSION = 1;
  public static final String FILE_NAME = "dataset.json";
  public static final String KIND_TEXT = "text";
  public static final String KIND_IMAGE = "image";

  /** One output column. */
  public record Column(String name, String type) {}

  /** Split fractions and the seed of the id hash that assigns them. */
  public record SplitSpec(double train, double validation, double test, long seed) {}

  public long count(String split) {
    return counts.getOrDefault(split, 0L);
  }
}
