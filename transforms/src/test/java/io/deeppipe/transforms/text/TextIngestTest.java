package io.deeppipe.transforms.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deeppipe.transforms.SplitAssigner.SplitFractions;
import io.deeppipe.transforms.card.BadInputException;
import io.deeppipe.transforms.card.DatasetCard;
import io.deeppipe.transforms.card.Json;
import io.deeppipe.transforms.io.ArrowIpc;
import io.deeppipe.transforms.testing.LocalSpark;
import io.deeppipe.transforms.testing.TestData;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextIngestTest {
  private static final List<String> CATEGORIES = List.of("computers", "politics", "science");
  private final SparkSession spark = LocalSpark.session();

  @TempDir static Path shared;
  static Path fortunesJsonl;
  static int fortuneRecords;

  static TextIngestOptions options(String input, String output, TextFormat format) {
    return new TextIngestOptions(
        input, output, false, format, "text", "label", "id", false, false, true, 1, 100_000,
        Tokenizer.CJK, 5000, 1, 32, Vocabulary.Truncation.END, SplitFractions.parse("0.8,0.1,0.1"), 42, true, 0.0);
  }

  static TextIngestOptions withMaxLength(TextIngestOptions o, int maxLength, boolean overwrite) {
    return new TextIngestOptions(
        o.input(), o.output(), overwrite, o.format(), o.textField(), o.labelField(), o.idField(),
        o.lowercase(), o.stripHtml(), o.dedup(), o.minChars(), o.maxChars(), o.tokenizer(),
        o.vocabSize(), o.minCount(), maxLength, o.truncate(), o.split(), o.seed(), o.arrow(), o.nearDupThreshold());
  }

  /** Three real fortunes categories as JSON Lines, ANSI escapes and repeated entries included. */
  @BeforeAll
  static void writeFortunes() throws Exception {
    StringBuilder sb = new StringBuilder();
    for (String category : CATEGORIES) {
      for (String entry : TestData.fortunes(category)) {
        ObjectNode node = Json.mapper().createObjectNode().put("text", entry).put("label", category);
        sb.append(Json.mapper().writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
            .writeValueAsString(node)).append('\n');
        fortuneRecords++;
      }
    }
    fortunesJsonl = shared.resolve("fortunes.jsonl");
    Files.writeString(fortunesJsonl, sb.toString());
  }

  @Test
  void ingestsRealFortunesWithExactAccountingAndBothFormatsAgree() {
    String out = shared.resolve("fortunes-ds").toString();
    DatasetCard card = TextIngest.run(spark, options(fortunesJsonl.toString(), out, TextFormat.AUTO));

    assertThat(card.inputRecords()).isEqualTo(fortuneRecords);
    assertThat(card.count("train") + card.count("validation") + card.count("test") + card.count("rejected")
            + card.duplicatesRemoved())
        .isEqualTo(card.inputRecords());
    assertThat(card.labels()).containsExactlyElementsOf(CATEGORIES);
    assertThat((double) card.count("train") / (card.inputRecords() - card.duplicatesRemoved())).isBetween(0.75, 0.85);
    assertThat(card.text().maxLength()).isEqualTo(32);
    assertThat(card.schema()).extracting(DatasetCard.Column::name)
        .containsExactly("id", "label", "label_index", "text", "token_ids", "length");

    List<String> vocab = List.of(new String(readBytes(Path.of(out, "vocab.txt")), StandardCharsets.UTF_8).split("\n"));
    assertThat(vocab.subList(0, 3)).containsExactly("[PAD]", "[UNK]", "[CLS]");
    assertThat(vocab.size()).isEqualTo(card.text().vocabSize()).isLessThanOrEqualTo(5000);

    List<Row> train = spark.read().parquet(out + "/parquet/train").collectAsList();
    assertThat(train).hasSize((int) card.count("train"));
    for (Row r : train) {
      List<Integer> ids = r.getList(r.fieldIndex("token_ids"));
      int length = r.getInt(r.fieldIndex("length"));
      assertThat(ids).hasSize(32);
      assertThat(ids.subList(0, length)).doesNotContain(0);
      assertThat(ids.subList(length, 32)).allMatch(id -> id == 0);
      assertThat(ids).allMatch(id -> id >= 0 && id < vocab.size());
      assertThat(r.getString(r.fieldIndex("text"))).doesNotContain("\u001B");
      assertThat(CATEGORIES.get(r.getInt(r.fieldIndex("label_index")))).isEqualTo(r.getString(r.fieldIndex("label")));
    }
    // the corpus has more distinct tokens than --vocab-size: the vocabulary is full
    assertThat(vocab).hasSize(5000);

    Map<String, List<Integer>> parquetRows = new HashMap<>();
    train.forEach(r -> parquetRows.put(r.getString(0), r.getList(r.fieldIndex("token_ids"))));
    List<Map<String, Object>> arrow = ArrowIpc.readAll(out + "/arrow/train", spark.sparkContext().hadoopConfiguration());
    assertThat(arrow).hasSize(train.size());
    for (Map<String, Object> a : arrow) {
      assertThat(a.get("token_ids")).isEqualTo(parquetRows.get((String) a.get("id")));
    }
  }

  @Test
  void rerunsGiveTheSameRowsSplitsAndFingerprint() {
    TextIngestOptions first = options(fortunesJsonl.toString(), shared.resolve("run1").toString(), TextFormat.JSONL);
    TextIngestOptions second = options(fortunesJsonl.toString(), shared.resolve("run2").toString(), TextFormat.JSONL);
    DatasetCard a = TextIngest.run(spark, first);
    DatasetCard b = TextIngest.run(spark, second);
    assertThat(b.fingerprint()).isEqualTo(a.fingerprint());
    assertThat(b.counts()).isEqualTo(a.counts());
    for (String split : List.of("train", "validation", "test")) {
      assertThat(spark.read().parquet(second.output() + "/parquet/" + split).except(
              spark.read().parquet(first.output() + "/parquet/" + split)).count())
          .as(split).isZero();
    }
    DatasetCard shorter = TextIngest.run(spark, withMaxLength(second, 16, true));
    assertThat(shorter.fingerprint()).isNotEqualTo(a.fingerprint());
  }

  @Test
  void everyBadRecordLandsInRejectedWithItsOwnReason(@TempDir Path tmp) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    String good =
        """
        {"id": "zh", "text": "我爱北京天安门", "label": "zh"}
        {"id": "en", "text": "\\u001b[31mHello\\u001b[0m world", "label": "en"}
        {"id": "he", "text": "שלום עולם", "label": "he"}
        {"id": "emoji", "text": "ok 👍🏽", "label": "en"}
        {"id": "dup", "text": "Hello   world", "label": "en"}
        {"id": 7, "text": "numeric id and label", "label": 3}
        {"text": "no id here", "label": "en"}
        {"id": "broken", "text": "unterminated
        [1, 2, 3]
        {"id": "notext", "label": "en"}
        {"id": "blank", "text": "   ", "label": "en"}
        {"id": "ansi-only", "text": "\\u001b[0m\\u001b[1m", "label": "en"}

        """;
    bytes.write(good.getBytes(StandardCharsets.UTF_8));
    bytes.write("{\"id\": \"latin1\", \"text\": \"caf".getBytes(StandardCharsets.UTF_8));
    bytes.write(new byte[] {(byte) 0xE9, (byte) 0xFF});
    bytes.write("\", \"label\": \"fr\"}\n".getBytes(StandardCharsets.UTF_8));
    Path input = tmp.resolve("edge.jsonl");
    Files.write(input, bytes.toByteArray());
    String out = tmp.resolve("ds").toString();
    TextIngestOptions o =
        new TextIngestOptions(input.toString(), out, false, TextFormat.AUTO, "text", "label", "id", false, false,
            true, 1, 100_000, Tokenizer.CJK, 100, 1, 8, Vocabulary.Truncation.END,
            SplitFractions.parse("1,0,0"), 42, true, 0.0);
    DatasetCard card = TextIngest.run(spark, o);

    assertThat(card.inputRecords()).isEqualTo(13);
    assertThat(card.rejectedByReason())
        .containsOnly(
            Map.entry("malformed_json", 2L), Map.entry("missing_text", 2L),
            Map.entry("empty_after_cleaning", 1L), Map.entry("invalid_utf8", 1L));
    assertThat(card.duplicatesRemoved()).isEqualTo(1);
    assertThat(card.count("train")).isEqualTo(6);
    assertThat(card.labels()).containsExactly("3", "en", "he", "zh");

    Map<String, Row> byId = new HashMap<>();
    spark.read().parquet(out + "/parquet/train").collectAsList().forEach(r -> byId.put(r.getString(0), r));
    // "en" and "dup" clean to the same text: the smaller id is kept, whatever the input order
    assertThat(byId).containsKeys("zh", "dup", "he", "emoji", "7");
    assertThat(byId).doesNotContainKey("en");
    assertThat(byId.get("dup").getString(3)).isEqualTo("Hello world");
    // Chinese becomes one token per character, none of them unknown
    Row zh = byId.get("zh");
    assertThat(zh.getInt(zh.fieldIndex("length"))).isEqualTo(7);
    assertThat(zh.<Integer>getList(zh.fieldIndex("token_ids")).subList(0, 7)).doesNotContain(0, 1);
    // the vocabulary was built from the train split, which here is everything: no unknown tokens
    assertThat(byId.values().stream().flatMap(r -> r.<Integer>getList(r.fieldIndex("token_ids")).stream())).doesNotContain(1);
    Row noId = byId.values().stream().filter(r -> r.getString(3).equals("no id here")).findFirst().orElseThrow();
    assertThat(noId.getString(0)).hasSize(20).matches("[0-9a-f]+");

    List<Row> rejected = spark.read().parquet(out + "/rejected").collectAsList();
    assertThat(rejected).hasSize(6);
    assertThat(rejected).allMatch(r -> r.getString(0).endsWith("edge.jsonl"));
    assertThat(rejected.stream().filter(r -> r.getString(2).equals("invalid_utf8")).findFirst().orElseThrow().getString(1))
        .contains("latin1");
  }

  @Test
  void readsCsvParquetPlainTextAndFolderTrees(@TempDir Path tmp) throws Exception {
    Path csv = tmp.resolve("in.csv");
    Files.writeString(csv, "label,text,extra\nen,\"Hello, world\",1\nzh,\"你好\n世界\",2\nen,too,many,fields,here\n");
    DatasetCard fromCsv = TextIngest.run(spark, options(csv.toString(), tmp.resolve("csv-ds").toString(), TextFormat.AUTO));
    assertThat(fromCsv.inputRecords()).isEqualTo(3);
    assertThat(fromCsv.rejectedByReason()).containsOnly(Map.entry("malformed_csv", 1L));

    spark.read().parquet(tmp.resolve("csv-ds/parquet/train").toString()).select("id", "label", "text")
        .write().parquet(tmp.resolve("in.parquet").toString());
    DatasetCard fromParquet =
        TextIngest.run(spark, options(tmp.resolve("in.parquet").toString(), tmp.resolve("pq-ds").toString(), TextFormat.PARQUET));
    assertThat(fromParquet.inputRecords()).isEqualTo(fromCsv.count("train"));

    Path txt = tmp.resolve("lines.txt");
    Files.writeString(txt, "first line\n\nsecond line\nfirst line\n");
    DatasetCard fromText = TextIngest.run(spark, options(txt.toString(), tmp.resolve("txt-ds").toString(), TextFormat.AUTO));
    assertThat(fromText.inputRecords()).isEqualTo(3);
    assertThat(fromText.duplicatesRemoved()).isEqualTo(1);
    assertThat(fromText.labels()).isEmpty();

    Path tree = tmp.resolve("tree dir");
    for (String label : List.of("sport", "météo")) {
      Files.createDirectories(tree.resolve(label));
      for (int i = 0; i < 3; i++) {
        Files.writeString(tree.resolve(label).resolve("doc " + i + ".txt"), label + " document number " + i + "\nsecond line");
      }
    }
    String treeOut = tmp.resolve("tree-ds").toString();
    DatasetCard fromTree = TextIngest.run(spark, options(tree.toString(), treeOut, TextFormat.AUTO));
    assertThat(fromTree.inputRecords()).isEqualTo(6);
    assertThat(fromTree.labels()).containsExactly("météo", "sport");
    List<Row> docs = new ArrayList<>();
    for (String split : List.of("train", "validation", "test")) {
      docs.addAll(spark.read().parquet(treeOut + "/parquet/" + split).collectAsList());
    }
    assertThat(docs).allMatch(r -> r.getString(3).startsWith(r.getString(1) + " document number") && r.getString(3).endsWith("second line"));
  }

  @Test
  void nearDuplicatesAreFoundWithMinHashAndCounted(@TempDir Path tmp) throws Exception {
    Path input = tmp.resolve("near.jsonl");
    Files.writeString(input, String.join("\n",
        "{\"id\": \"a\", \"text\": \"the quick brown fox jumps over the lazy dog near the river bank today\"}",
        "{\"id\": \"b\", \"text\": \"the quick brown fox jumps over the lazy dog near the river bank tonight\"}",
        "{\"id\": \"c\", \"text\": \"a completely different sentence about spark clusters and parquet files\"}",
        "{\"id\": \"d\", \"text\": \"yet another unrelated line on neural networks trained with averaging\"}", ""));
    TextIngestOptions base = options(input.toString(), tmp.resolve("ds").toString(), TextFormat.AUTO);
    TextIngestOptions near = new TextIngestOptions(base.input(), base.output(), false, base.format(), "text", "label",
        "id", false, false, true, 1, 100_000, Tokenizer.WORD, 100, 1, 16, Vocabulary.Truncation.END,
        SplitFractions.parse("1,0,0"), 42, false, 0.7);
    DatasetCard card = TextIngest.run(spark, near);
    assertThat(card.inputRecords()).isEqualTo(4);
    assertThat(card.duplicatesRemoved()).isEqualTo(1);
    assertThat(spark.read().parquet(tmp.resolve("ds/parquet/train").toString()).select("id").collectAsList())
        .extracting(r -> r.getString(0)).containsExactlyInAnyOrder("a", "c", "d");
    DatasetCard exactOnly = TextIngest.run(spark, withMaxLength(base, 16, true));
    assertThat(exactOnly.duplicatesRemoved()).isZero();
    assertThatThrownBy(() -> new TextIngestOptions(base.input(), base.output(), false, base.format(), "text", "label",
        "id", false, false, true, 1, 100_000, Tokenizer.WORD, 100, 1, 16, Vocabulary.Truncation.END,
        SplitFractions.parse("1,0,0"), 42, false, 1.5)).hasMessageContaining("--near-dup-threshold");
  }

  @Test
  void missingInputAndMissingColumnsAreBadInput(@TempDir Path tmp) throws Exception {
    assertThatThrownBy(() -> TextIngest.run(spark, options(tmp.resolve("nope.jsonl").toString(), tmp.resolve("o").toString(), TextFormat.AUTO)))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("--input " + tmp.resolve("nope.jsonl") + " does not exist");
    Path csv = tmp.resolve("x.csv");
    Files.writeString(csv, "body,label\nhi,en\n");
    assertThatThrownBy(() -> TextIngest.run(spark, options(csv.toString(), tmp.resolve("o").toString(), TextFormat.AUTO)))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("--text-field 'text'")
        .hasMessageContaining("[body, label]");
    assertThat(tmp.resolve("o")).doesNotExist();
  }

  /**
   * An ingest that fails after its first pass (no usable record: found once everything is counted)
   * leaves no disk cache behind in the session, as one that succeeds does not: a notebook's
   * session lives on after a failed cell.
   */
  @Test
  void aFailedIngestLeavesNothingCached(@TempDir Path tmp) throws Exception {
    Path bad = tmp.resolve("bad.jsonl");
    Files.writeString(bad, "{\"text\": \"   \"}\n{not json\n{\"text\": \"\\u001B[31m\"}\n");
    int cached = spark.sparkContext().getPersistentRDDs().size();
    assertThatThrownBy(() -> TextIngest.run(spark, options(bad.toString(), tmp.resolve("o").toString(), TextFormat.AUTO)))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("no usable record");
    assertThat(spark.sparkContext().getPersistentRDDs().size()).as("caches left").isEqualTo(cached);
    assertThat(tmp.resolve("o")).doesNotExist();
  }

  private static byte[] readBytes(Path p) {
    try {
      return Files.readAllBytes(p);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
