package io.deeppipe.transforms.text;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits cleaned text into tokens.
 *
 * <ul>
 *   <li>{@code word}: runs of letters/marks/digits (any script), each other symbol alone.
 *   <li>{@code char}: every non-space code point.
 *   <li>{@code cjk} (default): like {@code word}, but each Han, Hiragana, Katakana or Hangul
 *       character is its own token, so Chinese (written without spaces) does not collapse into
 *       a few huge unknown "words".
 * </ul>
 */
public enum Tokenizer {
  WORD(Pattern.compile("[\\p{L}\\p{M}\\p{N}]+|[^\\s\\p{Z}\\p{L}\\p{M}\\p{N}]")),
  CHAR(Pattern.compile("[^\\s\\p{Z}]")),
  CJK(
      Pattern.compile(
          "[\\p{IsHan}\\p{IsHiragana}\\p{IsKatakana}\\p{IsHangul}]"
              + "|[\\p{L}\\p{M}\\p{N}&&[^\\p{IsHan}\\p{IsHiragana}\\p{IsKatakana}\\p{IsHangul}]]+"
              + "|[^\\s\\p{Z}\\p{L}\\p{M}\\p{N}]"));

  private final Pattern pattern;

  Tokenizer(Pattern pattern) {
    this.pattern = pattern;
  }

  public List<String> tokenize(String text) {
    List<String> tokens = new ArrayList<>();
    if (text == null) {
      return tokens;
    }
    Matcher m = pattern.matcher(text);
    while (m.find()) {
      tokens.add(m.group());
    }
    return tokens;
  }

  public String optionName() {
    return io.deeppipe.transforms.Choices.name(this);
  }

  /** Parses an option value; the message names the option and the value. */
  public static Tokenizer parse(String value) {
    return io.deeppipe.transforms.Choices.parse(Tokenizer.class, "--tokenizer", value);
  }
}
