package io.deeppipe.transforms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.SerializationFeature;
import io.deeppipe.transforms.SplitAssigner.SplitFractions;
import io.deeppipe.transforms.card.DatasetCard;
import io.deeppipe.transforms.card.Json;
import io.deeppipe.transforms.testing.LocalSpark;
import io.deeppipe.transforms.testing.TestData;
import io.deeppipe.transforms.text.TextFormat;
import io.deeppipe.transforms.text.TextIngest;
import io.deeppipe.transforms.text.TextIngestOptions;
import io.deeppipe.transforms.text.Tokenizer;
import io.deeppipe.transforms.text.Vocabulary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.attribute.Attribute;
import org.apache.spark.ml.attribute.NominalAttribute;
import org.apache.spark.ml.param.Param;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextPreprocessorTest {
  private static final List<String> CATEGORIES = List.of("computers", "politics", "science");
  private final SparkSession spark = LocalSpark.session();

  @TempDir static Path shared;
  static Path corpus;

  /** Real fortunes plus the dirty cases every check must treat as ingest does. */
  @BeforeAll
  static void writeCorpus() throws Exception {
    StringBuilder sb = new StringBuilder();
    for (String category : CATEGORIES) {
      for (String entry : TestData.fortunes(category)) {
        sb.append(line(Map.of("text", entry, "label", category)));
      }
    }
    sb.append(line(Map.of("text", "   ", "label", "science")));            // missing
    sb.append(line(Map.of("text", "\t", "label", "science")));             // empty after cleaning
    sb.append(line(Map.of("text", "\u001B[31m\u001B[0m", "label", "science"))); // only ANSI
    sb.append(line(Map.of("label", "politics")));                          // no text field
    sb.append(line(Map.of("text", "x".repeat(3000), "label", "computers"))); // too long
    sb.append(line(Map.of("text", "東京で会議 meeting in Tokyo", "label", " politics ")));
    sb.append(line(Map.of("text", "an unlabelled but fine text")));
    corpus = shared.resolve("corpus.jsonl");
    Files.writeString(corpus, sb.toString());
  }

  private static String line(Map<String, String> fields) throws Exception {
    return Json.mapper().writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(fields) + "\n";
  }

  private static TextIngestOptions options(String output) {
    return new TextIngestOptions(corpus.toString(), output, false, TextFormat.AUTO, "text", "label", "id", true, false,
        true, 1, 2000, Tokenizer.CJK, 3000, 2, 24, Vocabulary.Truncation.END, SplitFractions.parse("0.8,0.1,0.1"), 42,
        false, 0.0);
  }

  @Test
  void paramsAreDeclaredOnceWithDocsDefaultsAndValidatorsAndSettableByName() {
    TextPreprocessor p = new TextPreprocessor();
    List<String> names = new ArrayList<>();
    for (Param<?> param : p.params()) {
      names.add(param.name());
      assertThat(param.doc()).as(param.name()).isNotBlank();
      assertThat(p.hasDefault(param)).as(param.name()).isTrue();
    }
    assertThat(names).contains("inputCol", "labelCol", "idCol", "lowercase", "stripHtml", "minChars", "maxChars",
        "tokenizer", "vocabSize", "minCount", "maxLength", "truncate");
    p.set("maxLength", 64);
    assertThat(p.getMaxLength()).isEqualTo(64);
    assertThat(p.explainParams()).contains("maxLength", "current: 64");
    assertThatThrownBy(() -> p.set("maxLength", 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxLength must be in 1..100000, got 0");
    assertThatThrownBy(() -> p.set("tokenizer", "bpe")).hasMessageContaining("tokenizer must be one of word, char, cjk, got 'bpe'");
    assertThatThrownBy(() -> p.set("vocabSize", 3)).hasMessageContaining("vocabSize must be in 4..");
    assertThatThrownBy(() -> p.set("minCount", 0)).hasMessageContaining("minCount");
    assertThatThrownBy(() -> p.set("truncate", "middle")).hasMessageContaining("truncate must be one of end, start");
    p.set("minChars", 10).set("maxChars", 5);
    assertThatThrownBy(() -> p.transformSchema(new org.apache.spark.sql.types.StructType().add("text", "string")))
        .hasMessageContaining("minChars must be <= maxChars, got 10 > 5");
    assertThatThrownBy(() -> new TextPreprocessor().transformSchema(new org.apache.spark.sql.types.StructType().add("body", "string")))
        .hasMessageContaining("inputCol 'text' is not a column of the input [body]");
    assertThatThrownBy(() -> new TextPreprocessor().transformSchema(new org.apache.spark.sql.types.StructType().add("text", "int")))
        .hasMessageContaining("inputCol 'text' must be a string column, got int");
  }

  @Test
  void pipelineFitsOnRawJsonTransformsEveryRowAndRoundTripsThroughSaveAndLoad() throws Exception {
    Dataset<Row> raw = spark.read().json(corpus.toString());
    TextPreprocessor stage = new TextPreprocessor().setMaxLength(24).setVocabSize(500).setMinCount(2);
    stage.set("maxChars", 2000);
    PipelineModel fitted = new Pipeline().setStages(new PipelineStage[] {stage}).fit(raw);
    Dataset<Row> out = fitted.transform(raw);

    TextPreprocessorModel model = (TextPreprocessorModel) fitted.stages()[0];
    assertThat(model.labels()).containsExactlyElementsOf(CATEGORIES);
    assertThat(model.vocabulary().size()).isEqualTo(500);
    assertThat(out.count()).isEqualTo(raw.count());
    assertThat(out.columns()).contains("text", "label", "token_ids", "length", "label_index", "rejected_reason");
    Map<String, Long> reasons = new HashMap<>();
    for (Row r : out.groupBy("rejected_reason").count().collectAsList()) {
      reasons.put(r.getString(0), r.getLong(1));
    }
    assertThat(reasons).containsEntry("missing_text", 2L).containsEntry("empty_after_cleaning", 2L)
        .containsEntry("too_long", 1L);
    assertThat(out.filter("rejected_reason is not null and (token_ids is not null or label_index is not null)").count()).isZero();
    Row cjk = out.filter("text like '東京%'").first();
    assertThat(cjk.<Integer>getAs("label_index")).isEqualTo(1);
    assertThat(cjk.<scala.collection.Seq<Integer>>getAs("token_ids").size()).isEqualTo(24);
    assertThat(out.filter("label is null and text like 'an unlabelled%'").first().<Object>getAs("label_index")).isNull();
    Attribute attr = Attribute.fromStructField(out.schema().apply("label_index"));
    assertThat(((NominalAttribute) attr).values().get()).containsExactly("computers", "politics", "science");
    assertThat(out.schema().apply("token_ids").metadata().getLong(TextPreprocessorModel.META_VOCAB_SIZE)).isEqualTo(500);

    String dir = shared.resolve("saved-pipeline").toString();
    fitted.write().save(dir);
    Dataset<Row> again = PipelineModel.load(dir).transform(raw);
    assertThat(again.select("token_ids", "length", "label_index", "rejected_reason").collectAsList())
        .isEqualTo(out.select("token_ids", "length", "label_index", "rejected_reason").collectAsList());
    TextPreprocessorModel loaded = (TextPreprocessorModel) PipelineModel.load(dir).stages()[0];
    assertThat(loaded.getMaxLength()).isEqualTo(24);
    assertThat(loaded.uid()).isEqualTo(model.uid());
    assertThat(loaded.vocabulary().tokens()).isEqualTo(model.vocabulary().tokens());
  }

  @Test
  void ingestedDatasetsPreprocessorReproducesIngestOnEveryRawRecord() {
    String out = shared.resolve("ds").toString();
    DatasetCard card = TextIngest.run(spark, options(out));
    PipelineModel pre = PipelineModel.load(out + "/preprocessor");
    Dataset<Row> raw = spark.read().json(corpus.toString());
    Dataset<Row> transformed = pre.transform(raw).cache();
    assertThat(transformed.count()).isEqualTo(card.inputRecords());

    // every kept row of every split: the same token ids and label index from its raw text
    Dataset<Row> ingested = spark.read().parquet(out + "/parquet/train")
        .unionByName(spark.read().parquet(out + "/parquet/validation"))
        .unionByName(spark.read().parquet(out + "/parquet/test"));
    Map<String, Row> byCleaned = new HashMap<>();
    for (Row r : ingested.collectAsList()) {
      byCleaned.put(r.getAs("text"), r);
    }
    long compared = 0;
    TextPreprocessorModel model = (TextPreprocessorModel) pre.stages()[0];
    io.deeppipe.transforms.text.TextCleaner.Checks checks = model.getChecks();
    for (Row r : transformed.filter("rejected_reason is null").collectAsList()) {
      Row kept = byCleaned.get(checks.apply(r.getAs("text")).text());
      assertThat(kept).as("a good raw row is kept by ingest (or a duplicate of a kept one)").isNotNull();
      assertThat(r.<scala.collection.Seq<Integer>>getAs("token_ids")).isEqualTo(kept.<scala.collection.Seq<Integer>>getAs("token_ids"));
      assertThat(r.<Integer>getAs("length")).isEqualTo(kept.<Integer>getAs("length"));
      assertThat(r.<Object>getAs("label_index")).isEqualTo(kept.getAs("label_index"));
      compared++;
    }
    assertThat(compared).isEqualTo(card.inputRecords() - card.count("rejected"));
    // and what ingest rejected, the model rejects with the same reasons
    Map<String, Long> reasons = new HashMap<>();
    for (Row r : transformed.filter("rejected_reason is not null").groupBy("rejected_reason").count().collectAsList()) {
      reasons.put(r.getString(0), r.getLong(1));
    }
    assertThat(reasons).isEqualTo(card.rejectedByReason());
  }
}
