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
 *
 * <p>The dialect is RFC 4180, the one Python's {@code csv} module, pandas, Apache Commons CSV and
 * spreadsheets write: fields quoted with {@code "}, a quote inside a quoted field doubled, quoted
 * fields spanning lines, LF or CRLF record ends, an optional UTF-8 byte-order mark. Spark's default
 * escape character is a backslash, not part of that dialect: a text ending in {@code \} (a path, a
 * line of code) swallowed its closing quote, and the field ran on into the following records, which
 * then came out as fragments of text and {@code malformed_csv} rows.
 *
 * <p>{@code multiLine} is what lets a record span lines; its cost is that each file is parsed by one
 * task from its start (a line-based split cannot know whether it starts inside a quoted field), so a
 * single huge CSV is read by one core. Spark streams it, so memory does not grow with the file; a
 * corpus split into several files is read in parallel.
 */
public final class CsvFiles {
  public static final String CORRUPT = "_corrupt_record";
  /** RFC 4180 escapes a quote by doubling it: the escape character is the quote itself. */
  private static final String QUOTE = "\"";

  private CsvFiles() {}

  /** The header's column names (reads only the first line); bad input if there is none ({@code option} names the file). */
  public static List<String> header(SparkSession spark, String path, String option) {
    try {
      return Arrays.asList(spark.read().option("header", true).option("escape", QUOTE).csv(path).columns());
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
        .option("quote", QUOTE)
        .option("escape", QUOTE)
        .option("mode", "PERMISSIVE")
        .option("columnNameOfCorruptRecord", CORRUPT)
        .csv(path);
  }
}
