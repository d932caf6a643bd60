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
}
