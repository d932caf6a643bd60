package io.deeppipe.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deeppipe.transforms.testing.LocalSpark;
import io.deeppipe.transforms.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ONNX commands end to end through the CLI: a PyTorch CNN imported, inspected and used by
 * predict on raw PNGs; export-onnx refuses it (its model.onnx already is the export).
 */
class OnnxCommandsTest {
  @TempDir Path tmp;

  @Test
  void importInspectAndPredictThroughTheCli() throws Exception {
    LocalSpark.session(); // the jobs' getOrCreate reuses the tests' local[2] session
    Path fixtures = TestData.projectRoot().resolve("models/src/test/resources/onnx");
    Path pngs = TestData.writeMnistPngs(tmp.resolve("png"), 3);
    String model = tmp.resolve("torch-cnn").toString();
    Cli imported = Cli.run("import-onnx", "--onnx", fixtures.resolve("mnist-cnn.onnx").toString(), "--labels",
        "0,1,2,3,4,5,6,7,8,9", "--size", "28x28", "--channels", "1", "--layout", "nchw", "--mean", "0.1307", "--std",
        "0.3081", "--outputs", "probabilities", "--output", model);
    assertThat(imported.code()).as(imported.describe()).isZero();
    assertThat(imported.out()).contains("input 'image' [1, 28, 28] float, 10 labels, sha256 ");

    Cli inspect = Cli.run("inspect", model);
    assertThat(inspect.code()).as(inspect.describe()).isZero();
    assertThat(inspect.out()).contains("type         onnx (imported from").contains("layout nchw")
        .contains("output 'output' probabilities");

    Cli predict = Cli.run("predict", "--model", model, "--input", pngs.toString(), "--output",
        tmp.resolve("scored").toString(), "--batch-size", "4");
    assertThat(predict.code()).as(predict.describe()).isZero();
    JsonNode summary = new ObjectMapper().readTree(tmp.resolve("scored/predictions.json").toFile());
    assertThat(summary.get("predicted").asLong()).isEqualTo(30);
    assertThat(summary.get("model_type").asText()).isEqualTo("onnx");
    long right = LocalSpark.session().read().parquet(tmp.resolve("scored/parquet").toString())
        .where("prediction = label").count();
    assertThat(right).isGreaterThanOrEqualTo(27); // PyTorch's own accuracy on these digits is 0.98

    Path exported = tmp.resolve("again.onnx");
    Cli export = Cli.run("export-onnx", "--model", model, "--output", exported.toString());
    assertThat(export.code()).as("an imported model is not exported again").isEqualTo(2);
    assertThat(export.err()).contains("is an imported ONNX model");
    assertThat(exported).doesNotExist();
    assertThat(Files.list(tmp).map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".again"));
  }
}
