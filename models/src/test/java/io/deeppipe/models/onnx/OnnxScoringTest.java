package io.deeppipe.models.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deeppipe.models.DeepClassificationModel;
import io.deeppipe.models.infer.Evaluator;
import io.deeppipe.models.infer.Predictor;
import io.deeppipe.models.infer.RawInputs;
import io.deeppipe.transforms.SplitAssigner.SplitFractions;
import io.deeppipe.transforms.card.BadInputException;
import io.deeppipe.transforms.card.Cards;
import io.deeppipe.transforms.card.ModelCard;
import io.deeppipe.transforms.card.OnnxSpec;
import io.deeppipe.transforms.image.ImageIngest;
import io.deeppipe.transforms.image.ImageIngestOptions;
import io.deeppipe.transforms.image.Resizer;
import io.deeppipe.transforms.testing.LocalSpark;
import io.deeppipe.transforms.testing.TestData;
import io.deeppipe.transforms.text.TextFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PyTorch models, exported to ONNX by make_onnx_fixtures.py, imported and scored on Spark: the
 * probabilities must be PyTorch's own (float32 arithmetic in two runtimes: within 1e-4).
 */
class OnnxScoringTest {
  private static final int PER_DIGIT = 5;
  private final SparkSession spark = LocalSpark.session();
  private final Configuration conf = new Configuration();
  @TempDir static Path shared;
  @TempDir Path tmp;
  static Path pngs;
  static JsonNode mnistExpected;

  @BeforeAll
  static void digits() throws Exception {
    pngs = TestData.writeMnistPngs(shared.resolve("png"), PER_DIGIT);
    mnistExpected = new ObjectMapper().readTree(OnnxFixtures.file("mnist-expected.json").toFile());
  }

  @Test
  void importedMlpAndCnnGivePyTorchsProbabilitiesOnRawImages() throws Exception {
    for (String kind : List.of("mlp", "cnn")) {
      String dir = tmp.resolve(kind).toString();
      ModelCard card = OnnxImport.run(kind.equals("mlp") ? OnnxFixtures.mlp(dir) : OnnxFixtures.cnn(dir), conf);
      assertThat(card.model()).isEqualTo(OnnxSpec.KIND);
      assertThat(card.onnx().sha256()).hasSize(64);
      assertThat(card.inputShape()).isEqualTo(kind.equals("mlp") ? List.of(784) : List.of(1, 28, 28));
      ModelCard read = Cards.readModel(new org.apache.hadoop.fs.Path(dir), conf);
      assertThat(read.onnx()).isEqualTo(card.onnx());

      int loadsBefore = OnnxSessions.loadsInThisJvm();
      Predictor predictor = Predictor.load(spark, dir).withBatchSize(3).withProbabilities(true);
      RawInputs.Prepared prepared = RawInputs.images(spark, RawInputs.preprocessing(spark, dir, predictor.card()), pngs.toString(), null);
      List<Row> rows = predictor.transform(prepared.rows().repartition(3)).collectAsList();
      assertThat(rows).hasSize(10 * PER_DIGIT);
      for (Row r : rows) {
        String name = Path.of(r.<String>getAs("source")).getFileName().toString(); // "<digit>-<n>.png"
        int digit = Integer.parseInt(name.substring(0, name.indexOf('-')));
        int n = Integer.parseInt(name.substring(name.indexOf('-') + 1, name.indexOf('.')));
        JsonNode expected = mnistExpected.get(kind).get(digit * PER_DIGIT + n);
        List<Double> probs = r.getList(r.fieldIndex(Predictor.PROBABILITIES));
        for (int c = 0; c < 10; c++) {
          assertThat(probs.get(c)).as(kind + " " + name + " class " + c).isCloseTo(expected.get(c).asDouble(), within(1e-4));
        }
      }
      // one session per JVM per model, however many partitions and minibatches (local[2]: one JVM)
      assertThat(OnnxSessions.loadsInThisJvm() - loadsBefore).isEqualTo(1);

      // the scoring stage is a Spark ML model like a trained one: saved with the ONNX file and its
      // contract, loaded, it gives the same probabilities
      String saved = tmp.resolve(kind + "-stage").toString();
      predictor.model().save(saved);
      DeepClassificationModel loaded = DeepClassificationModel.load(saved);
      assertThat(loaded.onnx()).isEqualTo(card.onnx());
      Map<String, Vector> expected = new HashMap<>();
      for (Row r : predictor.model().transform(prepared.rows()).collectAsList()) {
        expected.put(r.getAs("source"), r.getAs("probability"));
      }
      List<Row> again = loaded.transform(prepared.rows()).collectAsList();
      assertThat(again).hasSize(10 * PER_DIGIT);
      for (Row r : again) {
        assertThat(r.<Vector>getAs("probability")).isEqualTo(expected.get(r.<String>getAs("source")));
      }
    }
  }

  @Test
  void evaluateScoresAnIngestedDatasetWithTheImportedCnn() {
    String data = tmp.resolve("digits").toString();
    ImageIngest.run(spark, new ImageIngestOptions(pngs.toString(), null, data, false, 28, 28, 1, Resizer.Mode.CROP,
        100_000_000L, true, SplitFractions.parse("0.6,0.2,0.2"), 42, false, 32));
    String model = tmp.resolve("cnn").toString();
    OnnxImport.run(OnnxFixtures.cnn(model), conf);
    Evaluator.Metrics m = Evaluator.run(spark,
        new Evaluator.Options(model, data, "train", tmp.resolve("metrics").toString(), false, 8));
    assertThat(m.count()).isGreaterThan(20);
    assertThat(m.accuracy()).isGreaterThan(0.9); // PyTorch's own accuracy on these digits is 0.98

    String small = tmp.resolve("digits-20").toString();
    ImageIngest.run(spark, new ImageIngestOptions(pngs.toString(), null, small, false, 20, 20, 1, Resizer.Mode.CROP,
        100_000_000L, true, SplitFractions.parse("0.6,0.2,0.2"), 42, false, 32));
    assertThatThrownBy(() -> Evaluator.check(
        new Evaluator.Options(model, small, "train", tmp.resolve("never").toString(), false, 8), conf))
        .isInstanceOf(BadInputException.class).hasMessageContaining("tensor shape: model 28x28x1, dataset 20x20x1");
  }

  @Test
  void importedTextModelsTokenizeLikePyTorchAndGiveItsProbabilities() throws Exception {
    JsonNode expected = new ObjectMapper().readTree(OnnxFixtures.file("fortunes-expected.json").toFile());
    StringBuilder jsonl = new StringBuilder();
    for (int i = 0; i < expected.get("texts").size(); i++) {
      jsonl.append(new ObjectMapper().createObjectNode().put("id", "s" + i).put("text",
          expected.get("texts").get(i).asText())).append('\n');
    }
    Path input = Files.writeString(tmp.resolve("sentences.jsonl"), jsonl.toString());
    for (String file : List.of("fortunes-text.onnx", "fortunes-text-int32.onnx")) {
      String dir = tmp.resolve(file).toString();
      ModelCard card = OnnxImport.run(OnnxFixtures.text(file, dir), conf);
      assertThat(card.onnx().inputType()).isEqualTo(file.contains("int32") ? "int32" : "int64");
      Predictor predictor = Predictor.load(spark, dir).withProbabilities(true);
      RawInputs.Prepared prepared = RawInputs.text(
          spark, RawInputs.preprocessing(spark, dir, card), input.toString(), TextFormat.AUTO, "text", "label", "id");
      List<Row> rows = predictor.transform(prepared.rows()).orderBy("id").collectAsList();
      assertThat(rows).hasSize(expected.get("texts").size());
      for (int i = 0; i < rows.size(); i++) {
        Row r = rows.get(i);
        List<Integer> ids = r.getList(r.fieldIndex("token_ids"));
        for (int j = 0; j < ids.size(); j++) {
          assertThat(ids.get(j)).as("token " + j + " of sentence " + i).isEqualTo(expected.get("token_ids").get(i).get(j).asInt());
        }
        List<Double> probs = r.getList(r.fieldIndex(Predictor.PROBABILITIES));
        for (int c = 0; c < 2; c++) {
          assertThat(probs.get(c)).isCloseTo(expected.get("probabilities").get(i).get(c).asDouble(), within(1e-4));
        }
      }
    }
  }

  @Test
  void badImportsNameTheMismatchAndCreateNothing() throws Exception {
    String out = tmp.resolve("refused").toString();
    Path notOnnx = Files.writeString(tmp.resolve("model.onnx"), "this is not a protobuf");
    List<Object[]> cases = List.of(
        new Object[] {withFile(OnnxFixtures.mlp(out), notOnnx.toString()), "is not a loadable ONNX model"},
        new Object[] {withFile(OnnxFixtures.mlp(out), OnnxFixtures.file("two-inputs.onnx").toString()),
            "has 2 inputs [a, b]: choose the one the data feeds with --input-name"},
        new Object[] {new OnnxImport.Options(OnnxFixtures.file("mnist-cnn.onnx").toString(), OnnxFixtures.DIGITS, out,
            false, null, OnnxImport.Outputs.PROBABILITIES,
            OnnxFixtures.image(32, OnnxImport.Layout.NCHW, 1.0 / 255, 0, 1), null), "is float [N, 1, 28, 28] but the"
            + " contract (--size 32x32 --channels 1 --layout nchw) feeds [N, 1, 32, 32]"},
        new Object[] {withLabels(OnnxFixtures.mlp(out), "0,1,2,3,4,5,6,7,8"),
            "--labels lists 9 labels but the model's output 'output' has 10 values per row"},
        new Object[] {new OnnxImport.Options(OnnxFixtures.file("fortunes-text.onnx").toString(), "computers,science",
            out, false, null, OnnxImport.Outputs.LOGITS, OnnxFixtures.image(28, OnnxImport.Layout.FLAT, 1, 0, 1), null),
            "it takes token ids (a text model), but the contract describes images"},
        new Object[] {withFile(OnnxFixtures.text("fortunes-text.onnx", out), OnnxFixtures.file("mnist-mlp.onnx")
            .toString()), "it takes pixels or features (not token ids), but the contract describes text"});
    for (Object[] c : cases) {
      assertThatThrownBy(() -> OnnxImport.run((OnnxImport.Options) c[0], conf))
          .isInstanceOf(BadInputException.class).hasMessageContaining((String) c[1]);
      assertThat(tmp.resolve("refused")).doesNotExist();
      try (var left = Files.list(tmp)) {
        assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".refused"));
      }
    }
    OnnxImport.Options unfed = new OnnxImport.Options(OnnxFixtures.file("two-inputs.onnx").toString(),
        OnnxFixtures.DIGITS, out, false, "b", OnnxImport.Outputs.LOGITS,
        OnnxFixtures.image(28, OnnxImport.Layout.FLAT, 1.0 / 255, 0, 1), null);
    assertThatThrownBy(() -> OnnxImport.run(unfed, conf)).isInstanceOf(BadInputException.class)
        .hasMessageContaining("does not run on the contract's input 'b' alone").hasMessageContaining("Missing Input: a");
    assertThat(tmp.resolve("refused")).doesNotExist();
    OnnxImport.Options typo = new OnnxImport.Options(OnnxFixtures.file("mnist-mlp.onnx").toString(),
        OnnxFixtures.DIGITS, out, false, "pixelz", OnnxImport.Outputs.LOGITS,
        OnnxFixtures.image(28, OnnxImport.Layout.FLAT, 1.0 / 255, 0, 1), null);
    assertThatThrownBy(() -> OnnxImport.run(typo, conf)).isInstanceOf(BadInputException.class)
        .hasMessageContaining("--input-name pixelz: ").hasMessageContaining("has no such input (inputs: [pixels])");
    OnnxImport.Options chosen = new OnnxImport.Options(typo.onnx(), typo.labels(), out, false, "pixels",
        typo.outputs(), typo.image(), null);
    assertThat(OnnxImport.run(chosen, conf).onnx().inputName()).isEqualTo("pixels");
  }

  @Test
  void aChangedOrCorruptModelOnnxIsRefusedLikeACorruptModelZip() throws Exception {
    String dir = tmp.resolve("mlp").toString();
    OnnxImport.run(OnnxFixtures.mlp(dir), conf);
    Path file = Path.of(dir, OnnxSpec.FILE_NAME);
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    assertThatThrownBy(() -> Predictor.load(spark, dir)).isInstanceOf(BadInputException.class)
        .hasMessageContaining("does not match its checksum file");
    Files.delete(Path.of(dir, ".model.onnx.crc")); // changed where no checksum is kept (an object store, say)
    assertThatThrownBy(() -> Predictor.load(spark, dir)).isInstanceOf(BadInputException.class)
        .hasMessageContaining("is not the file that was imported");
    Files.delete(file);
    assertThatThrownBy(() -> Predictor.load(spark, dir)).isInstanceOf(BadInputException.class)
        .hasMessageContaining("has no model.onnx");
  }

  private static OnnxImport.Options withFile(OnnxImport.Options o, String file) {
    return new OnnxImport.Options(file, o.labels(), o.output(), o.overwrite(), o.inputName(), o.outputs(), o.image(),
        o.text());
  }

  private static OnnxImport.Options withLabels(OnnxImport.Options o, String labels) {
    return new OnnxImport.Options(o.onnx(), labels, o.output(), o.overwrite(), o.inputName(), o.outputs(), o.image(),
        o.text());
  }
}
