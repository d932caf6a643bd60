package io.deeppipe.transforms;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.deeppipe.transforms.SplitAssigner.SplitFractions;
import io.deeppipe.transforms.io.DatasetWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;

/**
 * The steps both ingest jobs share once each record has been processed into a row with
 * {@code id}, {@code label}, a content hash, {@code source}, {@code record} and {@code reason}:
 * de-duplication, split assignment, labels, and the accounted write.
 */
public final class IngestSteps {
  public static final String ID = "id";
  public static final String LABEL = "label";
  public static final String LABEL_INDEX = "label_index";
  public static final String DUPLICATE = "duplicate";

  private IngestSteps() {}

  /**
   * Marks exact duplicates of {@code hashColumn} among good rows: of each group the row with the
   * smallest id (then source) is kept, so the choice does not depend on input order.
   */
  public static Dataset<Row> markDuplicates(Dataset<Row> good, String hashColumn, boolean dedup) {
    if (!dedup) {
      return good.withColumn(DUPLICATE, lit(false));
    }
    return good.withColumn(
            "dup_rank",
            row_number().over(Window.partitionBy(hashColumn).orderBy(col(ID), col(Outcomes.SOURCE))))
        .withColumn(DUPLICATE, col("dup_rank").gt(1))
        .drop("dup_rank");
  }

  /** How many records a job read, and how many of them passed every check. */
  public record Tally(long input, long good) {}

  /**
   * Counts the processed records and the good ones in one pass (which also fills {@code
   * processed}'s cache when it is persisted). The duplicates are then {@code good - kept} (minus the
   * near duplicates where those are removed too): counting them from the marked rows would run the
   * de-duplication shuffle a second time.
   */
  public static Tally tally(Dataset<Row> processed) {
    Row r = processed
        .agg(count(lit(1)), sum(when(Outcomes.isGood(), 1L).otherwise(0L)))
        .first();
    return new Tally(r.getLong(0), r.isNullAt(1) ? 0 : r.getLong(1));
  }

  /** The good, unique rows with their {@code split}. */
  public static Dataset<Row> keptWithSplits(Dataset<Row> marked, SplitFractions split, long seed) {
    return SplitAssigner.assign(marked.filter(col(DUPLICATE).equalTo(false)), ID, split, seed);
  }

  /**
   * The label of an input the Spark ML stages transform: {@code labelCol} as ingest reads labels
   * (trimmed, an empty label is no label), or null for every row when the input has no such column.
   */
  public static Column labelOf(org.apache.spark.sql.types.StructType schema, String labelCol) {
    return io.deeppipe.transforms.ml.Schemas.hasColumn(schema, labelCol)
        ? org.apache.spark.sql.functions.nullif(org.apache.spark.sql.functions.trim(col(labelCol)), lit(""))
        : lit(null).cast(DataTypes.StringType);
  }

  /** The sorted distinct labels of {@code rows}' {@code labelCol} as {@link #labelOf} reads it. */
  public static List<String> labels(Dataset<Row> rows, String labelCol) {
    return labels(rows.withColumn(LABEL, labelOf(rows.schema(), labelCol)));
  }

  /** The sorted distinct labels of the kept rows (few: only these reach the driver). */
  public static List<String> labels(Dataset<Row> kept) {
    return kept.select(LABEL).where(col(LABEL).isNotNull()).distinct().orderBy(LABEL)
        .collectAsList().stream().map(r -> r.getString(0)).toList();
  }

  /** {@code label_index}: the position of {@code label} in {@code labels}; null when unlabelled. */
  public static Column labelIndex(List<String> labels) {
    return labelIndex(labels, col(LABEL));
  }

  /** The position of {@code label} in {@code labels} as {@code label_index}; null when absent or unknown. */
  public static Column labelIndex(List<String> labels, Column label) {
    Column array =
        labels.isEmpty()
            ? org.apache.spark.sql.functions.array().cast(DataTypes.createArrayType(DataTypes.StringType))
            : org.apache.spark.sql.functions.array(labels.stream().map(org.apache.spark.sql.functions::lit).toArray(Column[]::new));
    Column idx = org.apache.spark.sql.functions.array_position(array, label).cast(DataTypes.IntegerType).minus(1);
    return org.apache.spark.sql.functions.when(idx.geq(0), idx);
  }

  /** What the accounted write produced. */
  public record Written(Map<String, Long> counts, Map<String, Long> rejectedByReason) {}

  /**
   * Writes the kept splits and the rejected rows, and checks that every input record is accounted
   * for: {@code input == train + validation + test + rejected + duplicates}, else it fails. An input
   * with no usable record is bad input (exit 2): nothing is published, the message gives the reasons.
   */
  public static Written write(
      DatasetWriter writer,
      Dataset<Row> kept,
      List<String> columns,
      boolean arrow,
      long rowGroupBytes,
      Dataset<Row> processed,
      long input,
      long duplicates,
      String inputDescription) {
    Map<String, Long> counts = new LinkedHashMap<>(writer.writeSplits(kept, columns, arrow, rowGroupBytes));
    Map<String, Long> rejectedByReason =
        writer.writeRejected(
            processed.filter(Outcomes.isRejected())
                .select(col(Outcomes.SOURCE), col(Outcomes.RECORD), col(Outcomes.REASON)));
    counts.put("rejected", rejectedByReason.values().stream().mapToLong(Long::longValue).sum());
    long accounted = counts.values().stream().mapToLong(Long::longValue).sum() + duplicates;
    if (accounted != input) {
      throw new IllegalStateException(
          "record accounting broken: input " + input + " != kept + rejected + duplicates " + accounted);
    }
    long keptRows = counts.values().stream().mapToLong(Long::longValue).sum() - counts.get("rejected");
    if (keptRows == 0) {
      throw new io.deeppipe.transforms.card.BadInputException(
          noUsableRecord(inputDescription, input, rejectedByReason, duplicates));
    }
    return new Written(counts, rejectedByReason);
  }

  /** The message of an input none of whose records can be used. */
  public static String noUsableRecord(String input, long records, Map<String, Long> rejectedByReason, long duplicates) {
    return input + " has no usable record: " + records + " read"
        + (rejectedByReason.isEmpty() ? "" : ", rejected " + rejectedByReason)
        + (duplicates > 0 ? ", " + duplicates + " duplicates" : "") + "; nothing written";
  }
}
