package io.deeppipe.transforms.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deeppipe.transforms.SplitAssigner;
import io.deeppipe.transforms.card.BadInputException;
import io.deeppipe.transforms.card.Cards;
import io.deeppipe.transforms.card.DatasetCard;
import io.deeppipe.transforms.card.TextSpec;
import io.deeppipe.transforms.testing.LocalSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetWriterTest {
  private final SparkSession spark = LocalSpark.session();
  private final Configuration conf = spark.sparkContext().hadoopConfiguration();

  private Dataset<Row> rows() {
    StructType schema =
        new StructType()
            .add("id", DataTypes.StringType)
            .add("label", DataTypes.StringType)
            .add("token_ids", DataTypes.createArrayType(DataTypes.IntegerType))
            .add("image", DataTypes.BinaryType)
            .add("score", DataTypes.DoubleType)
            .add("split", DataTypes.StringType);
    List<Row> data =
        List.of(
            RowFactory.create("a", "x", List.of(3, 4, 0), new byte[] {1, 2}, 0.5, "train"),
            RowFactory.create("b", null, List.of(5, 0, 0), new byte[] {(byte) 255}, 1.5, "train"),
            RowFactory.create("c", "中文", List.of(1, 1, 1), new byte[0], -2.0, "validation"),
            RowFactory.create("d", "y", null, null, null, "test"));
    return spark.createDataFrame(data, schema).repartition(2);
  }

  private static DatasetCard card(Map<String, Long> counts, Map<String, Long> rejected) {
    return new DatasetCard(
        DatasetCard.SCHEMA_VERSION, DatasetCard.KIND_TEXT, List.of("x", "y", "中文"), counts, 5,
        rejected, 0, List.of(new DatasetCard.Column("id", "string")), "f00", "now", "src",
        new DatasetCard.SplitSpec(0.8, 0.1, 0.1, 42),
        new TextSpec("cjk", false, false, 3, "end", 6, 1, "abc", List.of("[PAD]")), null);
  }

  @Test
  void writesParquetAndArrowThatReadBackTheSameRows(@TempDir Path tmp) throws Exception {
    String out = tmp.resolve("ds").toString();
    try (DatasetWriter w = DatasetWriter.open(spark, out, false)) {
      Map<String, Long> counts =
          w.writeSplits(rows(), List.of("id", "label", "token_ids", "image", "score"), true, 1 << 20);
      assertThat(counts).containsExactly(Map.entry("train", 2L), Map.entry("validation", 1L), Map.entry("test", 1L));
      // the card's schema, known from the write, is what Parquet reads back from every split
      for (String split : List.of("train", "validation", "test")) {
        assertThat(w.schemaOf(split)).isEqualTo(
            java.util.Arrays.stream(spark.read().parquet(w.stagedPath("parquet/" + split)).schema().fields())
                .map(f -> new DatasetCard.Column(f.name(), f.dataType().simpleString())).toList());
      }
      assertThat(w.schemaOf("train")).extracting(DatasetCard.Column::type)
          .containsExactly("string", "string", "array<int>", "binary", "double");
      Dataset<Row> rejected =
          spark.createDataFrame(
              List.of(RowFactory.create("f.jsonl", "{bad", "malformed_json")),
              new StructType().add("source", "string").add("record", "string").add("reason", "string"));
      assertThat(w.writeRejected(rejected)).containsExactly(Map.entry("malformed_json", 1L));
      assertThat(tmp.resolve("ds")).doesNotExist();
      w.publish(card(counts, Map.of("malformed_json", 1L)));
    }
    assertThat(tmp.resolve("ds/dataset.json")).exists();
    try (var listing = Files.list(tmp)) {
      assertThat(listing.map(p -> p.getFileName().toString())).containsExactly("ds");
    }
    List<Row> train = spark.read().parquet(out + "/parquet/train").orderBy("id").collectAsList();
    assertThat(train).extracting(r -> r.getString(0)).containsExactly("a", "b");
    List<Map<String, Object>> arrow = ArrowIpc.readAll(out + "/arrow/train", conf);
    assertThat(arrow).hasSize(2);
    Map<String, Object> a = arrow.stream().filter(r -> r.get("id").equals("a")).findFirst().orElseThrow();
    assertThat(a.get("label")).isEqualTo("x");
    assertThat(a.get("token_ids")).isEqualTo(List.of(3, 4, 0));
    assertThat((byte[]) a.get("image")).containsExactly(1, 2);
    assertThat(a.get("score")).isEqualTo(0.5);
    Map<String, Object> c = ArrowIpc.readAll(out + "/arrow/validation", conf).get(0);
    assertThat(c.get("label")).isEqualTo("中文");
    Map<String, Object> d = ArrowIpc.readAll(out + "/arrow/test", conf).get(0);
    assertThat(d.get("token_ids")).isNull();
    assertThat(d.get("score")).isNull();
    assertThat(spark.read().parquet(out + "/rejected").first().getString(2)).isEqualTo("malformed_json");

    DatasetCard back = Cards.readDataset(new org.apache.hadoop.fs.Path(out), conf);
    assertThat(back).isEqualTo(card(Map.of("train", 2L, "validation", 1L, "test", 1L), Map.of("malformed_json", 1L)));
  }

  @Test
  void refusesAnExistingOutputUnlessOverwrite(@TempDir Path tmp) throws Exception {
    Path existing = Files.createDirectories(tmp.resolve("ds"));
    Files.writeString(existing.resolve("keep.txt"), "mine");
    assertThatThrownBy(() -> DatasetWriter.open(spark, existing.toString(), false))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("--output " + existing)
        .hasMessageContaining("--mode overwrite");
    assertThat(existing.resolve("keep.txt")).hasContent("mine");
    try (DatasetWriter w = DatasetWriter.open(spark, existing.toString(), true)) {
      w.writeSplits(rows(), List.of("id"), false, 1 << 20);
      w.publish(card(Map.of(), Map.of()));
    }
    assertThat(existing.resolve("keep.txt")).doesNotExist();
    assertThat(existing.resolve("dataset.json")).exists();
  }

  @Test
  void anUnpublishedWriterLeavesNothingBehind(@TempDir Path tmp) throws Exception {
    try (DatasetWriter w = DatasetWriter.open(spark, tmp.resolve("ds").toString(), false)) {
      w.writeSplits(rows(), List.of("id"), true, 1 << 20);
    }
    try (var listing = Files.list(tmp)) {
      assertThat(listing).isEmpty();
    }
  }
}
