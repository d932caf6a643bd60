package io.deeppipe.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.deeppipe.models.DeepClassifier;
import io.deeppipe.transforms.ImagePreprocessor;
import io.deeppipe.transforms.IngestParams;
import io.deeppipe.transforms.TextPreprocessor;
import io.deeppipe.transforms.TextPreprocessorModel;
import io.deeppipe.transforms.testing.LocalSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The preprocessing options of the ingest commands and the network options of train are the Params
 * of the stages: one set, declared once.
 */
class ParamOptionsTest {
  @TempDir Path tmp;
  private final CommandLine cli = Pipeline.commandLine(ConfigDefaults.fromArgs(new String[0]));

  @Test
  void flagsAreTheParamNamesInKebabCase() {
    assertThat(ParamOptions.flag("maxLength")).isEqualTo("--max-length");
    assertThat(ParamOptions.flag("stripHtml")).isEqualTo("--strip-html");
    assertThat(ParamOptions.flag("maxPixels")).isEqualTo("--max-pixels");
    assertThat(ParamOptions.flag("lowercase")).isEqualTo("--lowercase");
  }

  @Test
  void everyParamOfEachPreprocessorIsExactlyOneOptionWithItsDocAndDefault() {
    check("ingest-text", IngestTextCommand.COLUMN_PARAMS, new TextPreprocessor(), new IngestParams.Text());
    check("ingest-images", IngestImagesCommand.NOT_OPTIONS, new ImagePreprocessor(), new IngestParams.Images());
    check("train", TrainCommand.NOT_OPTIONS, TrainCommand.RENAMED, new DeepClassifier());
  }

  private void check(String command, Set<String> notOptions, Params... stages) {
    check(command, notOptions, java.util.Map.of(), stages);
  }

  private void check(String command, Set<String> notOptions, java.util.Map<String, String> renamed, Params... stages) {
    CommandSpec spec = cli.getSubcommands().get(command).getCommandSpec();
    Set<String> fromParams = new TreeSet<>();
    for (Params stage : stages) {
      check(spec, stage, notOptions, renamed, fromParams);
    }
    Set<String> derived = new TreeSet<>();
    for (OptionSpec o : spec.options()) {
      if (o.userObject() instanceof Param<?>) {
        derived.add(o.longestName());
      }
    }
    assertThat(derived).as(command + ": options derived from Params").isEqualTo(fromParams);
    // what is left: where data comes from and goes, the Spark session, and the seed shared with train
    Set<String> own = new TreeSet<>();
    for (OptionSpec o : spec.options()) {
      if (!(o.userObject() instanceof Param<?>)) {
        own.add(o.longestName());
      }
    }
    assertThat(own).as(command + ": options that are not Params")
        .isSubsetOf("--input", "--output", "--mode", "--manifest", "--size", "--seed", "--config", "--master", "--help",
            "--version", "--data", "--resume", "--training-master");
    String help = cli.getSubcommands().get(command).getUsageMessage();
    // negatable flags read "--[no-]lowercase" in the usage line
    assertThat(help).contains(fromParams.stream().map(f -> f.substring(2)).toList());
  }

  private void check(CommandSpec spec, Params stage, Set<String> notOptions, java.util.Map<String, String> renamed,
      Set<String> fromParams) {
    String command = spec.name();
    for (Param<?> p : stage.params()) {
      assertThat(p.doc()).as(p.name()).isNotBlank();
      if (notOptions.contains(p.name())) {
        // a column the stage finds by itself when unset (DeepClassifier's featuresCol) needs no default
        continue;
      }
      assertThat(stage.hasDefault(p)).as(p.name() + " has a default").isTrue();
      String flag = renamed.getOrDefault(p.name(), ParamOptions.flag(p.name()));
      fromParams.add(flag);
      OptionSpec option = spec.findOption(flag);
      assertThat(option).as(command + " " + flag).isNotNull();
      assertThat(option.defaultValue()).isEqualTo(String.valueOf(stage.getDefault(p).get()));
      assertThat(String.join(" ", option.description())).startsWith(p.doc());
    }
  }

  @Test
  void valuesFromFlagsAndConfigReachTheFittedStageSavedWithTheDataset() throws Exception {
    LocalSpark.session();
    Path corpus = tmp.resolve("in.jsonl");
    Files.writeString(corpus, "{\"text\": \"Hello World again\", \"label\": \"en\"}\n{\"text\": \"Bonjour le monde\", \"label\": \"fr\"}\n"
        + "{\"text\": \"Hello there\", \"label\": \"en\"}\n{\"text\": \"Salut le monde\", \"label\": \"fr\"}\n");
    Path conf = tmp.resolve("my.conf");
    Files.writeString(conf, "ingest-text { tokenizer = word }\n");
    Path out = tmp.resolve("ds");
    Cli r = Cli.run("ingest-text", "--config", conf.toString(), "--input", corpus.toString(), "--output", out.toString(),
        "--max-length", "7", "--lowercase", "--split", "1,0,0");
    assertThat(r.code()).as(r.describe()).isZero();
    TextPreprocessorModel model = (TextPreprocessorModel) PipelineModel.load(out.resolve("preprocessor").toString()).stages()[0];
    assertThat(model.getMaxLength()).isEqualTo(7);
    assertThat(model.getOrDefault(model.tokenizer())).isEqualTo("word");
    assertThat((Boolean) model.getOrDefault(model.lowercase())).isTrue();
    assertThat(model.vocabulary().tokens()).contains("hello", "monde").doesNotContain("Hello");

    Files.writeString(conf, "max-length = 0\n");
    Cli bad = Cli.run("ingest-text", "--config", conf.toString(), "--input", corpus.toString(), "--output", tmp.resolve("o2").toString());
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).contains("--max-length must be in 1..100000, got 0");
    assertThat(tmp.resolve("o2")).doesNotExist();
  }
}
