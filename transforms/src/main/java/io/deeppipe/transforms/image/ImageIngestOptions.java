package io.deeppipe.transforms.image;

import io.deeppipe.transforms.SplitAssigner.SplitFractions;

/** Everything {@code ingest-images} needs, validated once (messages name the option and value). */
public record ImageIngestOptions(
    String input,
    String manifest,
    String output,
    boolean overwrite,
    int height,
    int width,
    int channels,
    Resizer.Mode resizeMode,
    long maxPixels,
    boolean dedup,
    SplitFractions split,
    long seed,
    boolean arrow,
    int rowGroupMb) {

  public ImageIngestOptions {
    boolean hasInput = input != null && !input.isBlank();
    boolean hasManifest = manifest != null && !manifest.isBlank();
    require(hasInput != hasManifest, hasInput
        ? "--input and --manifest exclude each other, got both"
        : "--input DIR or --manifest FILE.csv is required");
    require(output != null && !output.isBlank(), "--output is required");
    require(height >= 1 && height <= 8192 && width >= 1 && width <= 8192,
        "--size must be HxW with each side in 1..8192, got " + height + "x" + width);
    require(channels == 1 || channels == 3, "--channels must be 1 or 3, got " + channels);
    require(maxPixels >= 1, "--max-pixels must be >= 1, got " + maxPixels);
    require(rowGroupMb >= 1 && rowGroupMb <= 1024, "--row-group-mb must be in 1..1024, got " + rowGroupMb);
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  /** Parses {@code --size} like {@code 28x28} into {height, width}. */
  public static int[] parseSize(String size) {
    String[] parts = size == null ? new String[0] : size.toLowerCase(java.util.Locale.ROOT).split("x");
    try {
      if (parts.length == 2) {
        return new int[] {Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim())};
      }
    } catch (NumberFormatException e) {
      // falls through to the message below
    }
    throw new IllegalArgumentException("--size must be HxW, e.g. 224x224, got '" + size + "'");
  }

  /** The preprocessing options as the Spark ML stage that ingest fits and saves with the dataset. */
  public io.deeppipe.transforms.ImagePreprocessor preprocessor() {
    io.deeppipe.transforms.ImagePreprocessor p = new io.deeppipe.transforms.ImagePreprocessor();
    p.set(p.height(), height);
    p.set(p.width(), width);
    p.set(p.channels(), channels);
    p.set(p.resizeMode(), resizeMode.optionName());
    p.set(p.maxPixels(), maxPixels);
    return p;
  }

  public String inputDescription() {
    return input != null && !input.isBlank() ? input : manifest;
  }
}
