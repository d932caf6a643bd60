package io.deeppipe.transforms.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TokenizerTest {
  @Test
  void wordSplitsOnAnyScriptAndKeepsPunctuationApart() {
    assertThat(Tokenizer.WORD.tokenize("Hello, wörld! naïve 42x"))
        .containsExactly("Hello", ",", "wörld", "!", "naïve", "42x");
    assertThat(Tokenizer.WORD.tokenize("שלום עולם")).containsExactly("שלום", "עולם");
  }

  @Test
  void cjkSplitsIdeographsIntoCharactersAndOtherScriptsIntoWords() {
    assertThat(Tokenizer.CJK.tokenize("我爱北京 hello世界, ok"))
        .containsExactly("我", "爱", "北", "京", "hello", "世", "界", ",", "ok");
    assertThat(Tokenizer.CJK.tokenize("カタカナ와한글")).containsExactly("カ", "タ", "カ", "ナ", "와", "한", "글");
    // the word tokenizer would glue a whole Chinese sentence into one rare token
    assertThat(Tokenizer.WORD.tokenize("我爱北京")).containsExactly("我爱北京");
  }

  @Test
  void charAndEmoji() {
    assertThat(Tokenizer.CHAR.tokenize("a b😀")).containsExactly("a", "b", "😀");
    assertThat(Tokenizer.CJK.tokenize("ok😀")).containsExactly("ok", "😀");
  }

  @Test
  void parseNamesOptionAndValue() {
    assertThat(Tokenizer.parse("CJK")).isEqualTo(Tokenizer.CJK);
    assertThatThrownBy(() -> Tokenizer.parse("bpe"))
        .hasMessageContaining("--tokenizer")
        .hasMessageContaining("'bpe'");
  }
}
