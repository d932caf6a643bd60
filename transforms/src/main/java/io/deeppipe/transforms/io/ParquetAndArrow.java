package io.deeppipe.transforms.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.mapreduce.Job;
import org.apache.hadoop.mapreduce.TaskAttemptContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.execution.datasources.OutputWriter;
import org.apache.spark.sql.execution.datasources.OutputWriterFactory;
import org.apache.spark.sql.execution.datasources.parquet.ParquetFileFormat;
import org.apache.spark.sql.internal.SQLConf;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.CollectionAccumulator;

/**
 * Spark's own Parquet file format, each of whose output files gets an Arrow IPC twin written from
 * the same rows by the same task: one scan writes both formats, where reading the Parquet back for
 * the Arrow files was a second job over the data (BENCHMARKS.md). The twin sits beside its Parquet
 * file ({@code part-….arrow}), so Spark's commit protocol publishes both or neither (task retries,
 * speculation, job commit); {@link #write} then moves the Arrow files to their own directories.
 * Used by name, as any Spark source: {@code df.write().format(ParquetAndArrow.class.getName())}.
 *
 * <p>Two choices per write, as options: Arrow off ({@link #ARROW}; the rows of each file are still
 * counted, so no job reads the Parquet back to count them), and {@link #TWO_LEVEL_LISTS}: arrays
 * of non-null primitives (a dataset's {@code token_ids}) as the Parquet format's two-level list
 * ({@code repeated int32 array} inside the {@code LIST} group: rule 1 of the format's list
 * compatibility rules, which readers must accept) instead of the three-level one (a group per
 * element): the same values, written in about half the time (BENCHMARKS.md).
 */
public class ParquetAndArrow extends ParquetFileFormat {
  /** Option: Arrow rows per record batch. */
  public static final String BATCH_ROWS = "deeppipe.arrow.batchRows";
  /** Option: {@code false} writes the Parquet files only (default {@code true}). */
  static final String ARROW = "deeppipe.arrow";
  /** Option: {@code true} writes arrays of non-null primitives as two-level lists (default {@code false}). */
  static final String TWO_LEVEL_LISTS = "deeppipe.parquet.twoLevelLists";
  /** Option: the key under which the driver finds the write's row counts. */
  static final String WRITE_ID = "deeppipe.arrow.writeId";
  /** The rows of each file written, per write (driver side; taken by {@link #write}). */
  private static final Map<String, CollectionAccumulator<String>> WRITTEN = new ConcurrentHashMap<>();

  /**
   * Writes {@code rows} with {@code writer} (a {@code DataFrameWriter} with its mode, options and
   * partitioning set) as Parquet under {@code parquetDir}, with each file's Arrow twin if
   * {@code arrow}, and returns the rows written by the name of their files' directory (e.g.
   * {@code split=train} for a write partitioned by split); the Arrow files stay beside the Parquet
   * ones for the caller to move. {@code twoLevelLists}: see the class comment.
   */
  public static Map<String, Long> write(org.apache.spark.sql.DataFrameWriter<?> writer, String parquetDir, boolean arrow,
      boolean twoLevelLists, int batchRows) {
    String id = UUID.randomUUID().toString();
    try {
      writer.format(ParquetAndArrow.class.getName()).option(ARROW, arrow).option(TWO_LEVEL_LISTS, twoLevelLists)
          .option(BATCH_ROWS, batchRows).option(WRITE_ID, id).save(parquetDir);
      CollectionAccumulator<String> files = WRITTEN.get(id);
      Map<String, Long> rows = new HashMap<>();
      if (files != null) {
        for (String entry : files.value()) {
          int tab = entry.lastIndexOf('\t');
          rows.merge(entry.substring(0, tab), Long.parseLong(entry.substring(tab + 1)), Long::sum);
        }
      }
      return rows;
    } finally {
      WRITTEN.remove(id);
    }
  }

  /**
   * Whether every array in {@code type} (at any depth) holds non-null primitives and there is no
   * map or decimal: then Spark's legacy Parquet layout changes only the lists, each to the
   * two-level form. (Arrays that may hold nulls would become a three-level list of other names,
   * maps and decimals would change too: those schemas keep the standard layout.)
   */
  static boolean onlyPrimitiveLists(DataType type) {
    if (type instanceof StructType struct) {
      for (StructField f : struct.fields()) {
        if (!onlyPrimitiveLists(f.dataType())) {
          return false;
        }
      }
      return true;
    }
    if (type instanceof ArrayType array) {
      DataType element = array.elementType();
      return !array.containsNull() && !(element instanceof StructType || element instanceof ArrayType
          || element instanceof MapType || element instanceof DecimalType);
    }
    return !(type instanceof MapType || type instanceof DecimalType);
  }

  /**
   * The Arrow twin of a Parquet file: its name without the Parquet extension ({@code extension},
   * e.g. {@code .snappy.parquet}), then {@code .arrow} — unique as the Parquet file's name is,
   * {@code .c000}, {@code .c001} … included.
   */
  static String arrowPath(String parquetFile, String extension) {
    String base = parquetFile.endsWith(extension)
        ? parquetFile.substring(0, parquetFile.length() - extension.length()) : parquetFile;
    return base + ".arrow";
  }

  @Override
  public OutputWriterFactory prepareWrite(SparkSession spark, Job job, scala.collection.immutable.Map<String, String> options,
      StructType dataSchema) {
    OutputWriterFactory parquet = super.prepareWrite(spark, job, options, dataSchema);
    if (Boolean.parseBoolean(options.getOrElse(TWO_LEVEL_LISTS, () -> "false")) && onlyPrimitiveLists(dataSchema)) {
      // read by Spark's Parquet writer from the job's configuration, which super set from the session's
      job.getConfiguration().set(SQLConf.PARQUET_WRITE_LEGACY_FORMAT().key(), "true");
    }
    boolean arrow = Boolean.parseBoolean(options.getOrElse(ARROW, () -> "true"));
    int batchRows = Integer.parseInt(options.getOrElse(BATCH_ROWS, () -> String.valueOf(ArrowIpc.DEFAULT_BATCH_ROWS)));
    CollectionAccumulator<String> files = spark.sparkContext().collectionAccumulator("rows per file written");
    String id = options.getOrElse(WRITE_ID, () -> null);
    if (id != null) {
      WRITTEN.put(id, files);
    }
    return new Factory(parquet, arrow, batchRows, files);
  }

  @Override
  public String toString() {
    return "Parquet+Arrow";
  }

  /** Opens a Parquet writer and, if {@code arrow}, its Arrow twin for each output file. */
  private static final class Factory extends OutputWriterFactory {
    private final OutputWriterFactory parquet;
    private final boolean arrow;
    private final int batchRows;
    private final CollectionAccumulator<String> files;

    Factory(OutputWriterFactory parquet, boolean arrow, int batchRows, CollectionAccumulator<String> files) {
      this.parquet = parquet;
      this.arrow = arrow;
      this.batchRows = batchRows;
      this.files = files;
    }

    @Override
    public String getFileExtension(TaskAttemptContext context) {
      return parquet.getFileExtension(context);
    }

    @Override
    public OutputWriter newInstance(String path, StructType dataSchema, TaskAttemptContext context) {
      OutputWriter p = parquet.newInstance(path, dataSchema, context);
      if (!arrow) {
        return new Tee(p, null, files);
      }
      try {
        return new Tee(p, new ArrowIpc.FileWriter(new Path(arrowPath(path, getFileExtension(context))), dataSchema, batchRows,
            context.getConfiguration()), files);
      } catch (IOException e) {
        p.close();
        throw new UncheckedIOException(e);
      } catch (RuntimeException e) {
        p.close();
        throw e;
      }
    }
  }

  /** Every row to the Parquet file and its Arrow twin (null: none), counted. */
  private static final class Tee extends OutputWriter {
    private final OutputWriter parquet;
    private final ArrowIpc.FileWriter arrow;
    private final CollectionAccumulator<String> files;
    private long rows;

    Tee(OutputWriter parquet, ArrowIpc.FileWriter arrow, CollectionAccumulator<String> files) {
      this.parquet = parquet;
      this.arrow = arrow;
      this.files = files;
    }

    @Override
    public void write(InternalRow row) {
      parquet.write(row);
      rows++;
      if (arrow != null) {
        try {
          arrow.write(row);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }

    @Override
    public void close() {
      try {
        parquet.close();
      } finally {
        if (arrow != null) {
          try {
            arrow.close();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      }
      // the directory below the output root: "split=train" for a write partitioned by split
      files.add(new Path(parquet.path()).getParent().getName() + "\t" + rows);
    }

    @Override
    public String path() {
      return parquet.path();
    }
  }
}
