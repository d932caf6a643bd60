package io.deeppipe.models.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.deeppipe.models.Batches;
import io.deeppipe.models.Fixtures;
import io.deeppipe.models.InputSpec;
import io.deeppipe.models.ModelType;
import io.deeppipe.models.nets.Networks;
import io.deeppipe.models.train.ModelDir;
import io.deeppipe.transforms.card.BadInputException;
import io.deeppipe.transforms.card.Cards;
import io.deeppipe.transforms.card.ImageSpec;
import io.deeppipe.transforms.card.ModelCard;
import io.deeppipe.transforms.card.TextSpec;
import io.deeppipe.transforms.testing.TestData;
import java.nio.ByteBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DL4J → ONNX → ONNX Runtime: the exported graph, fed the bytes or token ids the dataset stores,
 * gives DL4J's own probabilities within 1e-4, in the JVM and in onnxruntime-node, and Debian's onnx
 * checker accepts the file.
 */
class OnnxExportTest {
  private final Configuration conf = new Configuration();
  @TempDir Path tmp;

  @Test
  void exportedMlpAndCnnGiveDl4jsProbabilitiesOnTheDatasetsBytes() throws Exception {
    List<Row> rows = new ArrayList<>();
    for (var e : TestData.mnist(10).entrySet()) {
      for (byte[] px : e.getValue()) {
        rows.add(RowFactory.create(px, e.getKey()));
      }
    }
    for (ModelType type : List.of(ModelType.MLP, ModelType.CNN)) {
      InputSpec spec = new InputSpec("image", 10, 0, 0, 28, 28, 1, new double[] {0.13}, new double[] {0.31});
      MultiLayerNetwork net = fitted(type, spec, rows);
      Path dir = modelDir(type, net, new ImageSpec(28, 28, 1, "crop", 100_000_000L, List.of(0.13), List.of(0.31)), null);
      Path file = tmp.resolve(type.optionName() + ".onnx");
      OnnxExport.run(dir.toString(), file.toString(), false, conf);
      OnnxChecker.check(file);

      double[] dl4j = net.output(new Batches(spec, type).features(rows)).dup('c').data().asDouble();
      ByteBuffer pixels = ByteBuffer.allocateDirect(rows.size() * 784);
      rows.forEach(r -> pixels.put((byte[]) r.get(0)));
      pixels.rewind();
      OrtEnvironment env = OrtEnvironment.getEnvironment();
      try (OrtSession s = env.createSession(file.toString());
          OnnxTensor in = OnnxTensor.createTensor(env, pixels, new long[] {rows.size(), 28, 28, 1},
              ai.onnxruntime.OnnxJavaType.UINT8);
          OrtSession.Result out = s.run(Map.of("image", in))) {
        assertThat(s.getOutputNames()).containsExactly(OnnxExport.OUTPUT);
        assertThat(s.getMetadata().getCustomMetadata()).containsEntry("dataset_fingerprint", "fp-test")
            .containsKey("preprocessing").containsEntry("labels", "[\"0\",\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\"]");
        float[][] onnx = (float[][]) out.get(0).getValue();
        assertThat(onnx).hasNumberOfRows(rows.size());
        for (int i = 0; i < rows.size(); i++) {
          for (int c = 0; c < 10; c++) {
            assertThat((double) onnx[i][c]).as(type + " row " + i + " class " + c).isCloseTo(dl4j[i * 10 + c], within(1e-4));
          }
        }
      }
      // import-onnx takes the export back (uint8 NHWC in, probabilities out): same probabilities
      ModelCard card = OnnxImport.run(new OnnxImport.Options(file.toString(), "0,1,2,3,4,5,6,7,8,9",
          tmp.resolve(type.optionName() + "-imported").toString(), false, null, OnnxImport.Outputs.PROBABILITIES,
          new OnnxImport.ImageContract(28, 28, 1, OnnxImport.Layout.NHWC, 1 / 255.0, new double[] {0},
              new double[] {1}, io.deeppipe.transforms.image.Resizer.Mode.CROP, 100_000_000L), null), conf);
      assertThat(card.onnx().inputType()).isEqualTo("uint8");
      byte[] model = Files.readAllBytes(file);
      double[] imported = new OnnxScorer(card, () -> model).probabilities(rows);
      for (int i = 0; i < rows.size() * 10; i++) {
        assertThat(imported[i]).as("imported " + type + " value " + i).isCloseTo(dl4j[i], within(1e-4));
      }
      assertThatThrownBy(() -> OnnxImport.check(new OnnxImport.Options(file.toString(), "0,1,2,3,4,5,6,7,8,9",
          tmp.resolve("never").toString(), false, null, OnnxImport.Outputs.PROBABILITIES,
          new OnnxImport.ImageContract(28, 28, 1, OnnxImport.Layout.NHWC, 1 / 255.0, new double[] {0.5},
              new double[] {1}, io.deeppipe.transforms.image.Resizer.Mode.CROP, 100_000_000L), null), conf))
          .isInstanceOf(BadInputException.class).hasMessageContaining("--scale, --mean and --std do not apply");
      assertThat(tmp.resolve("never")).doesNotExist();
      byte[] raw = new byte[rows.size() * 784];
      pixels.get(raw);
      double[][] node = OnnxChecker.nodeProbabilities(file, "image", "uint8", new long[] {rows.size(), 28, 28, 1}, raw);
      assertThat(node).hasNumberOfRows(rows.size());
      for (int i = 0; i < rows.size(); i++) {
        for (int c = 0; c < 10; c++) {
          assertThat(node[i][c]).as("onnxruntime-node " + type + " row " + i).isCloseTo(dl4j[i * 10 + c], within(1e-4));
        }
      }
    }
  }

  @Test
  void exportedTextMlpMasksPaddingAsDl4jDoes() throws Exception {
    int t = 12;
    InputSpec spec = Fixtures.text(50, t, 3);
    Random random = new Random(3);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      int length = 1 + random.nextInt(t);
      List<Integer> ids = new ArrayList<>();
      for (int j = 0; j < t; j++) {
        ids.add(j < length ? 3 + random.nextInt(47) : 0);
      }
      rows.add(RowFactory.create(scala.collection.JavaConverters.asScalaBuffer(ids).toSeq(), length, i % 3));
    }
    MultiLayerNetwork net = fitted(ModelType.MLP, spec, rows);
    Path dir = modelDir(ModelType.MLP, net, null,
        new TextSpec("word", true, false, t, "end", 50, 1, "sha", List.of("[PAD]", "[UNK]", "[CLS]")));
    Path file = tmp.resolve("text.onnx");
    OnnxExport.run(dir.toString(), file.toString(), false, conf);
    OnnxChecker.check(file);
    Batches batches = new Batches(spec, ModelType.MLP);
    double[] dl4j = net.output(batches.features(rows), false, batches.mask(rows), null).dup('c').data().asDouble();
    long[] ids = new long[rows.size() * t];
    for (int i = 0; i < rows.size(); i++) {
      List<Integer> r = rows.get(i).getList(0);
      for (int j = 0; j < t; j++) {
        ids[i * t + j] = r.get(j);
      }
    }
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession s = env.createSession(file.toString());
        OnnxTensor in = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), new long[] {rows.size(), t});
        OrtSession.Result out = s.run(Map.of("token_ids", in))) {
      float[][] onnx = (float[][]) out.get(0).getValue();
      for (int i = 0; i < rows.size(); i++) {
        for (int c = 0; c < 3; c++) {
          assertThat((double) onnx[i][c]).isCloseTo(dl4j[i * 3 + c], within(1e-4));
        }
      }
    }
  }

  @Test
  void layersWithoutAnOnnxMappingAreRefusedByNameAndNothingIsWritten() throws Exception {
    InputSpec spec = Fixtures.text(30, 8, 2);
    MultiLayerNetwork net = new MultiLayerNetwork(Networks.build(ModelType.LSTM, spec, Fixtures.options(ModelType.LSTM)));
    net.init();
    Path dir = modelDir(ModelType.LSTM, net, null,
        new TextSpec("word", true, false, 8, "end", 30, 1, "sha", List.of("[PAD]", "[UNK]", "[CLS]")));
    Path file = tmp.resolve("lstm.onnx");
    assertThatThrownBy(() -> OnnxExport.run(dir.toString(), file.toString(), false, conf))
        .isInstanceOf(BadInputException.class).hasMessageContaining("has no ONNX mapping")
        .hasMessageMatching("(?s).*layer \\d+ \\((LSTM|Bidirectional|LastTimeStep)[^)]*\\).*");
    assertThat(file).doesNotExist();
    try (var left = Files.list(tmp)) {
      assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".lstm.onnx"));
    }
  }

  private static MultiLayerNetwork fitted(ModelType type, InputSpec spec, List<Row> rows) {
    MultiLayerNetwork net = new MultiLayerNetwork(Networks.build(type, spec, Fixtures.options(type)));
    net.init();
    Batches batches = new Batches(spec, type);
    for (int epoch = 0; epoch < 2; epoch++) {
      net.fit(batches.toDataSet(rows));
    }
    return net;
  }

  private Path modelDir(ModelType type, MultiLayerNetwork net, ImageSpec image, TextSpec text) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve(type.optionName() + (text != null ? "-text" : "") + "-model"));
    ModelSerializer.writeModel(net, dir.resolve(ModelDir.MODEL).toFile(), false);
    List<String> labels = new ArrayList<>();
    for (int i = 0; i < net.layerSize(net.getnLayers() - 1); i++) {
      labels.add(String.valueOf(i));
    }
    ModelCard card = new ModelCard(ModelCard.SCHEMA_VERSION, type.optionName(), text != null ? "text" : "image", labels,
        "fp-test", "data", List.of(), text, image, Map.of(), List.of(), 1, 0.5, "epochs", 1, "averaging", 1,
        net.numParams(), "now", null, null);
    Files.writeString(dir.resolve(ModelCard.FILE_NAME), Cards.toJson(card));
    return dir;
  }
}
