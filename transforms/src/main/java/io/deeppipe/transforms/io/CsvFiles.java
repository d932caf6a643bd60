package io.deeppipe.transforms.io;

import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Reads CSV files with a header as all-string columns, keeping malformed rows (wrong number of
 * fields, broken quoting) with their raw text in {@link #CORRUPT} instead of failing or dropping them.
 */
public final class CsvFiles {
  public static final String CORRUPT = "_corrupt_record";

  private CsvFiles() {}

  /** The header's column names (reads only the first line); bad input if there is none ({@code option} names the file). */
  public static List<String> header(SparkSession spark, String path, String option) {
    try {
      return Arrays.asList(spark.read().option("header", true).csv(path).columns());
    } catch (Exception e) {
      if (e instanceof org.apache.spark.sql.AnalysisException) {
        throw new io.deeppipe.transforms.card.BadInputException(
            option + " " + path + " cannot be read as CSV with a header: " + e.getMessage(), e);
      }
      throw e;
    }
  }

  public static Dataset<Row> read(SparkSession spark, String path, List<String> header) {
    StructType schema = new StructType();
    for (String h : header) {
      schema = schema.add(h, DataTypes.StringType);
    }
    schema = schema.add(CORRUPT, DataTypes.StringType);
    return spark.read()
        .schema(schema)
        .option("header", true)
        .option("multiLine", true)
        .option("mode", "PERMISSIVE")
        .option("columnNameOfCorruptRecord", CORRUPT)
        .csv(path);
  }
}
