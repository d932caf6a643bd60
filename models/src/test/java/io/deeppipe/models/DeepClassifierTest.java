package io.deeppipe.models;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deeppipe.transforms.ImagePreprocessor;
import io.deeppipe.transforms.ImagePreprocessorModel;
import io.deeppipe.transforms.TextPreprocessor;
import io.deeppipe.transforms.card.Json;
import io.deeppipe.transforms.testing.LocalSpark;
import io.deeppipe.transforms.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.tuning.CrossValidator;
import org.apache.spark.ml.tuning.CrossValidatorModel;
import org.apache.spark.ml.tuning.ParamGridBuilder;
import org.apache.spark.ml.tuning.TrainValidationSplit;
import org.apache.spark.ml.tuning.TrainValidationSplitModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link DeepClassifier} as Spark users compose it: in a {@link Pipeline} after a preprocessor, on
 * raw files and raw text, scored with MLlib's evaluator, tuned by CrossValidator and
 * TrainValidationSplit, saved and loaded. Real MNIST digits and real fortunes.
 */
class DeepClassifierTest {
  private static final List<String> CATEGORIES = List.of("computers", "politics", "science");
  private final SparkSession spark = LocalSpark.session();
  @TempDir static Path shared;
  static Path tree;
  static Path jsonl;

  @BeforeAll
  static void data() throws Exception {
    tree = TestData.writeMnistPngs(shared.resolve("mnist"), 60);
    byte[] png = Files.readAllBytes(tree.resolve("3/3-0.png"));
    Files.write(tree.resolve("3/truncated.png"), Arrays.copyOf(png, png.length / 2));
    StringBuilder sb = new StringBuilder();
    var writer = Json.mapper().writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT);
    for (String category : CATEGORIES) {
      for (String entry : TestData.fortunes(category)) {
        ObjectNode node = Json.mapper().createObjectNode().put("text", entry).put("label", category);
        sb.append(writer.writeValueAsString(node)).append('\n');
      }
    }
    jsonl = Files.writeString(shared.resolve("fortunes.jsonl"), sb.toString());
  }

  /** Spark's binaryFile source over the digits, the label taken from the folder. */
  private Dataset<Row> digits() {
    return spark.read().format("binaryFile").option("recursiveFileLookup", "true").load(tree.toString())
        .withColumn("label", regexp_extract(col("path"), "/([0-9])/[^/]+$", 1));
  }

  /** About every fifth record is held out for testing (by a hash of {@code key}: stable), and the truncated PNG. */
  private static Dataset<Row>[] trainTest(Dataset<Row> df, String key) {
    Dataset<Row> test = df.where(org.apache.spark.sql.functions.abs(org.apache.spark.sql.functions.hash(col(key))).mod(5)
        .equalTo(0).or(col(key).endsWith("truncated.png")));
    Dataset<Row> train = df.except(test);
    @SuppressWarnings("unchecked")
    Dataset<Row>[] out = new Dataset[] {train, test};
    return out;
  }

  private static double accuracy(Dataset<Row> scored) {
    return new MulticlassClassificationEvaluator().setLabelCol("label_index").setMetricName("accuracy")
        .evaluate(scored.where(col("rejected_reason").isNull()));
  }

  private static PipelineStage[] stages(PipelineStage... s) {
    return s;
  }

  @Test
  void imagePipelinesFitOnRawFilesScoreAndRoundTrip() throws Exception {
    Dataset<Row>[] split = trainTest(digits(), "path");
    for (String network : List.of("mlp", "cnn")) {
      PipelineModel model = new Pipeline().setStages(stages(
          new ImagePreprocessor().setSize(28, 28).setChannels(1),
          new DeepClassifier().setNetwork(network).setEpochs(network.equals("mlp") ? 6 : 3).setLearningRate(3e-3)
              .setWorkers(2).setHidden(64))).fit(split[0]);
      Dataset<Row> scored = model.transform(split[1]).cache();

      assertThat(accuracy(scored)).as(network + " test accuracy").isGreaterThan(network.equals("mlp") ? 0.75 : 0.7);
      Row bad = scored.where(col("path").endsWith("truncated.png")).first();
      assertThat(bad.<String>getAs("rejected_reason")).isEqualTo("truncated");
      assertThat(bad.isNullAt(bad.fieldIndex("prediction"))).isTrue();
      Row good = scored.where(col("rejected_reason").isNull()).first();
      Vector p = good.getAs("probability");
      assertThat(p.size()).isEqualTo(10);
      assertThat(Arrays.stream(p.toArray()).sum()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
      assertThat(good.<Double>getAs("prediction")).isEqualTo((double) p.argmax());
      assertThat(good.<scala.collection.Seq<Row>>getAs("top_k").apply(0).getString(0))
          .isEqualTo(String.valueOf(p.argmax()));

      String saved = shared.resolve("pipeline-" + network).toString();
      model.write().overwrite().save(saved);
      List<Row> again = PipelineModel.load(saved).transform(split[1]).select("path", "prediction", "probability")
          .orderBy("path").collectAsList();
      assertThat(again).isEqualTo(scored.select("path", "prediction", "probability").orderBy("path").collectAsList());
      scored.unpersist();
    }
  }

  @Test
  void textPipelineWithAnLstmBeatsTheMajorityClass() {
    Dataset<Row> raw = spark.read().json(jsonl.toString());
    Dataset<Row>[] split = trainTest(raw, "text");
    PipelineModel model = new Pipeline().setStages(stages(
        new TextPreprocessor().setMaxLength(64),
        new DeepClassifier().setNetwork("lstm").setEpochs(8).setLearningRate(2e-3).setWorkers(2).setHidden(64)))
        .fit(split[0]);
    Dataset<Row> scored = model.transform(split[1]).cache();
    long[] perLabel = scored.where(col("rejected_reason").isNull()).groupBy("label_index").count()
        .collectAsList().stream().mapToLong(r -> r.getLong(1)).toArray();
    double majority = (double) Arrays.stream(perLabel).max().orElseThrow() / Arrays.stream(perLabel).sum();
    assertThat(accuracy(scored)).isGreaterThan(majority + 0.1);
  }

  @Test
  void crossValidatorAndTrainValidationSplitPickALearningRate() {
    ImagePreprocessorModel pre = new ImagePreprocessor().setSize(28, 28).setChannels(1).fit(digits());
    Dataset<Row> rows = pre.transform(digits()).where(col("rejected_reason").isNull()).cache();
    DeepClassifier classifier = new DeepClassifier().setEpochs(2).setWorkers(2).setHidden(32);
    ParamMap[] grid = new ParamGridBuilder().addGrid(classifier.learningRate(), new double[] {1e-5, 3e-3}).build();
    MulticlassClassificationEvaluator evaluator =
        new MulticlassClassificationEvaluator().setLabelCol("label_index").setMetricName("accuracy");

    // over a whole Pipeline on the raw files, the truncated PNG among them: the classifier skips the
    // rows it cannot score, as MLlib's evaluators need a prediction on every row
    DeepClassifier skipping = classifier.copy(new ParamMap()).setHandleInvalid("skip");
    ParamMap[] pipelineGrid =
        new ParamGridBuilder().addGrid(skipping.learningRate(), new double[] {1e-5, 3e-3}).build();
    Pipeline pipeline = new Pipeline().setStages(stages(new ImagePreprocessor().setSize(28, 28).setChannels(1), skipping));
    CrossValidatorModel cv = new CrossValidator().setEstimator(pipeline).setEstimatorParamMaps(pipelineGrid)
        .setEvaluator(evaluator).setNumFolds(2).setSeed(7).fit(digits());
    assertThat(cv.avgMetrics()).hasSize(2);
    // a learning rate of 1e-5 barely moves the weights in two epochs: the grid must prefer 3e-3
    assertThat(cv.avgMetrics()[1]).isGreaterThan(cv.avgMetrics()[0] + 0.2);
    DeepClassificationModel best = (DeepClassificationModel) ((PipelineModel) cv.bestModel()).stages()[1];
    assertThat(best.getLearningRate()).isEqualTo(3e-3);
    assertThat(evaluator.evaluate(best.transform(rows))).isGreaterThan(0.7);
    Dataset<Row> all = pre.transform(digits());
    assertThat(best.transform(all).count()).as("skip leaves out the truncated PNG only").isEqualTo(all.count() - 1);
    assertThat(best.setHandleInvalid("keep").transform(all).where(col("prediction").isNull()).count()).isEqualTo(1);

    TrainValidationSplitModel tvs = new TrainValidationSplit().setEstimator(classifier).setEstimatorParamMaps(grid)
        .setEvaluator(evaluator).setTrainRatio(0.75).setSeed(7).fit(rows);
    assertThat(tvs.validationMetrics()).hasSize(2);
    assertThat(((DeepClassificationModel) tvs.bestModel()).getLearningRate()).isEqualTo(3e-3);
    rows.unpersist();
  }

  @Test
  void paramsHaveDocsDefaultsAndValidatorsNamingTheParam() {
    DeepClassifier c = new DeepClassifier();
    for (Param<?> param : c.params()) {
      assertThat(param.doc()).as(param.name()).isNotBlank();
      if (!param.name().equals("featuresCol")) {
        assertThat(c.hasDefault(param)).as(param.name()).isTrue();
      }
    }
    assertThat(c.isDefined(c.featuresCol())).isFalse();
    assertThat(Arrays.stream(c.params()).map(Param::name)).contains("network", "epochs", "batchSize", "learningRate",
        "seed", "workers", "averagingFrequency", "patience", "checkpointDir", "validationFraction", "featuresCol",
        "labelCol", "predictionCol", "probabilityCol", "rawPredictionCol");
    c.set("epochs", 5);
    assertThat(c.getEpochs()).isEqualTo(5);
    assertThatThrownBy(() -> c.set("epochs", 0)).hasMessage("epochs must be in 1..100000, got 0");
    assertThatThrownBy(() -> c.set("learningRate", 0.0)).hasMessage("learningRate must be in (0, 10], got 0.0");
    assertThatThrownBy(() -> c.set("network", "rnn"))
        .hasMessage("network must be one of mlp, cnn, lstm, transformer, got 'rnn'");
    assertThatThrownBy(() -> c.set("validationFraction", 1.0)).hasMessage("validationFraction must be in [0, 1), got 1.0");
  }

  @Test
  void aNetworkThatDoesNotFitTheInputIsRefusedBeforeTraining() {
    Dataset<Row> text = new TextPreprocessor().fit(spark.read().json(jsonl.toString())).transform(spark.read().json(jsonl.toString()));
    assertThatThrownBy(() -> new DeepClassifier().setNetwork("cnn").fit(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("network cnn does not fit text data (text: mlp, lstm, transformer; image: mlp, cnn)");
    assertThatThrownBy(() -> new DeepClassifier().fit(digits()))
        .hasMessageStartingWith("featuresCol is unset and the input has neither token_ids (text) nor image (images)");
    Dataset<Row> noMeta = text.select(col("token_ids"), col("length"), col("label_index").plus(0).as("label_index"));
    assertThatThrownBy(() -> new DeepClassifier().fit(noMeta)).hasMessageStartingWith("labelCol 'label_index' has no labels");
  }
}
