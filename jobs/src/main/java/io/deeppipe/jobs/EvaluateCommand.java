package io.deeppipe.jobs;

import io.deeppipe.models.infer.Evaluator;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Evaluates a trained model on one split of an ingested dataset: DIR/metrics.json (accuracy, macro F1,"
            + " per class, confusion matrix, ROC AUC for two classes), DIR/report.md, DIR/confusion.png.")
public final class EvaluateCommand extends JobCommand {
  @Option(names = "--model", paramLabel = "MODEL_DIR", description = "A trained model directory (with model.json).")
  String model;

  @Option(names = "--data", paramLabel = "DATASET_DIR", description = "An ingested dataset matching the model.")
  String data;

  @Option(names = "--split", paramLabel = "NAME", description = "train, validation or test (default: ${DEFAULT-VALUE}).")
  String split;

  @Mixin SharedOptions.Output output = new SharedOptions.Output();

  @Option(names = "--batch-size", paramLabel = "N", description = "Rows scored per minibatch (default: ${DEFAULT-VALUE}).")
  int batchSize;

  private Evaluator.Options options;

  @Override
  protected void prepare() {
    options = new Evaluator.Options(model, data, split, output.output, output.overwrite(), batchSize);
    requireExisting("--model", model);
    requireExisting("--data", data);
    Evaluator.check(options, new Configuration());
  }

  @Override
  protected int execute() {
    log.info("evaluate with {}", options);
    Evaluator.Metrics m = Evaluator.run(spark(), options);
    println(String.format(Locale.ROOT, "wrote %s: %s split, %d examples, accuracy %.4f, macro F1 %.4f", options.output(),
        m.split(), m.count(), m.accuracy(), m.macroF1()));
    return 0;
  }
}
