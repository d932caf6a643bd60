package io.deeppipe.models.infer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deeppipe.models.ModelType;
import io.deeppipe.models.TrainOptions;
import io.deeppipe.models.train.SparkTrainer;
import io.deeppipe.transforms.SplitAssigner.SplitFractions;
import io.deeppipe.transforms.card.BadInputException;
import io.deeppipe.transforms.card.Json;
import io.deeppipe.transforms.image.ImageIngest;
import io.deeppipe.transforms.image.ImageIngestOptions;
import io.deeppipe.transforms.image.Resizer;
import io.deeppipe.transforms.testing.LocalSpark;
import io.deeppipe.transforms.testing.TestData;
import io.deeppipe.transforms.text.TextFormat;
import io.deeppipe.transforms.text.TextIngest;
import io.deeppipe.transforms.text.TextIngestOptions;
import io.deeppipe.transforms.text.Tokenizer;
import io.deeppipe.transforms.text.Vocabulary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InferenceTest {
  private final SparkSession spark = LocalSpark.session();
  @TempDir static Path shared;
  static Path pngs;
  static String mnist;
  static String digitsModel;
  static String fortunes;
  static String fortunesModel;
  static Path fortunesJsonl;

  static ImageIngestOptions images(Path tree, String out, int size) {
    return new ImageIngestOptions(tree.toString(), null, out, false, size, size, 1, Resizer.Mode.CROP, 100_000_000L,
        true, SplitFractions.parse("0.8,0.1,0.1"), 42, false, 32);
  }

  static TrainOptions train(String data, String out, ModelType type) {
    return new TrainOptions(data, out, false, false, type, 3, 32, 2e-3, 7, TrainOptions.Updater.ADAM, 0, 0, 64, 32, 2,
        1, TrainOptions.Master.AVERAGING, 2, 10, 0, 5);
  }

  @BeforeAll
  static void trainModels() throws Exception {
    SparkSession spark = LocalSpark.session();
    pngs = TestData.writeMnistPngs(shared.resolve("png"), 100);
    mnist = shared.resolve("mnist").toString();
    ImageIngest.run(spark, images(pngs, mnist, 28));
    digitsModel = shared.resolve("digits-model").toString();
    SparkTrainer.train(spark, train(mnist, digitsModel, ModelType.MLP));

    StringBuilder sb = new StringBuilder();
    var writer = Json.mapper().writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT);
    for (String category : List.of("computers", "science")) {
      for (String entry : TestData.fortunes(category).subList(0, 300)) {
        ObjectNode node = Json.mapper().createObjectNode().put("text", entry).put("label", category);
        sb.append(writer.writeValueAsString(node)).append('\n');
      }
    }
    fortunesJsonl = Files.writeString(shared.resolve("fortunes.jsonl"), sb.toString());
    fortunes = shared.resolve("fortunes").toString();
    TextIngest.run(spark, new TextIngestOptions(fortunesJsonl.toString(), fortunes, false, TextFormat.AUTO, "text",
        "label", "id", true, false, true, 1, 100_000, Tokenizer.WORD, 3000, 1, 48, Vocabulary.Truncation.END,
        SplitFractions.parse("0.8,0.1,0.1"), 42, false, 0.0));
    fortunesModel = shared.resolve("fortunes-model").toString();
    SparkTrainer.train(spark, train(fortunes, fortunesModel, ModelType.MLP));
  }

  static PredictOptions predict(String model, String input, String output, String split) {
    return new PredictOptions(model, input, null, output, false, split, 3, 64, PredictOptions.OutputFormat.BOTH,
        TextFormat.AUTO, "text", "label", "id");
  }

  @Test
  void evaluateAgreesExactlyWithPredictOnTheSameSplit() throws Exception {
    String out = shared.resolve("pred-test").toString();
    BatchPredict.Summary s = BatchPredict.run(spark, predict(digitsModel, mnist, out, "test"));
    List<Row> rows = spark.read().parquet(out + "/parquet").collectAsList();
    assertThat(rows).hasSize((int) s.predicted());
    assertThat(spark.read().parquet(out + "/parquet").columns())
        .containsExactly("id", "label", "source", "prediction", "prediction_index", "probability", "top_k");
    // Arrow, written in the same pass as the Parquet, holds the same predictions
    List<String> arrow = new java.util.ArrayList<>();
    for (Map<String, Object> r : io.deeppipe.transforms.io.ArrowIpc.readAll(out + "/arrow",
        spark.sparkContext().hadoopConfiguration())) {
      arrow.add(r.get("id") + " " + r.get("prediction") + " " + r.get("probability"));
    }
    List<String> parquet = new java.util.ArrayList<>();
    for (Row r : rows) {
      parquet.add(r.getString(0) + " " + r.getString(3) + " " + r.getDouble(5));
    }
    arrow.sort(null);
    parquet.sort(null);
    assertThat(arrow).hasSize(rows.size()).isEqualTo(parquet);
    assertThat(Path.of(out, "parquet")).isDirectoryNotContaining("glob:**.arrow");
    assertThat(Path.of(out, "predictions.json")).exists();
    // Parquet alone: the write's own count is what was written, and no Arrow directory
    String parquetOnly = shared.resolve("pred-test-parquet").toString();
    BatchPredict.Summary alone = BatchPredict.run(spark, new PredictOptions(digitsModel, mnist, null, parquetOnly, false, "test",
        3, 64, PredictOptions.OutputFormat.PARQUET, TextFormat.AUTO, "text", "label", "id"));
    assertThat(alone.predicted()).isEqualTo(s.predicted()).isEqualTo(spark.read().parquet(parquetOnly + "/parquet").count());
    assertThat(Path.of(parquetOnly, "arrow")).doesNotExist();

    Evaluator.Metrics m = Evaluator.run(spark,
        new Evaluator.Options(digitsModel, mnist, "test", shared.resolve("eval").toString(), false, 64));
    long correct = rows.stream().filter(r -> r.getString(1).equals(r.getString(3))).count();
    assertThat(m.count()).isEqualTo(rows.size());
    assertThat(m.accuracy()).isEqualTo((double) correct / rows.size());
    Map<String, Long> cells = new HashMap<>();
    rows.forEach(r -> cells.merge(r.getString(1) + ">" + r.getString(3), 1L, Long::sum));
    for (int a = 0; a < 10; a++) {
      for (int p = 0; p < 10; p++) {
        assertThat(m.confusionMatrix().get(a).get(p)).isEqualTo(cells.getOrDefault(a + ">" + p, 0L));
      }
    }
    assertThat(m.perClass()).hasSize(10);
    assertThat(m.perClass().values().stream().mapToLong(Evaluator.ClassMetrics::support).sum()).isEqualTo(rows.size());
    assertThat(m.rocAuc()).isNull();
    assertThat(Path.of(shared.resolve("eval").toString(), "report.md")).content().contains("accuracy");
    assertThat(Path.of(shared.resolve("eval").toString(), "confusion.png")).isNotEmptyFile();
    assertThat(m.accuracy()).isGreaterThan(0.7);
  }

  @Test
  void binaryTasksGetARocAuc() {
    Evaluator.Metrics m = Evaluator.run(spark,
        new Evaluator.Options(fortunesModel, fortunes, "test", shared.resolve("eval-binary").toString(), false, 64));
    assertThat(m.labels()).containsExactly("computers", "science");
    assertThat(m.rocAuc()).isNotNull().isBetween(0.0, 1.0);
    assertThat(m.confusionMatrix()).hasSize(2);
    assertThat(m.macroF1()).isBetween(0.0, 1.0);
  }

  @Test
  void topKIsOrderedAndProbabilitiesSumToOne() {
    Predictor p = Predictor.load(spark, digitsModel).withTopK(10).withProbabilities(true);
    int before = Predictor.loadsInThisJvm();
    List<Row> scored = p.transform(spark.read().parquet(mnist + "/parquet/train").repartition(8)).collectAsList();
    assertThat(Predictor.loadsInThisJvm() - before).as("model loads for 8 partitions in one JVM").isLessThanOrEqualTo(1);
    // the executors know a network by its bytes: the same model loaded again, with other options, and
    // transformed again is not deserialised again
    Predictor again = Predictor.load(spark, digitsModel).withBatchSize(7).withTopK(3);
    int beforeAgain = Predictor.loadsInThisJvm();
    List<Row> rescored = again.transform(spark.read().parquet(mnist + "/parquet/train").repartition(3)).collectAsList();
    assertThat(Predictor.loadsInThisJvm() - beforeAgain).isZero();
    assertThat(rescored).hasSameSizeAs(scored);
    assertThat(rescored).allSatisfy(r -> assertThat(r.getList(r.fieldIndex("top_k"))).hasSize(3));
    for (Row r : scored) {
      List<Row> top = r.getList(r.fieldIndex("top_k"));
      assertThat(top).hasSize(10);
      double sum = 0;
      for (int i = 0; i < top.size(); i++) {
        sum += top.get(i).getDouble(1);
        if (i > 0) {
          assertThat(top.get(i).getDouble(1)).isLessThanOrEqualTo(top.get(i - 1).getDouble(1));
        }
      }
      assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
      assertThat(top.get(0).getString(0)).isEqualTo(r.getString(r.fieldIndex("prediction")));
      assertThat(r.getDouble(r.fieldIndex("probability"))).isEqualTo(top.get(0).getDouble(1));
    }
  }

  @Test
  void topIndicesAreTheLargestHighestFirstWithTiesByIndexAndNanLast() {
    assertThat(Predictor.topIndices(new double[] {0.1, 0.4, 0.1, 0.4}, 4)).containsExactly(1, 3, 0, 2);
    assertThat(Predictor.topIndices(new double[] {Double.NaN, 0.2, 0.8}, 3)).containsExactly(2, 1, 0);
    assertThat(Predictor.topIndices(new double[] {0.3, 0.7}, 1)).containsExactly(1);
  }

  @Test
  void rawImagesGoThroughTheModelsPreprocessingAndBadFilesAreRejected() throws Exception {
    Path raw = Files.createDirectories(shared.resolve("raw/unknown"));
    Files.copy(pngs.resolve("3/3-1.png"), raw.resolve("a three.png"));
    Files.copy(pngs.resolve("7/7-2.png"), raw.resolve("seven.png"));
    Files.write(raw.resolve("empty.png"), new byte[0]);
    Files.writeString(raw.resolve("notes.png"), "not an image");
    String out = shared.resolve("pred-raw").toString();
    BatchPredict.Summary s = BatchPredict.run(spark, predict(digitsModel, shared.resolve("raw").toString(), out, null));
    assertThat(s.inputRecords()).isEqualTo(4);
    assertThat(s.predicted()).isEqualTo(2);
    assertThat(s.rejectedByReason()).containsOnly(Map.entry("zero_bytes", 1L), Map.entry("not_an_image", 1L));
    List<Row> rows = spark.read().parquet(out + "/parquet").collectAsList();
    assertThat(rows).allMatch(r -> r.getString(1).equals("unknown") && r.getString(2).contains("raw/unknown/"));
    // raw PNGs at the dataset's size score exactly like their ingested rows
    Predictor p = Predictor.load(spark, digitsModel);
    Row ingested = p.transform(spark.read().parquet(mnist + "/parquet/*").where("id = '3/3-1.png'")).first();
    Row fromRaw = rows.stream().filter(r -> r.getString(0).equals("unknown/a three.png")).findFirst().orElseThrow();
    assertThat(fromRaw.getDouble(5)).isEqualTo(ingested.getDouble(ingested.fieldIndex("probability")));
  }

  @Test
  void rawTextIsScoredWithTheModelsVocabularyAndLabelsPassThrough() throws Exception {
    Path raw = shared.resolve("raw.jsonl");
    Files.writeString(raw, String.join("\n",
        "{\"id\": \"a\", \"text\": \"The computer crashed and the program lost my files.\", \"label\": \"computers\"}",
        "{\"id\": \"b\", \"text\": \"Einstein's theory of relativity and quantum physics.\", \"label\": \"anything at all\"}",
        "{\"id\": \"c\", \"text\": \"broken",
        "{\"id\": \"d\"}", ""));
    String out = shared.resolve("pred-text").toString();
    BatchPredict.Summary s = BatchPredict.run(spark, predict(fortunesModel, raw.toString(), out, null));
    assertThat(s.predicted()).isEqualTo(2);
    assertThat(s.rejectedByReason()).containsOnly(Map.entry("malformed_json", 1L), Map.entry("missing_text", 1L));
    Map<String, Row> byId = new HashMap<>();
    spark.read().parquet(out + "/parquet").collectAsList().forEach(r -> byId.put(r.getString(0), r));
    assertThat(byId.get("b").getString(1)).isEqualTo("anything at all");
    assertThat(byId.get("a").getString(3)).isIn("computers", "science");
    // raw records say where they came from, like the ingest jobs' rows
    assertThat(byId.get("a").getString(2)).endsWith("raw.jsonl");
  }

  @Test
  void predictOnRawTextIsTheSavedPreprocessorsTransformAndReproducesIngest() throws Exception {
    assertThat(Path.of(fortunesModel, "preprocessor")).as("train copies the dataset's preprocessor").isDirectory();
    // the training corpus itself, raw and without ids: every ingested row comes back under ingest's
    // id (hashed from its cleaned text) with the probabilities its ingested tokens score
    String out = shared.resolve("pred-corpus").toString();
    BatchPredict.Summary s = BatchPredict.run(spark, predict(fortunesModel, fortunesJsonl.toString(), out, null));
    assertThat(s.inputRecords()).isEqualTo(600);
    Map<String, Double> fromRaw = new HashMap<>();
    spark.read().parquet(out + "/parquet").collectAsList().forEach(r -> fromRaw.put(r.getString(0), r.getDouble(5)));
    List<Row> ingested = Predictor.load(spark, fortunesModel).transform(spark.read().parquet(fortunes + "/parquet/*"))
        .select("id", "probability").collectAsList();
    assertThat(ingested).hasSizeGreaterThan(400);
    for (Row r : ingested) {
      // equal up to float rounding: the rows are batched differently
      assertThat(fromRaw.get(r.getString(0))).as("id %s", r.getString(0))
          .isCloseTo(r.getDouble(1), org.assertj.core.data.Offset.offset(1e-6));
    }
    // and the model's input columns themselves are ingest's, bit for bit
    RawInputs.Prepared prepared = BatchPredict.prepare(spark, Predictor.load(spark, fortunesModel).card(),
        predict(fortunesModel, fortunesJsonl.toString(), out, null), spark.sparkContext().hadoopConfiguration());
    Map<String, List<Object>> tokens = new HashMap<>();
    prepared.rows().collectAsList().forEach(r -> tokens.put(r.getString(0), r.getList(r.fieldIndex("token_ids"))));
    for (Row r : spark.read().parquet(fortunes + "/parquet/*").select("id", "token_ids").collectAsList()) {
      assertThat(tokens.get(r.getString(0))).as("id %s", r.getString(0)).isEqualTo(r.getList(1));
    }

    // a model without preprocessor/ (an older dataset, an ONNX import) builds the same stage from its card
    Path legacy = shared.resolve("fortunes-legacy");
    org.apache.commons.io.FileUtils.copyDirectory(Path.of(fortunesModel).toFile(), legacy.toFile());
    org.apache.commons.io.FileUtils.deleteDirectory(legacy.resolve("preprocessor").toFile());
    String legacyOut = shared.resolve("pred-legacy").toString();
    BatchPredict.run(spark, predict(legacy.toString(), fortunesJsonl.toString(), legacyOut, null));
    Map<String, Double> fromCard = new HashMap<>();
    spark.read().parquet(legacyOut + "/parquet").collectAsList().forEach(r -> fromCard.put(r.getString(0), r.getDouble(5)));
    assertThat(fromCard).isEqualTo(fromRaw);

    // another dataset's preprocessor copied in is refused, naming what differs
    org.apache.commons.io.FileUtils.copyDirectory(Path.of(mnist, "preprocessor").toFile(), legacy.resolve("preprocessor").toFile());
    assertThatThrownBy(() -> BatchPredict.run(spark, predict(legacy.toString(), fortunesJsonl.toString(),
            shared.resolve("pred-wrong").toString(), null)))
        .isInstanceOf(BadInputException.class).hasMessageContaining("ImagePreprocessorModel")
        .hasMessageContaining("not the one TextPreprocessorModel");
  }

  @Test
  void mismatchedDatasetsAndBrokenModelsAreRefused() throws Exception {
    var conf = spark.sparkContext().hadoopConfiguration();
    assertThatThrownBy(() -> BatchPredict.check(predict(fortunesModel, mnist, shared.resolve("x1").toString(), null), conf))
        .isInstanceOf(BadInputException.class).hasMessageContaining("kind: model text, dataset image");
    String small = shared.resolve("mnist14").toString();
    ImageIngest.run(spark, images(pngs, small, 14));
    assertThatThrownBy(() -> BatchPredict.check(predict(digitsModel, small, shared.resolve("x2").toString(), null), conf))
        .hasMessageContaining("tensor shape: model 28x28x1, dataset 14x14x1");
    Path fewer = Files.createDirectories(shared.resolve("fewer"));
    for (String d : List.of("0", "1")) {
      Files.createDirectories(fewer.resolve(d));
      Files.copy(pngs.resolve(d + "/" + d + "-0.png"), fewer.resolve(d + "/x.png"));
    }
    String fewerDs = shared.resolve("fewer-ds").toString();
    ImageIngest.run(spark, images(fewer, fewerDs, 28));
    assertThatThrownBy(() -> Evaluator.check(
            new Evaluator.Options(digitsModel, fewerDs, "train", shared.resolve("x3").toString(), false, 64), conf))
        .hasMessageContaining("labels: model [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], dataset [0, 1]");

    Path broken = Files.createDirectories(shared.resolve("broken-model"));
    Files.copy(Path.of(digitsModel, "model.json"), broken.resolve("model.json"));
    Files.writeString(broken.resolve("model.zip"), "PK not really a zip");
    assertThatThrownBy(() -> Predictor.load(spark, broken.toString()))
        .isInstanceOf(BadInputException.class).hasMessageContaining("model.zip is not a complete DL4J model");
    Files.writeString(broken.resolve("model.json"), "{\"schema_version\": 1, \"model\": ");
    assertThatThrownBy(() -> Predictor.load(spark, broken.toString()))
        .isInstanceOf(BadInputException.class).hasMessageContaining("not a valid ModelCard");
  }
}
