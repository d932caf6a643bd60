package io.deeppipe.models.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deeppipe.models.Batches;
import io.deeppipe.models.InputSpec;
import io.deeppipe.models.ModelType;
import io.deeppipe.models.TrainOptions;
import io.deeppipe.transforms.SplitAssigner;
import io.deeppipe.transforms.SplitAssigner.SplitFractions;
import io.deeppipe.transforms.card.DatasetCard;
import io.deeppipe.transforms.card.Json;
import io.deeppipe.transforms.card.ModelCard;
import io.deeppipe.transforms.testing.LocalSpark;
import io.deeppipe.transforms.testing.TestData;
import io.deeppipe.transforms.text.TextFormat;
import io.deeppipe.transforms.text.TextIngest;
import io.deeppipe.transforms.text.TextIngestOptions;
import io.deeppipe.transforms.text.Tokenizer;
import io.deeppipe.transforms.text.Vocabulary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.dataset.DataSet;

/** LSTM and Transformer on three real fortunes categories must clearly beat the majority class. */
class TextModelsTest {
  private static final List<String> CATEGORIES = List.of("computers", "politics", "science");
  private final SparkSession spark = LocalSpark.session();
  @TempDir static Path shared;
  static String data;
  static DatasetCard card;

  @BeforeAll
  static void ingest() throws Exception {
    StringBuilder sb = new StringBuilder();
    var writer = Json.mapper().writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT);
    for (String category : CATEGORIES) {
      for (String entry : TestData.fortunes(category)) {
        ObjectNode node = Json.mapper().createObjectNode().put("text", entry).put("label", category);
        sb.append(writer.writeValueAsString(node)).append('\n');
      }
    }
    Path jsonl = Files.writeString(shared.resolve("fortunes.jsonl"), sb.toString());
    data = shared.resolve("fortunes").toString();
    card = TextIngest.run(LocalSpark.session(), new TextIngestOptions(jsonl.toString(), data, false, TextFormat.AUTO,
        "text", "label", "id", true, false, true, 1, 100_000, Tokenizer.WORD, 8000, 2, 64, Vocabulary.Truncation.END,
        SplitFractions.parse("0.8,0.1,0.1"), 42, false, 0.0));
  }

  @ParameterizedTest
  @EnumSource(value = ModelType.class, names = {"LSTM", "TRANSFORMER", "MLP"})
  void beatsTheMajorityClassByAClearMargin(ModelType type) {
    String out = shared.resolve(type.optionName()).toString();
    TrainOptions o = new TrainOptions(data, out, false, false, type, 8, 32, 2e-3, 7, TrainOptions.Updater.ADAM,
        0.0, 1e-4, 64, 64, 4, 1, TrainOptions.Master.AVERAGING, 2, 10, 0, 3);
    ModelCard model = SparkTrainer.train(spark, o);

    Batches batches = new Batches(InputSpec.of(model), type);
    List<Row> rows = SparkTrainer.rows(spark, data, SplitAssigner.TEST, batches).collectAsList();
    DataSet test = batches.toDataSet(rows);
    MultiLayerNetwork net = new ModelDir(out, spark.sparkContext().hadoopConfiguration()).readNetwork(ModelDir.MODEL);
    Evaluation eval = new Evaluation(3);
    eval.eval(test.getLabels(), net.output(test.getFeatures(), false, test.getFeaturesMaskArray(), null));
    long[] perClass = new long[3];
    rows.forEach(r -> perClass[r.getInt(2)]++);
    double majority = (double) java.util.Arrays.stream(perClass).max().orElseThrow() / rows.size();
    System.out.printf("%s: test accuracy %.3f, majority baseline %.3f, %d test rows%n", type, eval.accuracy(), majority, rows.size());
    assertThat(eval.accuracy()).as(type + " vs majority " + majority).isGreaterThanOrEqualTo(majority + 0.25);

    // the model directory carries the dataset's fitted preprocessing: raw text in, the network's input out
    var pre = (io.deeppipe.transforms.TextPreprocessorModel)
        org.apache.spark.ml.PipelineModel.load(out + "/preprocessor").stages()[0];
    assertThat(pre.vocabulary().sha256()).isEqualTo(model.text().vocabSha256());
    assertThat(pre.labels()).isEqualTo(model.labels());
    assertThat(pre.getMaxLength()).isEqualTo(model.text().maxLength());
  }
}
