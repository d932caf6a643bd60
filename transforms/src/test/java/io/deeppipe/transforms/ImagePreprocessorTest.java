package io.deeppipe.transforms;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deeppipe.transforms.SplitAssigner.SplitFractions;
import io.deeppipe.transforms.card.DatasetCard;
import io.deeppipe.transforms.image.ImageIngest;
import io.deeppipe.transforms.image.ImageIngestOptions;
import io.deeppipe.transforms.image.Resizer;
import io.deeppipe.transforms.testing.LocalSpark;
import io.deeppipe.transforms.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.param.Param;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImagePreprocessorTest {
  private final SparkSession spark = LocalSpark.session();
  @TempDir static Path shared;
  static Path tree;

  /** Real MNIST PNGs in an ImageFolder tree, a corrupt PNG and a text file among them. */
  @BeforeAll
  static void tree() throws Exception {
    tree = TestData.writeMnistPngs(shared.resolve("mnist"), 12);
    byte[] png = Files.readAllBytes(tree.resolve("3/3-0.png"));
    Files.write(tree.resolve("3/truncated.png"), Arrays.copyOf(png, png.length / 2));
    Files.writeString(tree.resolve("7/notes.png"), "not an image at all");
  }

  /** Spark's binaryFile source over the tree, with the label a user derives from the folder. */
  private Dataset<Row> binaryFiles() {
    return spark.read().format("binaryFile").option("recursiveFileLookup", "true").load(tree.toString())
        .withColumn("label", regexp_extract(col("path"), "/([0-9])/[^/]+$", 1));
  }

  @Test
  void paramsHaveDocsDefaultsAndValidatorsNamingTheParam() {
    ImagePreprocessor p = new ImagePreprocessor();
    for (Param<?> param : p.params()) {
      assertThat(param.doc()).as(param.name()).isNotBlank();
      assertThat(p.hasDefault(param)).as(param.name()).isTrue();
    }
    assertThat(Arrays.stream(p.params()).map(Param::name))
        .contains("inputCol", "pathCol", "labelCol", "height", "width", "channels", "resizeMode", "maxPixels");
    assertThatThrownBy(() -> p.set("channels", 2)).hasMessageContaining("channels must be 1 or 3, got 2");
    assertThatThrownBy(() -> p.set("height", 0)).hasMessageContaining("height must be in 1..8192, got 0");
    assertThatThrownBy(() -> p.set("resizeMode", "zoom")).hasMessageContaining("resizeMode must be one of");
    assertThatThrownBy(() -> p.set("maxPixels", 0L)).hasMessageContaining("maxPixels must be >= 1, got 0");
    assertThatThrownBy(() -> p.transformSchema(new org.apache.spark.sql.types.StructType().add("path", "string")))
        .hasMessageContaining("inputCol 'content' is not a column of the input [path]");
  }

  @Test
  void pipelineFitsOnBinaryFilesKeepsBadFilesWithReasonsAndRoundTrips() throws Exception {
    Dataset<Row> files = binaryFiles();
    ImagePreprocessor stage = new ImagePreprocessor().setSize(16, 16).setChannels(1);
    PipelineModel fitted = new Pipeline().setStages(new PipelineStage[] {stage}).fit(files);
    Dataset<Row> out = fitted.transform(files).cache();
    ImagePreprocessorModel model = (ImagePreprocessorModel) fitted.stages()[0];

    assertThat(model.labels()).containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
    assertThat(model.mean()[0]).isBetween(0.05, 0.3); // MNIST: mostly black background
    assertThat(out.count()).isEqualTo(files.count());
    assertThat(out.columns()).contains("path", "content", "image", "height", "width", "channels", "label_index",
        "source", "rejected_reason");
    Map<String, String> reasons = new HashMap<>();
    for (Row r : out.filter("rejected_reason is not null").collectAsList()) {
      reasons.put(Path.of(r.<String>getAs("source").replace("file:", "")).getFileName().toString(), r.getAs("rejected_reason"));
    }
    assertThat(reasons).containsOnlyKeys("truncated.png", "notes.png");
    assertThat(reasons.get("notes.png")).isEqualTo("not_an_image");
    Row good = out.filter("rejected_reason is null").first();
    assertThat(good.<byte[]>getAs("image")).hasSize(16 * 16);
    assertThat(good.<Integer>getAs("label_index")).isEqualTo(Integer.parseInt(good.getAs("label")));
    assertThat(out.schema().apply("image").metadata().getDoubleArray("mean")).containsExactly(model.mean());

    String dir = shared.resolve("saved").toString();
    fitted.write().save(dir);
    ImagePreprocessorModel loaded = (ImagePreprocessorModel) PipelineModel.load(dir).stages()[0];
    assertThat(loaded.mean()).containsExactly(model.mean());
    assertThat(loaded.getHeight()).isEqualTo(16);
    List<Row> before = out.select("source", "image", "label_index", "rejected_reason").orderBy("source").collectAsList();
    List<Row> after = PipelineModel.load(dir).transform(files)
        .select("source", "image", "label_index", "rejected_reason").orderBy("source").collectAsList();
    assertThat(after).hasSameSizeAs(before);
    for (int i = 0; i < before.size(); i++) {
      assertThat((byte[]) after.get(i).get(1)).isEqualTo((byte[]) before.get(i).get(1));
      assertThat(after.get(i).get(2)).isEqualTo(before.get(i).get(2));
      assertThat(after.get(i).get(3)).isEqualTo(before.get(i).get(3));
    }
  }

  @Test
  void ingestedDatasetsPreprocessorReproducesIngestsImageBytesForEveryFile() {
    String out = shared.resolve("ds").toString();
    DatasetCard card = ImageIngest.run(spark, new ImageIngestOptions(tree.toString(), null, out, false, 20, 20, 1,
        Resizer.Mode.CROP, 100_000_000L, true, SplitFractions.parse("0.8,0.1,0.1"), 42, false, 32));
    ImagePreprocessorModel model = (ImagePreprocessorModel) PipelineModel.load(out + "/preprocessor").stages()[0];
    assertThat(model.mean()[0]).isEqualTo(card.image().mean().get(0));
    assertThat(model.labels()).isEqualTo(card.labels());

    Map<String, Row> ingested = new HashMap<>();
    for (String split : SplitAssigner.SPLITS) {
      for (Row r : spark.read().parquet(out + "/parquet/" + split).collectAsList()) {
        ingested.put(r.getAs("id"), r);
      }
    }
    List<Row> transformed = PipelineModel.load(out + "/preprocessor").transform(binaryFiles()).collectAsList();
    assertThat((long) transformed.size()).isEqualTo(card.inputRecords());
    int compared = 0;
    for (Row r : transformed) {
      String source = r.getAs("source");
      String id = source.substring(source.indexOf("/mnist/") + "/mnist/".length());
      Row kept = ingested.get(id);
      if (r.getAs("rejected_reason") != null) {
        assertThat(kept).as(id).isNull();
        continue;
      }
      if (kept == null) {
        continue; // an exact duplicate of a kept file (counted in duplicatesRemoved)
      }
      assertThat(r.<byte[]>getAs("image")).as(id).isEqualTo(kept.<byte[]>getAs("image"));
      assertThat(r.<Object>getAs("label_index")).as(id).isEqualTo(kept.getAs("label_index"));
      compared++;
    }
    assertThat((long) compared).isEqualTo(card.count("train") + card.count("validation") + card.count("test"));
    assertThat(card.rejectedByReason()).containsOnlyKeys("truncated", "not_an_image");

    // ingest takes the mean/std from its first pass (each image's sums ride with its group's
    // winner); the Estimator's fit over the same kept train files learns the same numbers
    List<String> trainSources = spark.read().parquet(out + "/parquet/train").select("source").as(
        org.apache.spark.sql.Encoders.STRING()).collectAsList();
    ImagePreprocessorModel refit = new ImagePreprocessor().setSize(20, 20).setChannels(1)
        .fit(binaryFiles().filter(col("path").isin(trainSources.toArray())));
    assertThat(trainSources).hasSize((int) card.count("train"));
    assertThat(refit.mean()).containsExactly(card.image().mean().get(0));
    assertThat(refit.std()).containsExactly(card.image().std().get(0));
    assertThat(refit.std()[0]).isGreaterThan(0.1);
  }
}
