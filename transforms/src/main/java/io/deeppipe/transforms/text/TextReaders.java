package io.deeppipe.transforms.text;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.input_file_name;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.udf;

import io.deeppipe.transforms.Outcomes;
import io.deeppipe.transforms.card.BadInputException;
import io.deeppipe.transforms.io.CsvFiles;
import java.io.IOException;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Reads a corpus in any supported format into one raw shape, one row per input record:
 * {@code source, record, id_raw, label_raw, text_raw, reason}. Records that cannot be parsed keep a
 * {@code reason} (malformed_json, malformed_csv, invalid_utf8) instead of failing the job.
 * Blank lines in line-based formats separate records and are not records themselves.
 */
public final class TextReaders {
  public static final String ID_RAW = "id_raw";
  public static final String LABEL_RAW = "label_raw";
  public static final String TEXT_RAW = "text_raw";
  private static final String CORRUPT = CsvFiles.CORRUPT;
  /** What Java's UTF-8 decoder puts where bytes were not valid UTF-8. */
  private static final String REPLACEMENT = "\uFFFD";

  private TextReaders() {}

  /** The input's source file as a plain path (Spark gives a percent-encoded URI). */
  public static final UserDefinedFunction SOURCE_PATH =
      udf((String uri) -> decodePath(uri), DataTypes.StringType);

  /** The name of the source file's parent folder: the label of a folder-per-label tree. */
  public static final UserDefinedFunction PARENT_NAME =
      udf((String uri) -> uri == null ? null : new Path(URI.create(uri)).getParent().getName(),
          DataTypes.StringType);

  public static String decodePath(String uri) {
    if (uri == null || uri.isEmpty()) {
      return uri;
    }
    try {
      return new Path(URI.create(uri)).toUri().getPath();
    } catch (IllegalArgumentException e) {
      return uri;
    }
  }

  public static Dataset<Row> read(SparkSession spark, TextIngestOptions o) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    FileStatus[] matches = matches(o.input(), conf);
    TextFormat format = o.format() == TextFormat.AUTO ? detect(o.input(), matches, conf) : o.format();
    Dataset<Row> raw =
        switch (format) {
          case JSONL -> jsonLines(spark, o);
          case CSV -> csv(spark, o);
          case PARQUET -> parquet(spark, o);
          case TEXT -> lines(spark, o.input());
          case FOLDER -> folder(spark, o.input());
          case AUTO -> throw new IllegalStateException();
        };
    return markInvalidUtf8(raw);
  }

  /** Fails with exit-2 semantics when the input matches nothing. */
  public static FileStatus[] matches(String input, Configuration conf) {
    try {
      Path path = new Path(input);
      FileSystem fs = path.getFileSystem(conf);
      FileStatus[] found = fs.globStatus(path);
      if (found == null || found.length == 0) {
        throw new BadInputException("--input " + input + " does not exist");
      }
      return found;
    } catch (IOException e) {
      throw new BadInputException("--input " + input + " cannot be read: " + e.getMessage(), e);
    }
  }

  static TextFormat detect(String input, FileStatus[] matches, Configuration conf) {
    try {
      for (FileStatus m : matches) {
        if (m.isFile()) {
          TextFormat f = TextFormat.ofFileName(m.getPath().getName());
          if (f != null) {
            return f;
          }
          continue;
        }
        FileStatus[] children = m.getPath().getFileSystem(conf).listStatus(m.getPath());
        Arrays.sort(children);
        boolean allDirs = children.length > 0;
        for (FileStatus c : children) {
          if (c.getPath().getName().startsWith(".") || c.getPath().getName().startsWith("_")) {
            continue;
          }
          allDirs &= c.isDirectory();
          TextFormat f = c.isFile() ? TextFormat.ofFileName(c.getPath().getName()) : null;
          if (f != null) {
            return f;
          }
        }
        if (allDirs) {
          return TextFormat.FOLDER;
        }
      }
    } catch (IOException e) {
      throw new BadInputException("--input " + input + " cannot be listed: " + e.getMessage(), e);
    }
    throw new BadInputException(
        "--input " + input + ": cannot tell its format from the file names; pass --format");
  }

  private static Dataset<Row> jsonLines(SparkSession spark, TextIngestOptions o) {
    StructType schema = new StructType();
    for (String f : distinctFields(o)) {
      schema = schema.add(f, DataTypes.StringType);
    }
    schema = schema.add(CORRUPT, DataTypes.StringType);
    Dataset<Row> lines =
        spark.read().text(o.input()).withColumn(Outcomes.SOURCE, SOURCE_PATH.apply(input_file_name()));
    lines = lines.filter(trim(col("value")).notEqual(""));
    Dataset<Row> parsed =
        lines.withColumn(
            "j",
            from_json(col("value"), schema, Map.of("mode", "PERMISSIVE", "columnNameOfCorruptRecord", CORRUPT)));
    Dataset<Row> out =
        parsed.select(
            col(Outcomes.SOURCE),
            col("value").as(Outcomes.RECORD),
            field("j", o.idField()).as(ID_RAW),
            field("j", o.labelField()).as(LABEL_RAW),
            col("j." + o.textField()).as(TEXT_RAW),
            col("j").isNull().or(col("j." + CORRUPT).isNotNull()).as("malformed"));
    return Outcomes.rejectIf(Outcomes.start(out), col("malformed"), "malformed_json").drop("malformed");
  }

  private static Dataset<Row> csv(SparkSession spark, TextIngestOptions o) {
    List<String> columns = CsvFiles.header(spark, o.input(), "--input");
    if (!columns.contains(o.textField())) {
      throw new BadInputException(
          "--text-field '" + o.textField() + "' is not a column of " + o.input() + " (columns: " + columns + ")");
    }
    Dataset<Row> rows =
        CsvFiles.read(spark, o.input(), columns).withColumn(Outcomes.SOURCE, SOURCE_PATH.apply(input_file_name()));
    String[] header = columns.toArray(new String[0]);
    Column record = functionsConcatFields(header);
    Dataset<Row> out =
        rows.select(
            col(Outcomes.SOURCE),
            org.apache.spark.sql.functions.coalesce(col(CORRUPT), record).as(Outcomes.RECORD),
            optional(columns, o.idField()).as(ID_RAW),
            optional(columns, o.labelField()).as(LABEL_RAW),
            col(o.textField()).as(TEXT_RAW),
            col(CORRUPT).isNotNull().as("malformed"));
    return Outcomes.rejectIf(Outcomes.start(out), col("malformed"), "malformed_csv").drop("malformed");
  }

  private static Dataset<Row> parquet(SparkSession spark, TextIngestOptions o) {
    Dataset<Row> rows;
    try {
      rows = spark.read().parquet(o.input());
    } catch (Exception e) {
      // Parquet's schema comes from the files' footers: a file that has none is not Parquet
      Throwable root = e;
      while (root.getCause() != null) {
        root = root.getCause();
      }
      throw new BadInputException("--input " + o.input() + " cannot be read as Parquet: " + root.getMessage(), e);
    }
    List<String> columns = Arrays.asList(rows.columns());
    if (!columns.contains(o.textField())) {
      throw new BadInputException(
          "--text-field '" + o.textField() + "' is not a column of " + o.input() + " (columns: " + columns + ")");
    }
    Dataset<Row> out =
        rows.select(
            SOURCE_PATH.apply(input_file_name()).as(Outcomes.SOURCE),
            substring(col(o.textField()).cast(DataTypes.StringType), 1, Outcomes.MAX_RECORD_CHARS).as(Outcomes.RECORD),
            optional(columns, o.idField()).as(ID_RAW),
            optional(columns, o.labelField()).as(LABEL_RAW),
            col(o.textField()).cast(DataTypes.StringType).as(TEXT_RAW));
    return Outcomes.start(out);
  }

  private static Dataset<Row> lines(SparkSession spark, String input) {
    Dataset<Row> rows = spark.read().text(input).filter(trim(col("value")).notEqual(""));
    return Outcomes.start(
        rows.select(
            SOURCE_PATH.apply(input_file_name()).as(Outcomes.SOURCE),
            col("value").as(Outcomes.RECORD),
            lit(null).cast(DataTypes.StringType).as(ID_RAW),
            lit(null).cast(DataTypes.StringType).as(LABEL_RAW),
            col("value").as(TEXT_RAW)));
  }

  private static Dataset<Row> folder(SparkSession spark, String input) {
    Dataset<Row> docs =
        spark.read().option("wholetext", true).text(new Path(input, "*/*").toString())
            .withColumn("uri", input_file_name());
    return Outcomes.start(
        docs.select(
            SOURCE_PATH.apply(col("uri")).as(Outcomes.SOURCE),
            substring(col("value"), 1, Outcomes.MAX_RECORD_CHARS).as(Outcomes.RECORD),
            lit(null).cast(DataTypes.StringType).as(ID_RAW),
            PARENT_NAME.apply(col("uri")).as(LABEL_RAW),
            col("value").as(TEXT_RAW)));
  }

  /**
   * Whether any of the strings holds U+FFFD once decoded. A UDF rather than {@code Column.contains}:
   * Spark's text source keeps a line's raw bytes, which {@code contains} compares byte for byte, so
   * invalid UTF-8 in plain text and folder inputs was only replaced (by U+FFFD) when a String was
   * made of it, after the check.
   */
  private static final UserDefinedFunction HAS_REPLACEMENT =
      udf((String text, String label, String id) -> hasReplacement(text) || hasReplacement(label) || hasReplacement(id),
          DataTypes.BooleanType);

  private static boolean hasReplacement(String s) {
    return s != null && s.contains(REPLACEMENT);
  }

  private static Dataset<Row> markInvalidUtf8(Dataset<Row> raw) {
    Column bad = HAS_REPLACEMENT.apply(col(TEXT_RAW), col(LABEL_RAW), col(ID_RAW));
    return Outcomes.rejectIf(raw, bad, "invalid_utf8")
        .withColumn(Outcomes.RECORD, substring(col(Outcomes.RECORD), 1, Outcomes.MAX_RECORD_CHARS));
  }

  private static List<String> distinctFields(TextIngestOptions o) {
    return java.util.stream.Stream.of(o.idField(), o.labelField(), o.textField())
        .filter(f -> f != null && !f.isBlank())
        .distinct()
        .toList();
  }

  private static Column field(String struct, String name) {
    return name == null || name.isBlank()
        ? lit(null).cast(DataTypes.StringType)
        : col(struct + "." + name);
  }

  private static Column optional(List<String> columns, String name) {
    return name != null && columns.contains(name)
        ? col(name).cast(DataTypes.StringType)
        : lit(null).cast(DataTypes.StringType);
  }

  private static Column functionsConcatFields(String[] header) {
    Column[] cols = Arrays.stream(header).map(h -> org.apache.spark.sql.functions.coalesce(col(h), lit(""))).toArray(Column[]::new);
    return org.apache.spark.sql.functions.concat_ws(",", cols);
  }

}
