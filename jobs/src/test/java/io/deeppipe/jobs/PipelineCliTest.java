package io.deeppipe.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.deeppipe.transforms.testing.LocalSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

class PipelineCliTest {
  @TempDir static Path tmp;
  static Path corpus;

  @BeforeAll
  static void corpus() throws Exception {
    LocalSpark.session(); // the jobs' getOrCreate then reuses the tests' local[2] session
    corpus = tmp.resolve("in.jsonl");
    Files.writeString(corpus, "{\"text\": \"hello world\", \"label\": \"en\"}\n{\"text\": \"bonjour\", \"label\": \"fr\"}\n");
  }

  // bad option values of every command: reliability.BadOptionsTest

  @Test
  void missingInputAndExistingOutputExit2BeforeAnyWork() throws Exception {
    Cli missing = Cli.run("ingest-text", "--input", tmp.resolve("absent.jsonl").toString(), "--output", tmp.resolve("o1").toString());
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err()).contains("--input " + tmp.resolve("absent.jsonl") + " does not exist");
    assertThat(tmp.resolve("o1")).doesNotExist();

    Path existing = Files.createDirectories(tmp.resolve("existing"));
    Cli exists = Cli.run("ingest-text", "--input", corpus.toString(), "--output", existing.toString());
    assertThat(exists.code()).isEqualTo(2);
    assertThat(exists.err()).contains("--output " + existing + " already exists (use --mode overwrite");
    try (var files = Files.list(existing)) {
      assertThat(files).isEmpty();
    }
    Cli noInput = Cli.run("ingest-text", "--output", tmp.resolve("o2").toString());
    assertThat(noInput.code()).isEqualTo(2);
    assertThat(noInput.err()).contains("--input is required");
  }

  @Test
  void helpForEveryCommandExplainsEveryOptionWithItsDefault() {
    Cli root = Cli.run("--help");
    assertThat(root.code()).isZero();
    assertThat(root.out()).contains("ingest-text", "ingest-images", "train", "predict", "evaluate", "quickstart", "inspect");
    CommandLine cl = Pipeline.commandLine(ConfigDefaults.fromArgs(new String[0]));
    for (String name : cl.getSubcommands().keySet()) {
      Cli help = Cli.run(name, "--help");
      assertThat(help.code()).as(name).isZero();
      for (OptionSpec o : cl.getSubcommands().get(name).getCommandSpec().options()) {
        assertThat(help.out()).as(name).contains(o.negatable() ? "--[no-]" + o.longestName().substring(2) : o.longestName());
        assertThat(o.description()).as(name + " " + o.longestName()).isNotEmpty();
      }
    }
    assertThat(Cli.run("ingest-text", "--help").out())
        .contains("(default: 128)", "(default: cjk)", "(default: 0.8,0.1,0.1)", "(default: error)");
  }

  @Test
  void missingRequiredOptionsAndUnknownCommandsExit2() {
    Cli train = Cli.run("train", "--output", tmp.resolve("m").toString());
    assertThat(train.code()).isEqualTo(2);
    assertThat(train.err()).contains("--data is required");
    Cli predict = Cli.run("predict", "--input", corpus.toString(), "--output", tmp.resolve("p").toString());
    assertThat(predict.code()).isEqualTo(2);
    assertThat(predict.err()).contains("--model is required");
    Cli evaluate = Cli.run("evaluate", "--model", tmp.toString(), "--data", tmp.toString(), "--output", tmp.resolve("e").toString());
    assertThat(evaluate.code()).isEqualTo(2);
    assertThat(evaluate.err()).contains("has no model.json");
    Cli model = Cli.run("train", "--data", tmp.toString(), "--model", "gpt", "--output", tmp.resolve("m").toString());
    assertThat(model.code()).isEqualTo(2);
    assertThat(model.err()).contains("--model must be one of mlp, cnn, lstm, transformer, got 'gpt'");
    assertThat(tmp.resolve("m")).doesNotExist();
    Cli none = Cli.run();
    assertThat(none.code()).isEqualTo(2);
    Cli unknown = Cli.run("fly");
    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.err()).contains("'fly'");
  }

  @Test
  void configFileSitsBetweenFlagsAndConfDefaults() throws Exception {
    Path conf = tmp.resolve("my.conf");
    Files.writeString(conf, "max-length = 7\nvocab-size = 50\ningest-text { tokenizer = word }\ntrain { epochs = 3 }\n");
    Path out = tmp.resolve("configured");
    Cli r = Cli.run("ingest-text", "--config", conf.toString(), "--input", corpus.toString(), "--output", out.toString(), "--vocab-size", "60");
    assertThat(r.code()).as(r.err()).isZero();
    String card = Files.readString(out.resolve("dataset.json"));
    assertThat(card).contains("\"max_length\" : 7", "\"tokenizer\" : \"word\"", "\"truncation\" : \"end\"");
    assertThat(Files.readAllLines(out.resolve("vocab.txt")).size()).isLessThanOrEqualTo(60);

    Files.writeString(conf, "max-lenght = 7\n");
    Cli typo = Cli.run("ingest-text", "--config", conf.toString(), "--input", corpus.toString(), "--output", tmp.resolve("t").toString());
    assertThat(typo.code()).isEqualTo(2);
    assertThat(typo.err()).contains("max-lenght").contains(conf.toString());
    assertThat(tmp.resolve("t")).doesNotExist();

    Cli missing = Cli.run("ingest-text", "--config", tmp.resolve("none.conf").toString());
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err()).contains("--config " + tmp.resolve("none.conf") + " does not exist");

    Files.writeString(conf, "max-length = {{\n");
    Cli broken = Cli.run("ingest-text", "--config", conf.toString());
    assertThat(broken.code()).isEqualTo(2);
    assertThat(broken.err()).contains("is not valid HOCON");
  }

  @Test
  void negatableFlagsTurnDefaultsOff() throws Exception {
    Path dup = tmp.resolve("dup.jsonl");
    Files.writeString(dup, "{\"text\": \"same\"}\n{\"text\": \"same\"}\n{\"text\": \"other\"}\n");
    Path on = tmp.resolve("dedup-on");
    Path off = tmp.resolve("dedup-off");
    assertThat(Cli.run("ingest-text", "--input", dup.toString(), "--output", on.toString(), "--no-arrow").code()).isZero();
    assertThat(Cli.run("ingest-text", "--input", dup.toString(), "--output", off.toString(), "--no-dedup").code()).isZero();
    assertThat(Files.readString(on.resolve("dataset.json"))).contains("\"duplicates_removed\" : 1");
    assertThat(on.resolve("arrow")).doesNotExist();
    assertThat(off.resolve("arrow")).exists();
    // without dedup the two records share their hash id, so they are kept both
    assertThat(Files.readString(off.resolve("dataset.json"))).contains("\"duplicates_removed\" : 0", "\"input_records\" : 3");
  }

  @Test
  void inspectPrintsACardAndRefusesNonDatasets() throws Exception {
    Path ds = tmp.resolve("inspected");
    assertThat(Cli.run("ingest-text", "--input", corpus.toString(), "--output", ds.toString()).code()).isZero();
    Cli r = Cli.run("inspect", ds.toString());
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("kind         text", "labels       2 [en, fr]", "input 2 = train");
    Cli json = Cli.run("inspect", "--json", ds.toString());
    assertThat(json.out()).contains("\"fingerprint\"");
    Cli not = Cli.run("inspect", tmp.toString());
    assertThat(not.code()).isEqualTo(2);
    assertThat(not.err()).contains("has no dataset.json");
  }
}
