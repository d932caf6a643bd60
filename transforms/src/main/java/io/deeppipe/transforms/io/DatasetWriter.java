package io.deeppipe.transforms.io;

import static org.apache.spark.sql.functions.col;

import io.deeppipe.transforms.Outcomes;
import io.deeppipe.transforms.SplitAssigner;
import io.deeppipe.transforms.card.Cards;
import io.deeppipe.transforms.card.DatasetCard;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;

/**
 * Writes the dataset format into a hidden temporary sibling of the target and publishes it with
 * one rename after the card is written, so a directory with a {@code dataset.json} is always
 * complete. Closing an unpublished writer removes the temporary directory.
 *
 * <pre>
 * DIR/dataset.json  DIR/parquet/{train,validation,test}/  DIR/arrow/{split}/part-*.arrow  DIR/rejected/
 * </pre>
 */
public final class DatasetWriter implements AutoCloseable {
  public static final String PARQUET = "parquet";
  public static final String ARROW = "arrow";
  public static final String REJECTED = "rejected";
  /** The fitted preprocessing, a Spark ML PipelineModel. */
  public static final String PREPROCESSOR = "preprocessor";
  /** Parquet's own default row-group size, for outputs that do not choose one. */
  public static final long DEFAULT_ROW_GROUP_BYTES = 128L << 20;

  private final SparkSession spark;
  private final Configuration conf;
  private final Path target;
  private final Path staged;
  private final boolean overwrite;
  private boolean published;
  /** The columns {@link #writeSplits} wrote, once it has. */
  private org.apache.spark.sql.types.StructType splitsSchema;

  private DatasetWriter(SparkSession spark, Path target, boolean overwrite) {
    this.spark = spark;
    this.conf = spark.sparkContext().hadoopConfiguration();
    this.target = target;
    this.overwrite = overwrite;
    this.staged = Storage.temporarySibling(target);
  }

  /** Refuses an existing target unless {@code overwrite}, before any work is done. */
  public static DatasetWriter open(SparkSession spark, String target, boolean overwrite) {
    Path path = new Path(target);
    checkWritable(path, overwrite, spark.sparkContext().hadoopConfiguration());
    return new DatasetWriter(spark, path, overwrite);
  }

  public static void checkWritable(Path path, boolean overwrite, Configuration conf) {
    if (!overwrite && Storage.exists(path, conf)) {
      throw new io.deeppipe.transforms.card.BadInputException(
          "--output " + path + " already exists (use --mode overwrite to replace it)");
    }
    Storage.checkCreatable("--output", path, conf);
  }

  public String stagedPath(String child) {
    return new Path(staged, child).toString();
  }

  /**
   * Writes the kept rows, one directory per split, as Parquet in one pass (one Spark job, each task
   * writing the splits of its rows side by side) and, if {@code arrow}, as Arrow IPC in the same
   * pass: every Parquet file's rows also go to an Arrow file written beside it by the same task
   * ({@link ParquetAndArrow}), so both hold the same rows. A split without rows still gets its
   * directory and schema. Returns rows per split.
   */
  public Map<String, Long> writeSplits(
      Dataset<Row> kept, List<String> columns, boolean arrow, long rowGroupBytes) {
    List<org.apache.spark.sql.Column> selected = new ArrayList<>();
    columns.forEach(c -> selected.add(col(c)));
    selected.add(col(SplitAssigner.SPLIT));
    Dataset<Row> rows = kept.select(selected.toArray(new org.apache.spark.sql.Column[0]));
    String parquet = stagedPath(PARQUET);
    spark.sparkContext().setJobDescription(arrow ? "write every split as Parquet and Arrow IPC" : "write every split as Parquet");
    String writers = "spark.sql.maxConcurrentOutputFileWriters";
    String before = spark.conf().getOption(writers).getOrElse(() -> null);
    // a task writes its rows' splits side by side instead of sorting its rows by split first
    spark.conf().set(writers, SplitAssigner.SPLITS.size() + 1);
    Map<String, Long> written;
    try {
      var writer = rows.write().mode(SaveMode.ErrorIfExists).option("parquet.block.size", rowGroupBytes)
          .partitionBy(SplitAssigner.SPLIT);
      written = ParquetAndArrow.write(writer, parquet, arrow, true, ArrowIpc.DEFAULT_BATCH_ROWS);
    } finally {
      if (before == null) {
        spark.conf().unset(writers);
      } else {
        spark.conf().set(writers, before);
      }
    }
    org.apache.spark.sql.types.StructType schema = rows.drop(SplitAssigner.SPLIT).schema();
    splitsSchema = schema;
    Storage.deleteQuietly(new Path(parquet, "_SUCCESS"), conf);
    for (String split : SplitAssigner.SPLITS) {
      Path partition = new Path(parquet, SplitAssigner.SPLIT + "=" + split);
      Path dir = new Path(parquet, split);
      if (Storage.exists(partition, conf)) {
        Storage.rename(partition, dir, conf);
        Storage.writeBytes(new Path(dir, "_SUCCESS"), new byte[0], conf);
      } else {
        spark.sparkContext().setJobDescription("write the empty " + split + " split");
        ParquetAndArrow.write(spark.createDataFrame(List.of(), schema).write().mode(SaveMode.ErrorIfExists),
            dir.toString(), false, true, ArrowIpc.DEFAULT_BATCH_ROWS);
      }
    }
    Map<String, Long> counts = new LinkedHashMap<>();
    for (String split : SplitAssigner.SPLITS) {
      counts.put(split, written.getOrDefault(SplitAssigner.SPLIT + "=" + split, 0L));
      if (arrow) {
        // the Arrow twins written beside the Parquet files move to arrow/<split>/; an empty split gets
        // one empty file, so its schema is there
        moveArrowTwins(new Path(parquet, split), new Path(stagedPath(ARROW + "/" + split)), schema);
      }
    }
    spark.sparkContext().setJobDescription(null);
    return counts;
  }

  /** Writes the rejected rows ({@code source}, {@code record}, {@code reason}, ...); returns counts by reason. */
  public Map<String, Long> writeRejected(Dataset<Row> rejected) {
    String dir = stagedPath(REJECTED);
    writeRejectedRows(rejected);
    Map<String, Long> byReason = new TreeMap<>();
    for (Row r : spark.read().parquet(dir).groupBy(Outcomes.REASON).count().collectAsList()) {
      byReason.put(r.getString(0), r.getLong(1));
    }
    spark.sparkContext().setJobDescription(null);
    return byReason;
  }

  /** Writes the rejected rows ({@code source}, {@code record}, {@code reason}) whose counts are already known. */
  public void writeRejectedRows(Dataset<Row> rejected) {
    spark.sparkContext().setJobDescription("write rejected records");
    rejected.write().mode(SaveMode.ErrorIfExists).parquet(stagedPath(REJECTED));
    spark.sparkContext().setJobDescription(null);
  }

  /**
   * Saves the fitted preprocessing as a Spark ML {@code PipelineModel} under {@code preprocessor/}:
   * {@code PipelineModel.load(DIR/preprocessor).transform(raw)} repeats what ingest did.
   */
  public void writePreprocessor(org.apache.spark.ml.Transformer fitted) {
    spark.sparkContext().setJobDescription("save the preprocessor");
    try {
      new org.apache.spark.ml.PipelineModel(
              org.apache.spark.ml.util.Identifiable$.MODULE$.randomUID("pipeline"),
              new org.apache.spark.ml.Transformer[] {fitted})
          .write().save(stagedPath(PREPROCESSOR));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot save the preprocessor", e);
    }
    spark.sparkContext().setJobDescription(null);
  }

  public void writeFile(String name, String content) {
    Storage.writeString(new Path(staged, name), content, conf);
  }

  public void writeFile(String name, byte[] content) {
    Storage.writeBytes(new Path(staged, name), content, conf);
  }

  /**
   * The output schema of a written split, for the card: the columns {@link #writeSplits} wrote (every
   * split has them; Parquet reads them back with the same types, which is all the card holds), else
   * read from the split's Parquet files (a Spark job).
   */
  public List<DatasetCard.Column> schemaOf(String split) {
    List<DatasetCard.Column> cols = new ArrayList<>();
    StructField[] fields = splitsSchema != null
        ? splitsSchema.fields()
        : spark.read().parquet(stagedPath(PARQUET + "/" + split)).schema().fields();
    for (StructField f : fields) {
      cols.add(new DatasetCard.Column(f.name(), f.dataType().simpleString()));
    }
    return cols;
  }

  /** Writes the card last and moves the finished dataset into place. */
  public void publish(DatasetCard card) {
    publish(DatasetCard.FILE_NAME, card);
  }

  /** Writes {@code card} as {@code fileName} last and moves the finished output into place. */
  public void publish(String fileName, Object card) {
    Cards.write(new Path(staged, fileName), card, conf);
    Storage.publish(staged, target, overwrite, conf);
    published = true;
  }

  /**
   * Writes rows as Parquet under {@code parquet/<name>} and, if asked, as Arrow IPC under
   * {@code arrow/<name>} in the same pass ({@link ParquetAndArrow}), so both hold the same rows.
   * Returns the row count.
   */
  public long writeTable(Dataset<Row> rows, String name, boolean arrow, long rowGroupBytes) {
    String dir = stagedPath(PARQUET + "/" + name);
    var writer = rows.write().mode(SaveMode.ErrorIfExists).option("parquet.block.size", rowGroupBytes);
    spark.sparkContext().setJobDescription("write " + name + (arrow ? " as Parquet and Arrow IPC" : " as Parquet"));
    // the write counts its rows: no job reads the table back for them
    long rowCount = ParquetAndArrow.write(writer, dir, arrow, false, ArrowIpc.DEFAULT_BATCH_ROWS).values().stream()
        .mapToLong(Long::longValue).sum();
    if (arrow) {
      moveArrowTwins(new Path(dir), new Path(stagedPath(ARROW + "/" + name)), rows.schema());
    }
    spark.sparkContext().setJobDescription(null);
    return rowCount;
  }

  /**
   * Moves the Arrow files {@link ParquetAndArrow} wrote beside the Parquet files of {@code parquetDir}
   * to {@code arrowDir}; a table without rows gets one empty file there, so its schema is there.
   */
  private void moveArrowTwins(Path parquetDir, Path arrowDir, org.apache.spark.sql.types.StructType schema) {
    List<Path> files = Storage.list(parquetDir, ".arrow", conf);
    Storage.mkdirs(arrowDir, conf);
    for (Path file : files) {
      Storage.rename(file, new Path(arrowDir, file.getName()), conf);
    }
    if (files.isEmpty()) {
      ArrowIpc.writeEmpty(new Path(arrowDir, "part-00000.arrow"), schema, conf);
    }
  }

  public Path target() {
    return target;
  }

  @Override
  public void close() {
    if (!published) {
      Storage.deleteQuietly(staged, conf);
    }
  }
}
