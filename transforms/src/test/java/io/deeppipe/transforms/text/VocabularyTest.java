package io.deeppipe.transforms.text;

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
    Dataset<Row> rows = spark.createDataset(List.of(texts), Encoders.STRING()).toDF(TextIngest.TEXT);
    return TextIngest.tokenize(rows, Tokenizer.WORD);
  }

  @Test
  void ordersByCountThenTokenAfterTheSpecials() {
    Vocabulary v = Vocabulary.build(docs("b a c a", "a b d", "e"), TextIngest.TOKENS, 100, 1);
    assertThat(v.tokens()).containsExactly("[PAD]", "[UNK]", "[CLS]", "a", "b", "c", "d", "e");
  }

  @Test
  void sizeIncludesSpecialsAndMinCountFilters() {
    Vocabulary v = Vocabulary.build(docs("b a c a", "a b d", "e"), TextIngest.TOKENS, 4, 1);
    assertThat(v.tokens()).containsExactly("[PAD]", "[UNK]", "[CLS]", "a");
    Vocabulary frequent = Vocabulary.build(docs("b a c a", "a b d", "e"), TextIngest.TOKENS, 100, 2);
    assertThat(frequent.tokens()).containsExactly("[PAD]", "[UNK]", "[CLS]", "a", "b");
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
