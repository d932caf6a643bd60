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

  /** The scanner gives exactly what the regular expressions it replaced give, on real dirty text. */
  @Test
  void agreesWithTheRegularExpressionsOnRealText() throws Exception {
    java.util.Map<Tokenizer, java.util.regex.Pattern> regex = java.util.Map.of(
        Tokenizer.WORD, java.util.regex.Pattern.compile("[\\p{L}\\p{M}\\p{N}]+|[^\\s\\p{Z}\\p{L}\\p{M}\\p{N}]"),
        Tokenizer.CHAR, java.util.regex.Pattern.compile("[^\\s\\p{Z}]"),
        Tokenizer.CJK, java.util.regex.Pattern.compile(
            "[\\p{IsHan}\\p{IsHiragana}\\p{IsKatakana}\\p{IsHangul}]"
                + "|[\\p{L}\\p{M}\\p{N}&&[^\\p{IsHan}\\p{IsHiragana}\\p{IsKatakana}\\p{IsHangul}]]+"
                + "|[^\\s\\p{Z}\\p{L}\\p{M}\\p{N}]"));
    java.util.List<String> texts = new java.util.ArrayList<>();
    for (String category : java.util.List.of("computers", "literature", "linux", "science")) {
      texts.addAll(io.deeppipe.transforms.testing.TestData.fortunes(category));
    }
    // every script and separator the JDK knows names for, plus surrogate pairs and controls
    StringBuilder all = new StringBuilder();
    for (java.util.Locale l : java.util.Locale.getAvailableLocales()) {
      all.append(l.getDisplayName(l)).append(' ').append(l.getDisplayCountry(java.util.Locale.CHINESE)).append('\u3000');
    }
    all.append("ｶﾀｶﾅ ㈱ ① ⅻ x\u00A0y\u2028z\u2029 \u000B\u001C a\u0301 \uD83D\uDE00\uD840\uDC00 ᄀ각 ー々〆");
    texts.add(all.toString());
    for (Tokenizer t : Tokenizer.values()) {
      for (String text : texts) {
        java.util.List<String> expected = new java.util.ArrayList<>();
        java.util.regex.Matcher m = regex.get(t).matcher(text);
        while (m.find()) {
          expected.add(m.group());
        }
        assertThat(t.tokenize(text)).as(t + " on " + text).isEqualTo(expected);
      }
    }
  }

  @Test
  void parseNamesOptionAndValue() {
    assertThat(Tokenizer.parse("CJK")).isEqualTo(Tokenizer.CJK);
    assertThatThrownBy(() -> Tokenizer.parse("bpe"))
        .hasMessageContaining("--tokenizer")
        .hasMessageContaining("'bpe'");
  }
}
