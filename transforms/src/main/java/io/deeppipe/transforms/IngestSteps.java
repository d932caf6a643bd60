package io.deeppipe.transforms;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.deeppipe.transforms.io.DatasetWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;

/**
 * The steps both ingest jobs share once each record has been processed into a row with
 * {@code id}, {@code label}, a content hash, {@code source}, {@code record} and {@code reason}
 * (the passes themselves are {@link IngestPasses}): labels, and the accounted write.
 */
public final class IngestSteps {
  public static final String ID = "id";
  public static final String LABEL = "label";
  public static final String LABEL_INDEX = "label_index";

  private IngestSteps() {}

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
   * Writes the kept splits (rows with {@code split} and {@code columns}) and the rejected rows of
   * the first pass, and checks that every input record is accounted for: the rows written per split
   * are those the first pass counted, and {@code input == train + validation + test + rejected +
   * duplicates}, else it fails. An input with no usable record is bad input (exit 2), found before
   * anything is written: nothing is published, the message gives the reasons.
   */
  public static Written write(
      DatasetWriter writer,
      Dataset<Row> kept,
      List<String> columns,
      boolean arrow,
      long rowGroupBytes,
      IngestPasses.First first,
      IngestPasses.Kept summary,
      long duplicates,
      String inputDescription) {
    if (summary.count() == 0) {
      throw new io.deeppipe.transforms.card.BadInputException(
          noUsableRecord(inputDescription, first.input(), first.rejectedByReason(), duplicates));
    }
    Map<String, Long> counts = new LinkedHashMap<>(writer.writeSplits(kept, columns, arrow, rowGroupBytes));
    if (!counts.equals(summary.splits())) {
      throw new IllegalStateException("record accounting broken: wrote " + counts + ", kept " + summary.splits());
    }
    writer.writeRejectedRows(first.rejectedRows().select(col(Outcomes.SOURCE), col(Outcomes.RECORD), col(Outcomes.REASON)));
    counts.put("rejected", first.rejected());
    long accounted = counts.values().stream().mapToLong(Long::longValue).sum() + duplicates;
    if (accounted != first.input()) {
      throw new IllegalStateException(
          "record accounting broken: input " + first.input() + " != kept + rejected + duplicates " + accounted);
    }
    return new Written(counts, first.rejectedByReason());
  }

  /** The message of an input none of whose records can be used. */
  public static String noUsableRecord(String input, long records, Map<String, Long> rejectedByReason, long duplicates) {
    return input + " has no usable record: " + records + " read"
        + (rejectedByReason.isEmpty() ? "" : ", rejected " + rejectedByReason)
        + (duplicates > 0 ? ", " + duplicates + " duplicates" : "") + "; nothing written";
  }
}
