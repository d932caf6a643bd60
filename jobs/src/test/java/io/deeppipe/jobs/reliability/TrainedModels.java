package io.deeppipe.jobs.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.deeppipe.jobs.Cli;
import io.deeppipe.transforms.testing.LocalSpark;
import io.deeppipe.transforms.testing.TestData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Small real datasets and models, made once per test JVM through the CLI and shared by the
 * reliability tests: MNIST digits (image dataset + MLP) and a two-language text corpus (text
 * dataset + MLP). One epoch each: these tests need real files, not accurate models.
 */
public final class TrainedModels {
  private static Path root;

  private TrainedModels() {}

  public static synchronized Path root() {
    if (root == null) {
      try {
        LocalSpark.session(); // the jobs' getOrCreate reuses the tests' local[2] session
        root = Files.createTempDirectory("deeppipe-reliability");
        Path created = root;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(created)));
        Path pngs = TestData.writeMnistPngs(root.resolve("raw/mnist"), 8);
        ok("ingest-images", "--input", pngs.toString(), "--output", imageData().toString(), "--size", "28x28",
            "--channels", "1");
        ok("train", "--data", imageData().toString(), "--model", "mlp", "--output", imageModel().toString(),
            "--epochs", "1", "--hidden", "16", "--workers", "1");
        Path corpus = root.resolve("raw/text.jsonl");
        Files.write(corpus, textCorpus());
        ok("ingest-text", "--input", corpus.toString(), "--output", textData().toString(), "--max-length", "16",
            "--tokenizer", "word");
        ok("train", "--data", textData().toString(), "--model", "mlp", "--output", textModel().toString(),
            "--epochs", "1", "--hidden", "16", "--embedding", "8", "--workers", "1");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return root;
  }

  private static void deleteTree(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // best effort: a temporary directory
    }
  }

  public static Path imageData() {
    return root.resolve("datasets/mnist");
  }

  public static Path imageModel() {
    return root.resolve("models/mnist-mlp");
  }

  public static Path textData() {
    return root.resolve("datasets/text");
  }

  public static Path textModel() {
    return root.resolve("models/text-mlp");
  }

  private static void ok(String... args) {
    Cli r = Cli.run(args);
    assertThat(r.code()).as(r.describe()).isZero();
  }

  private static List<String> textCorpus() {
    String[] en = {"the cat sat on the mat", "a dog runs in the park", "we read a good book", "the sun is warm today",
        "she writes a long letter", "they play in the garden", "my friend likes green tea", "the train leaves at noon"};
    String[] fr = {"le chat dort sur le tapis", "un chien court dans le parc", "nous lisons un bon livre",
        "le soleil est chaud", "elle écrit une longue lettre", "ils jouent dans le jardin", "mon ami aime le thé",
        "le train part à midi"};
    List<String> lines = new ArrayList<>();
    for (int r = 0; r < 3; r++) {
      for (int i = 0; i < en.length; i++) {
        lines.add("{\"text\": \"" + en[i] + " " + r + "\", \"label\": \"en\"}");
        lines.add("{\"text\": \"" + fr[i] + " " + r + "\", \"label\": \"fr\"}");
      }
    }
    return lines;
  }
}
