package io.deeppipe.transforms;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;

/**
 * "Every record ends somewhere": each row carries a {@code reason} that is null while the record
 * is good and set by the first check it fails. At the end one split gives kept and rejected rows,
 * so {@code input = kept + rejected (+ duplicates)} holds by construction.
 */
public final class Outcomes {
  public static final String REASON = "reason";
  /** Where a record came from (file path, with line/offset where known). */
  public static final String SOURCE = "source";
  /** The raw record (or its first characters) kept in {@code rejected/} to help fixing it. */
  public static final String RECORD = "record";
  /** Longest raw record copied into {@code rejected/}. */
  public static final int MAX_RECORD_CHARS = 2000;

  private Outcomes() {}

  /** Adds the empty {@code reason} column: every record starts good. */
  public static Dataset<Row> start(Dataset<Row> rows) {
    return rows.withColumn(REASON, lit(null).cast(DataTypes.StringType));
  }

  /** Rejects, with {@code reason}, each still-good row for which {@code failed} is true. */
  public static Dataset<Row> rejectIf(Dataset<Row> rows, Column failed, String reason) {
    return rows.withColumn(
        REASON, when(col(REASON).isNull().and(failed), lit(reason)).otherwise(col(REASON)));
  }

  public static Column isGood() {
    return col(REASON).isNull();
  }

  public static Column isRejected() {
    return col(REASON).isNotNull();
  }
}
