package io.deeppipe.bench;

/**
 * Sizes of one harness run. {@code full} is what BENCHMARKS.md reports; {@code smoke} is the CI
 * run that only proves the harness still works end to end (its figures mean nothing).
 */
public record Scale(
    String name,
    int reps,
    int textReps,
    int imageReps,
    long textBytes,
    int mnistPerDigit,
    int jpegCount,
    int jpegMaxSide,
    String jpegSize,
    int trainShortEpochs,
    int trainLongEpochs,
    int processShortEpochs,
    int processLongEpochs,
    int cnnShortEpochs,
    int cnnLongEpochs,
    int cnnPerDigit,
    int trainReps,
    long memoryHeapMb,
    long memoryCorpusBytes,
    int inferenceCopies) {

  public static Scale of(String name) {
    return switch (name) {
      case "full" -> new Scale("full", 3, 2, 3, 200L << 20, 1000, 10_300, 640, "96x96", 1, 4, 4, 20, 1, 3, 1000, 2, 384, 3840L << 20, 9);
      case "medium" -> new Scale("medium", 2, 2, 2, 20L << 20, 300, 1000, 640, "96x96", 1, 3, 2, 6, 1, 2, 50, 1, 384, 400L << 20, 3);
      case "smoke" -> new Scale("smoke", 1, 1, 1, 1L << 20, 30, 40, 200, "32x32", 1, 2, 1, 2, 1, 2, 10, 1, 384, 4L << 20, 1);
      default -> throw new IllegalArgumentException("--scale must be full, medium or smoke, got " + name);
    };
  }
}
