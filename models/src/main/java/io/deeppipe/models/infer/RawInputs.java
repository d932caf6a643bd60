package io.deeppipe.models.infer;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.nullif;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import io.deeppipe.transforms.ImagePreprocessorModel;
import io.deeppipe.transforms.IngestSteps;
import io.deeppipe.transforms.Outcomes;
import io.deeppipe.transforms.SplitAssigner;
import io.deeppipe.transforms.SplitAssigner.SplitFractions;
import io.deeppipe.transforms.TextPreprocessorModel;
import io.deeppipe.transforms.card.BadInputException;
import io.deeppipe.transforms.card.DatasetCard;
import io.deeppipe.transforms.card.ImageSpec;
import io.deeppipe.transforms.card.ModelCard;
import io.deeppipe.transforms.card.TextSpec;
import io.deeppipe.transforms.image.ImageIngest;
import io.deeppipe.transforms.io.DatasetWriter;
import io.deeppipe.transforms.io.SerializableConfiguration;
import io.deeppipe.transforms.io.Storage;
import io.deeppipe.transforms.text.TextFormat;
import io.deeppipe.transforms.text.TextIngest;
import io.deeppipe.transforms.text.TextIngestOptions;
import io.deeppipe.transforms.text.TextReaders;
import io.deeppipe.transforms.text.Vocabulary;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings data to a model's input columns. Raw input (text in any format ingest-text reads; images
 * as a folder or a manifest) goes through the model's fitted preprocessing: {@code
 * MODEL_DIR/preprocessor/}, the Spark ML {@code PipelineModel} that ingest saved with the dataset and
 * train copied, loaded and applied with its {@code transform} — the rows ingest wrote come out of the
 * same transform. A model without one (trained on a dataset ingested before preprocessors existed,
 * or imported from ONNX) gets the same stage built from its card. An ingested dataset is read as it
 * is, once its card agrees with the model's.
 */
public final class RawInputs {
  private static final Logger LOG = LoggerFactory.getLogger(RawInputs.class);

  private RawInputs() {}

  /** Model-ready rows ({@code id}, {@code label}, input columns, {@code source}) and bad records. */
  public record Prepared(Dataset<Row> rows, Dataset<Row> rejected, long inputRecords) {}

  /**
   * A model's preprocessing: the pipeline to transform raw input with and its one stage (a
   * {@link TextPreprocessorModel} or an {@link ImagePreprocessorModel}), whose Params name the
   * input columns it reads.
   */
  public record Preprocessing(PipelineModel pipeline, Transformer stage) {
    TextPreprocessorModel text() {
      return (TextPreprocessorModel) stage;
    }

    ImagePreprocessorModel image() {
      return (ImagePreprocessorModel) stage;
    }
  }

  /**
   * {@code MODEL_DIR/preprocessor/} loaded and checked against the model's card (kind, labels,
   * vocabulary, tensor shape: a copied-in preprocessor of another dataset is refused, naming each
   * difference); for a model without one, the same stage built from the card (and, for text, the
   * model's vocab.txt).
   */
  public static Preprocessing preprocessing(SparkSession spark, String modelDir, ModelCard card) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    Path saved = new Path(modelDir, DatasetWriter.PREPROCESSOR);
    if (!Storage.exists(saved, conf)) {
      LOG.info("{} has no {}/ (trained on a dataset ingested before preprocessors, or imported): its preprocessing"
          + " is built from model.json", modelDir, DatasetWriter.PREPROCESSOR);
      Transformer stage = card.text() != null ? fromCard(card, vocabulary(modelDir, card, conf)) : fromCard(card);
      return new Preprocessing(new PipelineModel(Identifiable$.MODULE$.randomUID("preprocessor"), new Transformer[] {stage}), stage);
    }
    PipelineModel pipeline;
    try {
      pipeline = PipelineModel.load(saved.toString());
    } catch (RuntimeException e) {
      throw new BadInputException(saved + " is not a Spark ML PipelineModel: " + e.getMessage(), e);
    }
    Transformer[] stages = pipeline.stages();
    Class<?> expected = card.text() != null ? TextPreprocessorModel.class : ImagePreprocessorModel.class;
    if (stages.length != 1 || !expected.isInstance(stages[0])) {
      throw new BadInputException(saved + " holds " + java.util.Arrays.stream(stages).map(t -> t.getClass().getSimpleName()).toList()
          + ", not the one " + expected.getSimpleName() + " of a " + card.datasetKind() + " model");
    }
    List<String> diffs = new ArrayList<>();
    if (stages[0] instanceof TextPreprocessorModel t) {
      if (!t.labels().equals(card.labels())) {
        diffs.add("labels: model " + card.labels() + ", preprocessor " + t.labels());
      }
      if (!t.vocabulary().sha256().equals(card.text().vocabSha256())) {
        diffs.add("vocabulary: model " + card.text().vocabSha256() + ", preprocessor " + t.vocabulary().sha256());
      }
      if (t.getMaxLength() != card.text().maxLength()) {
        diffs.add("max_length: model " + card.text().maxLength() + ", preprocessor " + t.getMaxLength());
      }
      if (!t.getTokenizer().optionName().equals(card.text().tokenizer())) {
        diffs.add("tokenizer: model " + card.text().tokenizer() + ", preprocessor " + t.getTokenizer().optionName());
      }
    } else {
      ImagePreprocessorModel m = (ImagePreprocessorModel) stages[0];
      ImageSpec s = card.image();
      if (!m.labels().equals(card.labels())) {
        diffs.add("labels: model " + card.labels() + ", preprocessor " + m.labels());
      }
      if (m.getHeight() != s.height() || m.getWidth() != s.width() || m.getChannels() != s.channels()) {
        diffs.add("tensor shape: model " + s.height() + "x" + s.width() + "x" + s.channels() + ", preprocessor "
            + m.getHeight() + "x" + m.getWidth() + "x" + m.getChannels());
      }
    }
    if (!diffs.isEmpty()) {
      throw new BadInputException(saved + " does not match " + modelDir + "/model.json: " + String.join("; ", diffs));
    }
    return new Preprocessing(pipeline, stages[0]);
  }

  /** A text model's preprocessing from its card: the cleaning, tokenizer and encoding it records. */
  static TextPreprocessorModel fromCard(ModelCard card, Vocabulary vocab) {
    TextSpec t = card.text();
    TextPreprocessorModel m = new TextPreprocessorModel(Identifiable$.MODULE$.randomUID("TextPreprocessor"), vocab, card.labels());
    m.set(m.lowercase(), t.lowercase());
    m.set(m.stripHtml(), t.stripHtml());
    m.set(m.tokenizer(), t.tokenizer());
    m.set(m.maxLength(), t.maxLength());
    m.set(m.truncate(), t.truncation());
    m.set(m.vocabSize(), Math.max(vocab.size(), 4));
    return m;
  }

  /** An image model's preprocessing from its card: size, channels, resize mode, pixel limit. */
  static ImagePreprocessorModel fromCard(ModelCard card) {
    ImageSpec s = card.image();
    double[] mean = s.mean() == null ? new double[s.channels()] : s.mean().stream().mapToDouble(Double::doubleValue).toArray();
    double[] std = s.std() == null ? new double[s.channels()] : s.std().stream().mapToDouble(Double::doubleValue).toArray();
    ImagePreprocessorModel m = new ImagePreprocessorModel(Identifiable$.MODULE$.randomUID("ImagePreprocessor"), mean, std, card.labels());
    m.set(m.height(), s.height());
    m.set(m.width(), s.width());
    m.set(m.channels(), s.channels());
    m.set(m.resizeMode(), s.resizeMode());
    m.set(m.maxPixels(), s.maxPixels());
    return m;
  }

  private static Vocabulary vocabulary(String modelDir, ModelCard card, Configuration conf) {
    Vocabulary vocab = Vocabulary.parse(Storage.readString(new Path(modelDir, Vocabulary.FILE_NAME), conf));
    if (!vocab.sha256().equals(card.text().vocabSha256())) {
      throw new BadInputException(modelDir + "/vocab.txt does not match the vocabulary recorded in its model.json");
    }
    return vocab;
  }

  /**
   * Raw text, read as ingest-text reads it and transformed by the model's preprocessing, its length
   * limits lifted (a dataset's choice of what to train on, not of what can be scored). Labels pass
   * through; a record without an id is named as ingest names it (from its cleaned text).
   */
  public static Prepared text(
      SparkSession spark, Preprocessing pre, String input, TextFormat format, String textField, String labelField,
      String idField) {
    TextPreprocessorModel stage = pre.text();
    TextIngestOptions o =
        new TextIngestOptions(input, "unused", false, format, textField, labelField, idField, false, false, false, 1,
            Integer.MAX_VALUE, stage.getTokenizer(), Math.max(stage.vocabulary().size(), 4), 1, stage.getMaxLength(),
            stage.getTruncate(), new SplitFractions(1, 0, 0), 0, false, 0.0);
    Dataset<Row> raw = TextReaders.read(spark, o)
        .withColumnRenamed(TextReaders.TEXT_RAW, stage.getInputCol())
        .withColumn(stage.getLabelCol(), nullif(trim(col(TextReaders.LABEL_RAW)), lit("")));
    Column hashedId = substring(sha2(stage.cleanedText(col(stage.getInputCol())), 256), 1, 20);
    // the length limits choose what a dataset keeps to train on; scoring scores every text (a long one
    // is truncated to maxLength tokens as ingest truncates)
    ParamMap scoreEveryLength = new ParamMap().put(stage.minChars().w(1)).put(stage.maxChars().w(Integer.MAX_VALUE));
    Dataset<Row> done = pre.pipeline().transform(raw, scoreEveryLength)
        .withColumn(Outcomes.REASON, coalesce(col(Outcomes.REASON), col(TextPreprocessorModel.REJECTED_REASON)))
        .withColumn(IngestSteps.ID, coalesce(nullif(trim(col(TextReaders.ID_RAW)), lit("")), hashedId))
        .select(col(IngestSteps.ID), col(stage.getLabelCol()).as(IngestSteps.LABEL), col(Outcomes.SOURCE),
            col(TextIngest.TOKEN_IDS), col(TextIngest.LENGTH), col(Outcomes.REASON),
            when(Outcomes.isRejected(), col(Outcomes.RECORD)).as(Outcomes.RECORD))
        .cache();
    Dataset<Row> rows = done.filter(Outcomes.isGood())
        .select(col(IngestSteps.ID), col(IngestSteps.LABEL), col(Outcomes.SOURCE), col(TextIngest.TOKEN_IDS),
            col(TextIngest.LENGTH));
    return new Prepared(rows, rejected(done), done.count());
  }

  /**
   * Raw image files (an ImageFolder tree or a manifest), read on the executors into Spark's
   * binaryFile shape and transformed by the model's preprocessing.
   */
  public static Prepared images(SparkSession spark, Preprocessing pre, String input, String manifest) {
    ImagePreprocessorModel stage = pre.image();
    Dataset<Row> files =
        input != null ? ImageIngest.listFolder(spark, input) : ImageIngest.readManifest(spark, manifest, false);
    Dataset<Row> read = ImageIngest.readFiles(files, new SerializableConfiguration(spark.sparkContext().hadoopConfiguration()))
        .withColumnRenamed(Outcomes.SOURCE, stage.getPathCol())
        .withColumnRenamed(ImageIngest.CONTENT, stage.getInputCol())
        .withColumnRenamed(IngestSteps.LABEL, stage.getLabelCol());
    Dataset<Row> done = pre.pipeline().transform(read)
        .withColumn(Outcomes.REASON, coalesce(col(Outcomes.REASON), col(TextPreprocessorModel.REJECTED_REASON)))
        .select(col(IngestSteps.ID), col(stage.getLabelCol()).as(IngestSteps.LABEL), col(Outcomes.SOURCE),
            col(ImageIngest.IMAGE), col(Outcomes.REASON), col(Outcomes.RECORD))
        .cache();
    Dataset<Row> rows = done.filter(Outcomes.isGood())
        .select(col(IngestSteps.ID), col(IngestSteps.LABEL), col(Outcomes.SOURCE), col(ImageIngest.IMAGE));
    return new Prepared(rows, rejected(done), done.count());
  }

  /** An ingested dataset (one split, or all), refused unless its card matches the model's. */
  public static Prepared dataset(SparkSession spark, ModelCard model, DatasetCard data, String dir, String split) {
    checkCompatible(model, data, dir);
    List<String> splits = split == null ? SplitAssigner.SPLITS : List.of(split);
    Dataset<Row> all = null;
    for (String s : splits) {
      Dataset<Row> part = spark.read().parquet(new Path(dir, "parquet/" + s).toString());
      all = all == null ? part : all.unionByName(part);
    }
    List<Column> cols = new ArrayList<>();
    for (String c : all.columns()) {
      if (!c.equals(TextIngest.TEXT) || model.text() != null) {
        cols.add(col(c));
      }
    }
    Dataset<Row> rows = all.select(cols.toArray(new Column[0]));
    Dataset<Row> none = spark.createDataFrame(List.of(), new org.apache.spark.sql.types.StructType()
        .add(Outcomes.SOURCE, "string").add(Outcomes.RECORD, "string").add(Outcomes.REASON, "string"));
    return new Prepared(rows, none, rows.count());
  }

  /** Refuses, naming each difference, a dataset that is not what the model was trained for. */
  public static void checkCompatible(ModelCard model, DatasetCard data, String dir) {
    List<String> diffs = new ArrayList<>();
    if (!model.datasetKind().equals(data.kind())) {
      diffs.add("kind: model " + model.datasetKind() + ", dataset " + data.kind());
    } else {
      if (!model.labels().equals(data.labels())) {
        diffs.add("labels: model " + model.labels() + ", dataset " + data.labels());
      }
      if (model.text() != null && data.text() != null) {
        if (!Objects.equals(model.text().vocabSha256(), data.text().vocabSha256())) {
          diffs.add("vocabulary: model " + model.text().vocabSha256() + ", dataset " + data.text().vocabSha256());
        }
        if (model.text().maxLength() != data.text().maxLength()) {
          diffs.add("max_length: model " + model.text().maxLength() + ", dataset " + data.text().maxLength());
        }
        if (!model.text().tokenizer().equals(data.text().tokenizer())) {
          diffs.add("tokenizer: model " + model.text().tokenizer() + ", dataset " + data.text().tokenizer());
        }
      }
      if (model.image() != null && data.image() != null) {
        ImageSpec m = model.image();
        ImageSpec d = data.image();
        if (m.height() != d.height() || m.width() != d.width() || m.channels() != d.channels()) {
          diffs.add("tensor shape: model " + m.height() + "x" + m.width() + "x" + m.channels() + ", dataset "
              + d.height() + "x" + d.width() + "x" + d.channels());
        }
      }
    }
    if (!diffs.isEmpty()) {
      throw new BadInputException("dataset " + dir + " does not match the model: " + String.join("; ", diffs));
    }
  }

  private static Dataset<Row> rejected(Dataset<Row> processed) {
    return processed.filter(Outcomes.isRejected())
        .select(col(Outcomes.SOURCE), col(Outcomes.RECORD), col(Outcomes.REASON));
  }
}
