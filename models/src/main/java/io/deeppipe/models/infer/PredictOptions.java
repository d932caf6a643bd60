package io.deeppipe.models.infer;

import io.deeppipe.transforms.SplitAssigner;
import io.deeppipe.transforms.text.TextFormat;

/**
 * Everything {@code predict} needs, validated once. {@code input} is an ingested dataset directory
 * (it has a dataset.json) or raw data; {@code manifest} replaces it for raw images.
 */
public record PredictOptions(
    String model,
    String input,
    String manifest,
    String output,
    boolean overwrite,
    String split,
    int topK,
    int batchSize,
    OutputFormat outputFormat,
    TextFormat format,
    String textField,
    String labelField,
    String idField) {

  /** Which files the predictions are written as; Parquet always. */
  public enum OutputFormat {
    PARQUET,
    ARROW,
    BOTH;

    public static OutputFormat parse(String v) {
      return io.deeppipe.transforms.Choices.parse(OutputFormat.class, "--output-format", v);
    }

    public boolean arrow() {
      return this != PARQUET;
    }

    public String optionName() {
      return io.deeppipe.transforms.Choices.name(this);
    }
  }

  public PredictOptions {
    require(model != null && !model.isBlank(), "--model is required");
    boolean hasInput = input != null && !input.isBlank();
    boolean hasManifest = manifest != null && !manifest.isBlank();
    require(hasInput != hasManifest, hasInput
        ? "--input and --manifest exclude each other, got both"
        : "--input PATH (a dataset or raw data) or --manifest FILE.csv is required");
    require(output != null && !output.isBlank(), "--output is required");
    require(split == null || split.isBlank() || split.equals("all") || SplitAssigner.SPLITS.contains(split),
        "--split must be train, validation, test or all, got '" + split + "'");
    require(topK >= 1, "--top-k must be >= 1, got " + topK);
    require(batchSize >= 1 && batchSize <= 1 << 20, "--batch-size must be in 1..1048576, got " + batchSize);
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  /** The split to score, or null for all of them. */
  public String splitOrAll() {
    return split == null || split.isBlank() || split.equals("all") ? null : split;
  }
}
