package io.deeppipe.models.infer;

import static org.apache.spark.sql.functions.col;

import io.deeppipe.transforms.IngestSteps;
import io.deeppipe.transforms.Outcomes;
import io.deeppipe.transforms.SplitAssigner;
import io.deeppipe.transforms.SplitAssigner.SplitFractions;
import io.deeppipe.transforms.card.BadInputException;
import io.deeppipe.transforms.card.DatasetCard;
import io.deeppipe.transforms.card.ImageSpec;
import io.deeppipe.transforms.card.ModelCard;
import io.deeppipe.transforms.card.TextSpec;
import io.deeppipe.transforms.image.ImageIngest;
import io.deeppipe.transforms.image.Resizer;
import io.deeppipe.transforms.io.SerializableConfiguration;
import io.deeppipe.transforms.text.TextCleaner;
import io.deeppipe.transforms.text.TextFormat;
import io.deeppipe.transforms.text.TextIngest;
import io.deeppipe.transforms.text.TextIngestOptions;
import io.deeppipe.transforms.text.TextReaders;
import io.deeppipe.transforms.text.Tokenizer;
import io.deeppipe.transforms.text.Vocabulary;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Brings data to a model's input columns with exactly the preprocessing its card records, through
 * the same transforms the ingest jobs use: raw text (any format ingest-text reads), raw images (a
 * folder or a manifest), or an ingested dataset whose card must agree with the model's.
 */
public final class RawInputs {
  private RawInputs() {}

  /** Model-ready rows ({@code id}, {@code label}, input columns, {@code source} for images) and bad records. */
  public record Prepared(Dataset<Row> rows, Dataset<Row> rejected, long inputRecords) {}

  /** Raw text, cleaned, tokenized and encoded as the model's dataset was. Labels pass through. */
  public static Prepared text(
      SparkSession spark, ModelCard card, Vocabulary vocab, String input, TextFormat format, String textField,
      String labelField, String idField) {
    TextSpec t = card.text();
    TextIngestOptions o =
        new TextIngestOptions(input, "unused", false, format, textField, labelField, idField, t.lowercase(),
            t.stripHtml(), false, 1, Integer.MAX_VALUE, Tokenizer.parse(t.tokenizer()), Math.max(vocab.size(), 4), 1,
            t.maxLength(), Vocabulary.Truncation.parse(t.truncation()), new SplitFractions(1, 0, 0), 0, false, 0.0);
    Dataset<Row> cleaned =
        TextIngest.clean(TextReaders.read(spark, o), new TextCleaner.Checks(new TextCleaner(t.lowercase(), t.stripHtml()), 1, Integer.MAX_VALUE))
            .cache();
    Dataset<Row> rows =
        TextIngest.encode(cleaned.filter(Outcomes.isGood()), Tokenizer.parse(t.tokenizer()), vocab, t.maxLength(),
                Vocabulary.Truncation.parse(t.truncation()))
            .select(col(IngestSteps.ID), col(IngestSteps.LABEL), col(Outcomes.SOURCE), col(TextIngest.TEXT),
                col(TextIngest.TOKEN_IDS), col(TextIngest.LENGTH));
    return new Prepared(rows, rejected(cleaned), cleaned.count());
  }

  /** Raw image files (an ImageFolder tree or a manifest), decoded and resized as the model's dataset was. */
  public static Prepared images(SparkSession spark, ModelCard card, String input, String manifest) {
    ImageSpec s = card.image();
    Dataset<Row> files =
        input != null ? ImageIngest.listFolder(spark, input) : ImageIngest.readManifest(spark, manifest, false);
    Dataset<Row> processed =
        ImageIngest.process(files, new SerializableConfiguration(spark.sparkContext().hadoopConfiguration()),
                s.height(), s.width(), s.channels(), Resizer.Mode.parse(s.resizeMode()), s.maxPixels())
            .cache();
    Dataset<Row> rows =
        processed.filter(Outcomes.isGood())
            .select(col(IngestSteps.ID), col(IngestSteps.LABEL), col(Outcomes.SOURCE), col(ImageIngest.IMAGE));
    return new Prepared(rows, rejected(processed), processed.count());
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
