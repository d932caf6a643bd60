package io.deeppipe.transforms.text;

import java.util.ArrayList;
import java.util.List;

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
 *
 * <p>The rules are those of the regular expressions {@code [\p{L}\p{M}\p{N}]+|[^\s\p{Z}\p{L}\p{M}\p{N}]}
 * (word), {@code [^\s\p{Z}]} (char) and, for cjk, a single {@code [\p{IsHan}\p{IsHiragana}\p{IsKatakana}\p{IsHangul}]}
 * before the word rule without those scripts (a test checks they agree on real text), written as
 * one scan over the code points: the regex engine's Unicode-script lookups were a third of
 * ingest-text's CPU time (measured with JFR by bin/bench).
 */
public enum Tokenizer {
  WORD,
  CHAR,
  CJK;

  /** Receives each token of a text as the range {@code text[start, end)}. */
  @FunctionalInterface
  public interface Sink {
    /** Returns false to stop the scan. */
    boolean token(String text, int start, int end);
  }

  public List<String> tokenize(String text) {
    List<String> tokens = new ArrayList<>();
    scan(text, (t, start, end) -> tokens.add(t.substring(start, end)));
    return tokens;
  }

  /**
   * Hands each token of {@code text} to {@code sink} as a range of the text, in order, until the
   * sink returns false: what {@link #tokenize} returns, without a string per token where the caller
   * only looks tokens up or counts them.
   */
  public void scan(String text, Sink sink) {
    if (text == null) {
      return;
    }
    int n = text.length();
    int i = 0;
    while (i < n) {
      int cp = text.codePointAt(i);
      int next = i + Character.charCount(cp);
      if (isSpace(cp)) {
        i = next;
        continue;
      }
      int end = next;
      // CHAR: every code point; CJK: one ideograph/kana/hangul; any: one symbol
      if (this != CHAR && !(this == CJK && isCjk(cp)) && isWordChar(cp)) {
        while (end < n) {
          int c = text.codePointAt(end);
          if (!isWordChar(c) || (this == CJK && isCjk(c))) {
            break;
          }
          end += Character.charCount(c);
        }
      }
      if (!sink.token(text, i, end)) {
        return;
      }
      i = end;
    }
  }

  /** {@code \s} (ASCII whitespace, as Java's regex has it without UNICODE_CHARACTER_CLASS) or {@code \p{Z}}. */
  static boolean isSpace(int cp) {
    if (cp < 0x80) {
      return cp == ' ' || (cp >= '\t' && cp <= '\r');
    }
    int t = Character.getType(cp);
    return t == Character.SPACE_SEPARATOR || t == Character.LINE_SEPARATOR || t == Character.PARAGRAPH_SEPARATOR;
  }

  /** {@code [\p{L}\p{M}\p{N}]}. */
  static boolean isWordChar(int cp) {
    if (cp < 0x80) {
      return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9');
    }
    switch (Character.getType(cp)) {
      case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
          Character.MODIFIER_LETTER, Character.OTHER_LETTER, Character.NON_SPACING_MARK,
          Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK, Character.DECIMAL_DIGIT_NUMBER,
          Character.LETTER_NUMBER, Character.OTHER_NUMBER:
        return true;
      default:
        return false;
    }
  }

  /** Han, Hiragana, Katakana or Hangul script (none of them has a code point below U+1100). */
  static boolean isCjk(int cp) {
    if (cp < 0x1100) {
      return false;
    }
    Character.UnicodeScript s = Character.UnicodeScript.of(cp);
    return s == Character.UnicodeScript.HAN || s == Character.UnicodeScript.HIRAGANA
        || s == Character.UnicodeScript.KATAKANA || s == Character.UnicodeScript.HANGUL;
  }

  public String optionName() {
    return io.deeppipe.transforms.Choices.name(this);
  }

  /** Parses an option value; the message names the option and the value. */
  public static Tokenizer parse(String value) {
    return io.deeppipe.transforms.Choices.parse(Tokenizer.class, "--tokenizer", value);
  }
}
