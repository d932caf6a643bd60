package io.deeppipe.jobs;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "quickstart",
    mixinStandardHelpOptions = true,
    description =
        "Runs the pipeline end to end on built-in sample data (no input needed) and prints where each"
            + " output is. Reruns replace the previous quickstart outputs under --workdir.")
public final class QuickstartCommand extends JobCommand {
  @Option(names = "--workdir", paramLabel = "DIR", description = "Where every output goes (default: ${DEFAULT-VALUE}).")
  String workdir;

  private Path root;

  @Override
  protected void prepare() {
    if (workdir == null || workdir.isBlank()) {
      throw new UsageException("--workdir must not be empty");
    }
    root = Path.of(workdir).toAbsolutePath();
    if (java.nio.file.Files.exists(root) && !java.nio.file.Files.isDirectory(root)) {
      throw new UsageException("--workdir " + workdir + " is not a directory");
    }
  }

  @Override
  protected int execute() throws java.io.IOException {
    Path corpus = root.resolve("raw/languages.jsonl");
    int records = LanguageSample.writeJsonLines(corpus);
    println("sample text: " + records + " records in " + LanguageSample.LANGUAGES.size()
        + " languages (country and language names from the JDK's CLDR data) -> " + corpus);
    Path digits = root.resolve("raw/mnist");
    deleteTree(digits);
    int images = MnistSample.writePngTree(digits);
    println("sample images: " + images + " real MNIST digits as PNG files -> " + digits);

    Path languages = root.resolve("datasets/languages");
    Path mnist = root.resolve("datasets/mnist");
    Path languageModel = root.resolve("models/languages-transformer");
    Path digitModel = root.resolve("models/mnist-mlp");
    Path languageEval = root.resolve("evaluations/languages");
    Path digitEval = root.resolve("evaluations/mnist");
    Path digitPredictions = root.resolve("predictions/mnist-raw");
    Path languagePredictions = root.resolve("predictions/languages-test");
    Path catalog = root.resolve("catalog");
    int rc = steps(
        new String[] {"ingest-text", "--input", corpus.toString(), "--output", languages.toString(),
            "--mode", "overwrite", "--tokenizer", "char", "--max-length", "48"},
        new String[] {"ingest-images", "--input", digits.toString(), "--output", mnist.toString(),
            "--mode", "overwrite", "--size", "28x28", "--channels", "1"},
        new String[] {"train", "--data", mnist.toString(), "--model", "mlp", "--output", digitModel.toString(),
            "--mode", "overwrite", "--epochs", "15"},
        new String[] {"train", "--data", languages.toString(), "--model", "transformer", "--output",
            languageModel.toString(), "--mode", "overwrite", "--epochs", "25", "--learning-rate", "0.003",
            "--embedding", "64", "--heads", "4"},
        new String[] {"evaluate", "--model", digitModel.toString(), "--data", mnist.toString(), "--output",
            digitEval.toString(), "--mode", "overwrite"},
        new String[] {"evaluate", "--model", languageModel.toString(), "--data", languages.toString(), "--output",
            languageEval.toString(), "--mode", "overwrite"},
        new String[] {"predict", "--model", digitModel.toString(), "--input", digits.toString(), "--output",
            digitPredictions.toString(), "--mode", "overwrite", "--output-format", "both"},
        new String[] {"predict", "--model", languageModel.toString(), "--input", languages.toString(), "--split", "test",
            "--output", languagePredictions.toString(), "--mode", "overwrite"},
        // last, so it lists every output above with its lineage
        new String[] {"catalog", "--root", root.toString(), "--output", catalog.toString(), "--mode", "overwrite"});
    if (rc != 0) {
      return rc;
    }
    println("");
    println("quickstart outputs under " + root + ":");
    println("  datasets     " + languages + "  " + mnist);
    println("  models       " + digitModel + "  " + languageModel + "  (model.zip, model.json, training.png)");
    println("  evaluations  " + digitEval + "  " + languageEval + "  (metrics.json, report.md, confusion.png)");
    println("  predictions  " + digitPredictions + "  " + languagePredictions);
    println("  catalog      " + catalog.resolve("index.html") + "  (catalog.json; open the page in a browser)");
    println(String.format(java.util.Locale.ROOT, "  test accuracy: MNIST digits (mlp) %.4f, languages (transformer) %.4f",
        accuracy(digitEval), accuracy(languageEval)));
    return 0;
  }

  private static double accuracy(Path evaluation) throws java.io.IOException {
    return io.deeppipe.transforms.card.Json.mapper()
        .readTree(evaluation.resolve("metrics.json").toFile()).get("accuracy").asDouble();
  }

  private int steps(String[]... commands) {
    for (String[] command : commands) {
      int rc = step(command);
      if (rc != 0) {
        spec.commandLine().getErr().println("error: quickstart step '" + command[0] + "' failed with exit code " + rc);
        return rc;
      }
    }
    return 0;
  }

  private static void deleteTree(Path dir) {
    if (!java.nio.file.Files.exists(dir)) {
      return;
    }
    try (var paths = java.nio.file.Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private int step(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    if (sparkOptions.master != null) {
      all.add("--master");
      all.add(sparkOptions.master);
    }
    var cl = Pipeline.commandLine(pipeline.defaults());
    cl.setOut(spec.commandLine().getOut());
    cl.setErr(spec.commandLine().getErr());
    return cl.execute(all.toArray(new String[0]));
  }
}
