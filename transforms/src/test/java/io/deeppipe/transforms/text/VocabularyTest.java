package io.deeppipe.transforms.text;

import static org.apache.spark.sql.functions.asc;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.desc;
import static org.apache.spark.sql.functions.explode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deeppipe.transforms.testing.LocalSpark;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

class VocabularyTest {
  private final SparkSession spark = LocalSpark.session();

  private Dataset<Row> docs(String... texts) {
    return spark.createDataset(List.of(texts), Encoders.STRING()).toDF(TextIngest.TEXT);
  }

  private static Vocabulary build(Dataset<Row> docs, int size, int minCount) {
    return Vocabulary.build(docs, TextIngest.TEXT, Tokenizer.WORD, size, minCount);
  }

  /** The vocabulary as a plain Spark query: explode the token arrays, count, order, take the top. */
  private static List<String> explodedTopTokens(Dataset<Row> docs, Tokenizer tokenizer, int size, int minCount) {
    return TextIngest.tokenize(docs, tokenizer)
        .select(explode(col(TextIngest.TOKENS)).as("token"))
        .groupBy("token").count()
        .filter(col("count").geq(minCount))
        .orderBy(desc("count"), asc("token"))
        .limit(size - Vocabulary.SPECIALS.size())
        .collectAsList().stream().map(r -> r.getString(0)).toList();
  }

  @Test
  void boundedPartialCountsGiveTheSameVocabularyAsCountingEveryTokenOnRealText() throws Exception {
    List<String> texts = new java.util.ArrayList<>();
    for (String category : List.of("computers", "science", "literature")) {
      texts.addAll(io.deeppipe.transforms.testing.TestData.fortunes(category));
    }
    Dataset<Row> docs = spark.createDataset(texts, Encoders.STRING()).toDF(TextIngest.TEXT).repartition(3);
    for (Tokenizer tokenizer : Tokenizer.values()) {
      List<String> expected = explodedTopTokens(docs, tokenizer, 2000, 2);
      assertThat(expected).as("tokens seen at least twice").hasSizeGreaterThan(50);
      for (int partial : List.of(50, Vocabulary.PARTIAL_COUNTS)) { // 50: the map is emitted and cleared many times
        Vocabulary v = Vocabulary.build(docs, TextIngest.TEXT, tokenizer, 2000, 2, partial);
        assertThat(v.tokens().subList(Vocabulary.SPECIALS.size(), v.size()))
            .as(tokenizer + ", partial counts of " + partial).isEqualTo(expected);
      }
    }
  }

  @Test
  void ordersByCountThenTokenAfterTheSpecials() {
    Vocabulary v = build(docs("b a c a", "a b d", "e"), 100, 1);
    assertThat(v.tokens()).containsExactly("[PAD]", "[UNK]", "[CLS]", "a", "b", "c", "d", "e");
  }

  @Test
  void sizeIncludesSpecialsAndMinCountFilters() {
    Vocabulary v = build(docs("b a c a", "a b d", "e"), 4, 1);
    assertThat(v.tokens()).containsExactly("[PAD]", "[UNK]", "[CLS]", "a");
    Vocabulary frequent = build(docs("b a c a", "a b d", "e"), 100, 2);
    assertThat(frequent.tokens()).containsExactly("[PAD]", "[UNK]", "[CLS]", "a", "b");
  }

  /**
   * Encoding a text straight from the tokenizer's scan (no string per token, the scan stopped at
   * the last kept token) gives exactly the ids and length of encoding its token list, on real text
   * with known and unknown tokens, every tokenizer, both truncations and short and long limits, also
   * after the vocabulary went through Java serialization (as in a task's closure).
   */
  @Test
  void encodingATextByItsScanIsEncodingItsTokens() throws Exception {
    List<String> texts = new java.util.ArrayList<>(io.deeppipe.transforms.testing.TestData.fortunes("computers"));
    texts.add("ｶﾀｶﾅ ㈱ ① ⅻ x\u00A0y\u2028z\u2029 \u000B a\u0301 \uD83D\uDE00\uD840\uDC00 ᄀ각 ー々〆 中文的句子");
    texts.add("");
    for (Tokenizer tokenizer : Tokenizer.values()) {
      java.util.Map<String, Integer> counts = new java.util.HashMap<>();
      for (String text : texts.subList(0, texts.size() / 2)) {
        tokenizer.tokenize(text).forEach(t -> counts.merge(t, 1, Integer::sum));
      }
      List<String> tokens = new java.util.ArrayList<>(Vocabulary.SPECIALS);
      counts.entrySet().stream().filter(e -> e.getValue() >= 2).map(java.util.Map.Entry::getKey).sorted().forEach(tokens::add);
      tokens.add(tokens.get(Vocabulary.SPECIALS.size())); // listed twice: the first id wins
      Vocabulary built = Vocabulary.of(tokens);
      java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
      try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
        out.writeObject(built);
      }
      Vocabulary shipped = (Vocabulary) new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray())).readObject();
      assertThat(built.id(tokens.get(Vocabulary.SPECIALS.size()))).isEqualTo(Vocabulary.SPECIALS.size());
      for (Vocabulary v : List.of(built, shipped)) {
        for (String text : texts) {
          List<String> tokenList = tokenizer.tokenize(text);
          for (int maxLength : new int[] {1, 7, 128}) {
            for (Vocabulary.Truncation truncation : Vocabulary.Truncation.values()) {
              int[] length = new int[1];
              assertThat(v.encode(text, tokenizer, maxLength, truncation, length))
                  .as(tokenizer + " " + maxLength + " " + truncation + " " + text)
                  .isEqualTo(v.encode(tokenList, maxLength, truncation));
              assertThat(length[0]).isEqualTo(Math.min(tokenList.size(), maxLength));
            }
          }
        }
      }
    }
  }

  @Test
  void encodesWithPaddingUnknownsAndEitherTruncation() {
    Vocabulary v = Vocabulary.of(List.of("[PAD]", "[UNK]", "[CLS]", "a", "b", "c"));
    assertThat(v.encode(List.of("a", "zz", "c"), 5, Vocabulary.Truncation.END)).containsExactly(3, 1, 5, 0, 0);
    assertThat(v.encode(List.of("a", "b", "c"), 2, Vocabulary.Truncation.END)).containsExactly(3, 4);
    assertThat(v.encode(List.of("a", "b", "c"), 2, Vocabulary.Truncation.START)).containsExactly(4, 5);
  }

  @Test
  void textRoundTripAndRefusesForeignFiles() {
    Vocabulary v = Vocabulary.of(List.of("[PAD]", "[UNK]", "[CLS]", "我", "hello"));
    Vocabulary back = Vocabulary.parse(v.toText());
    assertThat(back.tokens()).isEqualTo(v.tokens());
    assertThat(back.sha256()).isEqualTo(v.sha256());
    assertThatThrownBy(() -> Vocabulary.parse("a\nb\n")).hasMessageContaining("[PAD]");
  }
}
