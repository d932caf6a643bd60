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
  }

  @Override
  protected int execute() {
    Path corpus = root.resolve("raw/languages.jsonl");
    int records = LanguageSample.writeJsonLines(corpus);
    println("[1/4] sample text: " + records + " records in " + LanguageSample.LANGUAGES.size()
        + " languages (country and language names from the JDK's CLDR data) -> " + corpus);
    Path digits = root.resolve("raw/mnist");
    deleteTree(digits);
    int images = MnistSample.writePngTree(digits);
    println("[2/4] sample images: " + images + " real MNIST digits as PNG files -> " + digits);

    Path languages = root.resolve("datasets/languages");
    Path mnist = root.resolve("datasets/mnist");
    int rc = steps(
        new String[] {"ingest-text", "--input", corpus.toString(), "--output", languages.toString(),
            "--mode", "overwrite", "--max-length", "48"},
        new String[] {"ingest-images", "--input", digits.toString(), "--output", mnist.toString(),
            "--mode", "overwrite", "--size", "28x28", "--channels", "1"},
        new String[] {"inspect", languages.toString()},
        new String[] {"inspect", mnist.toString()});
    if (rc != 0) {
      return rc;
    }
    println("[3/4] text dataset:  " + languages);
    println("[4/4] image dataset: " + mnist);
    println("not built yet in this version: train, evaluate, predict (the quickstart grows with them)");
    return 0;
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
