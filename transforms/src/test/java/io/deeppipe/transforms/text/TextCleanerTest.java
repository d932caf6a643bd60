package io.deeppipe.transforms.text;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TextCleanerTest {
  private final TextCleaner plain = new TextCleaner(false, false);

  @Test
  void stripsAnsiColourAndControlCharacters() {
    assertThat(plain.clean("\u001B[1;31mRed\u001B[0m alert\u0007\tnow")).isEqualTo("Red alert now");
    assertThat(plain.clean("\u001B]0;title\u0007text")).isEqualTo("text");
  }

  @Test
  void appliesNfkcAndCollapsesWhitespace() {
    assertThat(plain.clean("  ＡＢＣ\u00A0１２３ \n\n ﬁne  ")).isEqualTo("ABC 123 fine");
    assertThat(plain.clean("\uFEFFbom\u200Bzero")).isEqualTo("bom zero");
  }

  @Test
  void keepsCjkEmojiAndRightToLeftText() {
    assertThat(plain.clean("我爱北京 👍🏽 שלום עולם مرحبا")).isEqualTo("我爱北京 👍🏽 שלום עולם مرحبا");
  }

  @Test
  void optionalLowercaseAndHtml() {
    TextCleaner html = new TextCleaner(true, true);
    assertThat(html.clean("<p>Hello&nbsp;<b>World</b> &amp; Ünïcode</p>")).isEqualTo("hello world & ünïcode");
    assertThat(plain.clean("<p>kept</p>")).isEqualTo("<p>kept</p>");
  }

  @Test
  void emptyAfterCleaning() {
    assertThat(plain.clean("\u001B[0m \t ")).isEmpty();
    assertThat(plain.clean(null)).isNull();
  }

  /** The one-scan spacing gives what the regex replacements it replaced gave, on real dirty text. */
  @Test
  void spacingAgreesWithTheRegularExpressions() throws Exception {
    java.util.regex.Pattern control = java.util.regex.Pattern.compile("[\\p{Cc}\uFEFF\u200B]");
    java.util.regex.Pattern whitespace = java.util.regex.Pattern.compile("[\\s\\p{Z}]+");
    java.util.List<String> texts = new java.util.ArrayList<>(java.util.List.of(
        "", " ", "a", " a", "a ", "a  b", "a\tb", "\u0085x\u00A0\u2028y\u3000 z\u001C", "\uFEFF\u200B", "a \u0007 b",
        "\uD83D\uDE00 \uD83D\uDE00", "x\r\n\r\ny  ", "\u007F\u009Fq"));
    for (String category : java.util.List.of("computers", "art", "linux", "songs-poems")) {
      texts.addAll(io.deeppipe.transforms.testing.TestData.fortunes(category));
    }
    for (String t : texts) {
      String expected = whitespace.matcher(control.matcher(t).replaceAll(" ")).replaceAll(" ").trim();
      assertThat(TextCleaner.spaced(t)).as(t).isEqualTo(expected);
    }
  }
}
