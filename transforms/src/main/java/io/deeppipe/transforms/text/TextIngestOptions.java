package io.deeppipe.transforms.text;

import io.deeppipe.transforms.SplitAssigner.SplitFractions;
import io.deeppipe.transforms.text.Vocabulary.Truncation;

/**
 * Everything {@code ingest-text} needs, validated once: a bad value fails here with a message
 * naming the option and the value.
 */
public record TextIngestOptions(
    String input,
    String output,
    boolean overwrite,
    TextFormat format,
    String textField,
    String labelField,
    String idField,
    boolean lowercase,
    boolean stripHtml,
    boolean dedup,
    int minChars,
    int maxChars,
    Tokenizer tokenizer,
    int vocabSize,
    int minCount,
    int maxLength,
    Truncation truncate,
    SplitFractions split,
    long seed,
    boolean arrow,
    double nearDupThreshold) {

  public TextIngestOptions {
    require(input != null && !input.isBlank(), "--input is required");
    require(output != null && !output.isBlank(), "--output is required");
    require(textField != null && !textField.isBlank(), "--text-field must not be empty");
    require(minChars >= 0, "--min-chars must be >= 0, got " + minChars);
    require(maxChars >= 1, "--max-chars must be >= 1, got " + maxChars);
    require(minChars <= maxChars,
        "--min-chars must be <= --max-chars, got " + minChars + " > " + maxChars);
    require(vocabSize > Vocabulary.SPECIALS.size(),
        "--vocab-size must be > " + Vocabulary.SPECIALS.size() + " (the special tokens), got " + vocabSize);
    require(minCount >= 1, "--min-count must be >= 1, got " + minCount);
    require(maxLength >= 1 && maxLength <= 100_000, "--max-length must be in 1..100000, got " + maxLength);
    require(nearDupThreshold == 0 || nearDupThreshold > 0 && nearDupThreshold < 1,
        "--near-dup-threshold must be 0 (off) or a Jaccard similarity in (0, 1), got " + nearDupThreshold);
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  /** The per-record checks around cleaning. */
  public TextCleaner.Checks checks() {
    return new TextCleaner.Checks(new TextCleaner(lowercase, stripHtml), minChars, maxChars);
  }

  /** The preprocessing options as the Spark ML stage that ingest fits and saves with the dataset. */
  public io.deeppipe.transforms.TextPreprocessor preprocessor() {
    io.deeppipe.transforms.TextPreprocessor p = new io.deeppipe.transforms.TextPreprocessor();
    p.set(p.lowercase(), lowercase);
    p.set(p.stripHtml(), stripHtml);
    p.set(p.minChars(), minChars);
    p.set(p.maxChars(), maxChars);
    p.set(p.tokenizer(), tokenizer.optionName());
    p.set(p.vocabSize(), vocabSize);
    p.set(p.minCount(), minCount);
    p.set(p.maxLength(), maxLength);
    p.set(p.truncate(), truncate.optionName());
    return p;
  }

  /** The spec recorded in the card (the vocabulary hash is filled once the vocabulary exists). */
  public io.deeppipe.transforms.card.TextSpec spec(Vocabulary vocab) {
    return new io.deeppipe.transforms.card.TextSpec(
        tokenizer.optionName(), lowercase, stripHtml, maxLength, truncate.optionName(),
        vocab.size(), minCount, vocab.sha256(), Vocabulary.SPECIALS);
  }
}
