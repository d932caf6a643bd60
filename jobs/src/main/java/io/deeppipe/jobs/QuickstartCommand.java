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
    println("[1/2] sample text: " + records + " records in " + LanguageSample.LANGUAGES.size()
        + " languages (country and language names from the JDK's CLDR data) -> " + corpus);

    Path languages = root.resolve("datasets/languages");
    int rc = step("ingest-text", "--input", corpus.toString(), "--output", languages.toString(),
        "--mode", "overwrite", "--max-length", "48");
    if (rc != 0) {
      return rc;
    }
    rc = step("inspect", languages.toString());
    if (rc != 0) {
      return rc;
    }
    println("[2/2] text dataset: " + languages);
    println("not built yet in this version: ingest-images, train, evaluate, predict"
        + " (the quickstart grows with them)");
    return 0;
  }

  private int step(String command, String... args) {
    List<String> all = new ArrayList<>(List.of(command));
    all.addAll(List.of(args));
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
