package io.deeppipe.models.infer;

import static org.apache.spark.sql.functions.col;

import io.deeppipe.transforms.IngestSteps;
import io.deeppipe.transforms.card.BadInputException;
import io.deeppipe.transforms.card.Cards;
import io.deeppipe.transforms.card.DatasetCard;
import io.deeppipe.transforms.card.ModelCard;
import io.deeppipe.transforms.io.DatasetWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.evaluation.classification.ROC;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The evaluate job: scores one split of a dataset with the same {@link Predictor} as
 * {@code predict}, counts the confusion matrix distributed (only labels × labels counts reach the
 * driver), and turns it into ND4J {@link Evaluation} metrics, so the numbers agree exactly with
 * what {@code predict} writes for that split. Binary tasks also get ROC AUC (ND4J {@link ROC},
 * computed per partition and merged).
 */
public final class Evaluator {
  private static final Logger LOG = LoggerFactory.getLogger(Evaluator.class);
  public static final String METRICS = "metrics.json";
  /** Thresholds of the mergeable ROC histogram. */
  private static final int ROC_STEPS = 1000;

  private Evaluator() {}

  /** {@code evaluate}'s options, validated. */
  public record Options(String model, String data, String split, String output, boolean overwrite, int batchSize) {
    public Options {
      if (model == null || model.isBlank()) {
        throw new IllegalArgumentException("--model is required");
      }
      if (data == null || data.isBlank()) {
        throw new IllegalArgumentException("--data is required");
      }
      if (output == null || output.isBlank()) {
        throw new IllegalArgumentException("--output is required");
      }
      if (!io.deeppipe.transforms.SplitAssigner.SPLITS.contains(split)) {
        throw new IllegalArgumentException("--split must be train, validation or test, got '" + split + "'");
      }
      if (batchSize < 1) {
        throw new IllegalArgumentException("--batch-size must be >= 1, got " + batchSize);
      }
    }
  }

  /** One class's metrics. */
  public record ClassMetrics(double precision, double recall, double f1, long support) {}

  /**
   * {@code metrics.json}. {@code modelFingerprint} (SHA-256 of the model file scored with) and
   * {@code datasetFingerprint} (of the dataset card) are the lineage: they hold however the folders
   * are copied or renamed. Cards written before they existed lack them and stay readable.
   */
  public record Metrics(
      int schemaVersion, String model, String data, String split, long count, double accuracy, double macroF1,
      Map<String, ClassMetrics> perClass, List<List<Long>> confusionMatrix, List<String> labels, Double rocAuc,
      String created, String modelFingerprint, String datasetFingerprint) {}

  /** Checks model, dataset and output before any work; returns the dataset card. */
  public static DatasetCard check(Options o, Configuration conf) {
    ModelCard model = Cards.readModel(new Path(o.model()), conf);
    DatasetCard data = Cards.readDataset(new Path(o.data()), conf);
    RawInputs.checkCompatible(model, data, o.data());
    if (data.count(o.split()) == 0) {
      throw new BadInputException("dataset " + o.data() + " has an empty " + o.split() + " split");
    }
    DatasetWriter.checkWritable(new Path(o.output()), o.overwrite(), conf);
    return data;
  }

  public static Metrics run(SparkSession spark, Options o) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    DatasetCard data = check(o, conf);
    spark.sparkContext().setJobGroup("evaluate", "evaluate " + o.model() + " on " + o.data() + " " + o.split(), false);
    try (DatasetWriter writer = DatasetWriter.open(spark, o.output(), o.overwrite())) {
      Predictor predictor = Predictor.load(spark, o.model()).withBatchSize(o.batchSize()).withProbabilities(true);
      ModelCard model = predictor.card();
      Dataset<Row> rows = RawInputs.dataset(spark, model, data, o.data(), o.split()).rows()
          .where(col(IngestSteps.LABEL_INDEX).isNotNull());
      Dataset<Row> scored = predictor.transform(rows)
          .select(col(IngestSteps.LABEL_INDEX), col(Predictor.PREDICTION_INDEX), col(Predictor.PROBABILITIES))
          .persist(StorageLevel.MEMORY_AND_DISK_SER());
      int n = model.labels().size();
      long[][] confusion = new long[n][n];
      for (Row r : scored.groupBy(IngestSteps.LABEL_INDEX, Predictor.PREDICTION_INDEX).count().collectAsList()) {
        confusion[r.getInt(0)][r.getInt(1)] = r.getLong(2);
      }
      Double auc = n == 2 ? rocAuc(scored) : null;
      scored.unpersist();
      Metrics metrics = metrics(model.labels(), confusion, auc, o,
          new io.deeppipe.models.train.ModelDir(o.model(), conf).fingerprint(), data.fingerprint());
      writer.writeFile("report.md", report(metrics, model));
      writer.writeFile("confusion.png", heatMap(metrics));
      writer.publish(METRICS, metrics);
      LOG.info("evaluate {} on {} {}: accuracy {}, macro F1 {}", o.model(), o.data(), o.split(), metrics.accuracy(),
          metrics.macroF1());
      return metrics;
    } finally {
      spark.sparkContext().clearJobGroup();
    }
  }

  /** Metrics from a confusion matrix (row = actual, column = predicted), through ND4J's Evaluation. */
  static Metrics metrics(List<String> labels, long[][] confusion, Double auc, Options o, String modelFingerprint,
      String datasetFingerprint) {
    int n = labels.size();
    Evaluation eval = new Evaluation(labels);
    long total = 0;
    for (int a = 0; a < n; a++) {
      for (int p = 0; p < n; p++) {
        for (long k = 0; k < confusion[a][p]; k++) {
          eval.eval(p, a);
        }
        total += confusion[a][p];
      }
    }
    Map<String, ClassMetrics> perClass = new LinkedHashMap<>();
    double f1Sum = 0;
    List<List<Long>> matrix = new ArrayList<>();
    for (int c = 0; c < n; c++) {
      long support = 0;
      List<Long> row = new ArrayList<>();
      for (int p = 0; p < n; p++) {
        support += confusion[c][p];
        row.add(confusion[c][p]);
      }
      matrix.add(row);
      double precision = finite(eval.precision(c));
      double recall = finite(eval.recall(c));
      double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
      f1Sum += f1;
      perClass.put(labels.get(c), new ClassMetrics(precision, recall, f1, support));
    }
    return new Metrics(1, o.model(), o.data(), o.split(), total, total == 0 ? 0 : finite(eval.accuracy()),
        f1Sum / n, perClass, matrix, labels, auc, Instant.now().toString(), modelFingerprint, datasetFingerprint);
  }

  private static double finite(double v) {
    return Double.isFinite(v) ? v : 0.0;
  }

  private static double rocAuc(Dataset<Row> scored) {
    ROC merged = scored.javaRDD()
        .mapPartitions((Iterator<Row> it) -> {
          ROC roc = new ROC(ROC_STEPS);
          List<Double> labels = new ArrayList<>();
          List<Double> probs = new ArrayList<>();
          while (it.hasNext()) {
            Row r = it.next();
            labels.add((double) r.getInt(0));
            probs.add(r.<Double>getList(2).get(1));
          }
          if (!labels.isEmpty()) {
            double[] l = labels.stream().mapToDouble(Double::doubleValue).toArray();
            double[] p = probs.stream().mapToDouble(Double::doubleValue).toArray();
            roc.eval(Nd4j.createFromArray(l).reshape(l.length, 1), Nd4j.createFromArray(p).reshape(p.length, 1));
          }
          return List.of(roc).iterator();
        })
        .reduce((a, b) -> {
          a.merge(b);
          return a;
        });
    return merged.calculateAUC();
  }

  static String report(Metrics m, ModelCard model) {
    StringBuilder sb = new StringBuilder();
    sb.append("# Evaluation of ").append(model.model()).append(" on the ").append(m.split()).append(" split\n\n");
    sb.append("- model: `").append(m.model()).append("`\n- dataset: `").append(m.data()).append("`\n");
    sb.append(String.format(Locale.ROOT, "- examples: %d%n- accuracy: **%.4f**%n- macro F1: %.4f%n", m.count(), m.accuracy(), m.macroF1()));
    if (m.rocAuc() != null) {
      sb.append(String.format(Locale.ROOT, "- ROC AUC: %.4f%n", m.rocAuc()));
    }
    sb.append("\n| class | precision | recall | F1 | support |\n|---|---|---|---|---|\n");
    m.perClass().forEach((label, c) -> sb.append(String.format(Locale.ROOT, "| %s | %.4f | %.4f | %.4f | %d |%n",
        label, c.precision(), c.recall(), c.f1(), c.support())));
    sb.append("\nConfusion matrix (rows = actual, columns = predicted), also in `confusion.png`:\n\n| |");
    m.labels().forEach(l -> sb.append(' ').append(l).append(" |"));
    sb.append("\n|---|");
    m.labels().forEach(l -> sb.append("---|"));
    sb.append('\n');
    for (int a = 0; a < m.labels().size(); a++) {
      sb.append("| **").append(m.labels().get(a)).append("** |");
      for (long v : m.confusionMatrix().get(a)) {
        sb.append(' ').append(v).append(" |");
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  /** The confusion matrix as a PNG heat map (x = predicted, y = actual). */
  static byte[] heatMap(Metrics m) {
    int n = m.labels().size();
    List<Number[]> heat = new ArrayList<>();
    for (int a = 0; a < n; a++) {
      for (int p = 0; p < n; p++) {
        heat.add(new Number[] {p, a, m.confusionMatrix().get(a).get(p)});
      }
    }
    HeatMapChart chart = new HeatMapChartBuilder().width(160 + 60 * n).height(120 + 60 * n)
        .title("confusion (x = predicted, y = actual)").build();
    chart.getStyler().setShowValue(true);
    chart.addSeries("counts", m.labels(), m.labels(), heat);
    try {
      return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
