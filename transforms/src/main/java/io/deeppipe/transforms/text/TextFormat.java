package io.deeppipe.transforms.text;

import java.util.Locale;

/** Corpus formats {@code ingest-text} reads; {@code AUTO} decides by extension or layout. */
public enum TextFormat {
  AUTO,
  JSONL,
  CSV,
  PARQUET,
  TEXT,
  FOLDER;

  public static TextFormat parse(String value) {
    return io.deeppipe.transforms.Choices.parse(TextFormat.class, "--format", value);
  }

  /** The format a file name implies, or null. */
  public static TextFormat ofFileName(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    if (n.endsWith(".jsonl") || n.endsWith(".json") || n.endsWith(".ndjson")) {
      return JSONL;
    }
    if (n.endsWith(".csv")) {
      return CSV;
    }
    if (n.endsWith(".parquet")) {
      return PARQUET;
    }
    if (n.endsWith(".txt") || n.endsWith(".text")) {
      return TEXT;
    }
    return null;
  }

  public String optionName() {
    return io.deeppipe.transforms.Choices.name(this);
  }
}
