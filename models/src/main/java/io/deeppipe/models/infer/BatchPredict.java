package io.deeppipe.models.infer;

import static org.apache.spark.sql.functions.col;

import io.deeppipe.models.train.ModelDir;
import io.deeppipe.transforms.IngestSteps;
import io.deeppipe.transforms.Outcomes;
import io.deeppipe.transforms.card.Cards;
import io.deeppipe.transforms.card.DatasetCard;
import io.deeppipe.transforms.card.ModelCard;
import io.deeppipe.transforms.image.ImageIngest;
import io.deeppipe.transforms.io.DatasetWriter;
import io.deeppipe.transforms.io.Storage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The predict job: prepare the input (dataset or raw), score it with a {@link Predictor}, and
 * publish {@code DIR/parquet/}, {@code DIR/arrow/} (if asked), {@code DIR/rejected/} and, last,
 * {@code DIR/predictions.json}.
 */
public final class BatchPredict {
  private static final Logger LOG = LoggerFactory.getLogger(BatchPredict.class);
  public static final String SUMMARY = "predictions.json";
  public static final String PREDICTIONS = "predictions";

  private BatchPredict() {}

  /**
   * {@code predictions.json}: what was scored, with what, and where every input record went.
   * {@code modelFingerprint} (SHA-256 of the model file) and {@code datasetFingerprint} (when the
   * input is an ingested dataset; absent for raw input) are the lineage, independent of folder names.
   */
  public record Summary(
      int schemaVersion, String model, String modelType, String input, String split, long inputRecords,
      long predicted, long rejected, Map<String, Long> rejectedByReason, String outputFormat, String created,
      String modelFingerprint, String datasetFingerprint) {}

  /** Whether {@code input} is an ingested dataset (it has a dataset.json). */
  public static boolean isDataset(String input, Configuration conf) {
    return input != null && Storage.exists(new Path(input, DatasetCard.FILE_NAME), conf);
  }

  /** Checks what can be checked before any work: the model, the input, the output. */
  public static ModelCard check(PredictOptions o, Configuration conf) {
    ModelCard model = Cards.readModel(new Path(o.model()), conf);
    String given = o.input() != null ? o.input() : o.manifest();
    if (!Storage.exists(new Path(given), conf)) {
      throw new io.deeppipe.transforms.card.BadInputException(
          (o.input() != null ? "--input " : "--manifest ") + given + " does not exist");
    }
    if (isDataset(o.input(), conf)) {
      RawInputs.checkCompatible(model, Cards.readDataset(new Path(o.input()), conf), o.input());
    } else if (o.splitOrAll() != null) {
      throw new io.deeppipe.transforms.card.BadInputException("--split " + o.splitOrAll()
          + " chooses a split of an ingested dataset, but " + given + " is raw data (no dataset.json)");
    }
    if (o.manifest() != null && model.image() == null) {
      throw new io.deeppipe.transforms.card.BadInputException(
          "--manifest is for image models; " + o.model() + " is a text model");
    }
    DatasetWriter.checkWritable(new Path(o.output()), o.overwrite(), conf);
    return model;
  }

  public static Summary run(SparkSession spark, PredictOptions o) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    check(o, conf);
    spark.sparkContext().setJobGroup("predict", "predict " + o.model() + " on " + (o.input() != null ? o.input() : o.manifest()), false);
    try (DatasetWriter writer = DatasetWriter.open(spark, o.output(), o.overwrite())) {
      Predictor predictor = Predictor.load(spark, o.model()).withTopK(o.topK()).withBatchSize(o.batchSize());
      RawInputs.Prepared prepared = prepare(spark, predictor.card(), o, conf);
      Dataset<Row> scored = select(predictor.transform(prepared.rows()));
      spark.sparkContext().setJobDescription("score and write predictions");
      long predicted = writer.writeTable(scored, "", o.outputFormat().arrow(), DatasetWriter.DEFAULT_ROW_GROUP_BYTES);
      Map<String, Long> rejectedByReason = writer.writeRejected(prepared.rejected());
      long rejected = rejectedByReason.values().stream().mapToLong(Long::longValue).sum();
      if (predicted + rejected != prepared.inputRecords()) {
        throw new IllegalStateException("record accounting broken: input " + prepared.inputRecords()
            + " != predicted " + predicted + " + rejected " + rejected);
      }
      if (predicted == 0) {
        throw new io.deeppipe.transforms.card.BadInputException(IngestSteps.noUsableRecord(
            (o.input() != null ? "--input " + o.input() : "--manifest " + o.manifest())
                + (o.splitOrAll() != null ? " (split " + o.splitOrAll() + ")" : ""),
            prepared.inputRecords(), rejectedByReason, 0));
      }
      Summary summary = new Summary(1, o.model(), predictor.card().model(),
          o.input() != null ? o.input() : o.manifest(), o.splitOrAll() == null ? "all" : o.splitOrAll(),
          prepared.inputRecords(), predicted, rejected, rejectedByReason, o.outputFormat().optionName(),
          Instant.now().toString(), new ModelDir(o.model(), conf).fingerprint(),
          isDataset(o.input(), conf) ? Cards.readDataset(new Path(o.input()), conf).fingerprint() : null);
      writer.publish(SUMMARY, summary);
      LOG.info("predict wrote {}: {} predicted, {} rejected {}", o.output(), predicted, rejected, rejectedByReason);
      return summary;
    } finally {
      spark.sparkContext().clearJobGroup();
    }
  }

  static RawInputs.Prepared prepare(SparkSession spark, ModelCard model, PredictOptions o, Configuration conf) {
    if (isDataset(o.input(), conf)) {
      return RawInputs.dataset(spark, model, Cards.readDataset(new Path(o.input()), conf), o.input(), o.splitOrAll());
    }
    if (o.manifest() != null && model.image() == null) {
      throw new io.deeppipe.transforms.card.BadInputException("--manifest is for image models; " + o.model() + " is a text model");
    }
    RawInputs.Preprocessing pre = RawInputs.preprocessing(spark, o.model(), model);
    return model.image() != null
        ? RawInputs.images(spark, pre, o.input(), o.manifest())
        : RawInputs.text(spark, pre, o.input(), o.format(), o.textField(), o.labelField(), o.idField());
  }

  /** The output columns, in order: id, label, source (when present), then the prediction columns. */
  static Dataset<Row> select(Dataset<Row> scored) {
    List<String> present = Arrays.asList(scored.columns());
    List<Column> cols = new ArrayList<>();
    for (String c : List.of(IngestSteps.ID, IngestSteps.LABEL, Outcomes.SOURCE, Predictor.PREDICTION,
        Predictor.PREDICTION_INDEX, Predictor.PROBABILITY, Predictor.TOP_K)) {
      if (present.contains(c)) {
        cols.add(col(c));
      }
    }
    return scored.select(cols.toArray(new Column[0]));
  }

}
