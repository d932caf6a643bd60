package io.deeppipe.jobs;

import io.deeppipe.models.DeepClassifier;
import io.deeppipe.models.TrainOptions;
import io.deeppipe.models.train.SparkTrainer;
import io.deeppipe.transforms.card.ModelCard;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Trains a DL4J network data-parallel on the Spark executors (parameter averaging) on an ingested dataset:"
            + " model.zip + model.json + metrics.csv + training.png + checkpoints/ + pipeline/ (a Spark ML PipelineModel:"
            + " the dataset's preprocessing + the network, raw input in, predictions out). The network options are the"
            + " Params of io.deeppipe.models.DeepClassifier.")
public final class TrainCommand extends JobCommand {
  /**
   * Params the library API sets and {@code train} does not: the columns (train reads a dataset's
   * standard ones), the checkpoint directory (always {@code --output}/checkpoints), the validation
   * sample (train uses the dataset's validation split) and what only scoring reads.
   */
  static final Set<String> NOT_OPTIONS = Set.of("featuresCol", "labelCol", "predictionCol", "probabilityCol",
      "rawPredictionCol", "topK", "checkpointDir", "validationFraction", "handleInvalid");
  /** {@code --model} was the flag before the Param existed; users and scripts keep it. */
  static final Map<String, String> RENAMED = Map.of("network", "--model");

  @Option(names = "--data", paramLabel = "DATASET_DIR", description = "An ingested dataset (with dataset.json).")
  String data;

  @Mixin SharedOptions.Output output = new SharedOptions.Output();

  @Option(names = "--resume", arity = "0..1", fallbackValue = "true",
      description = "Continue an unfinished run in --output from its last checkpoint (default: ${DEFAULT-VALUE}).")
  boolean resume;

  @Option(names = "--training-master", paramLabel = "NAME",
      description = "averaging (parameter averaging); sharing is refused, see README (default: ${DEFAULT-VALUE}).")
  String trainingMaster;

  /** The network and training options, declared once as the Params of {@link DeepClassifier}. */
  private ParamOptions classifier;

  private TrainOptions options;

  @Override
  protected void bindParams(CommandSpec spec) {
    classifier = ParamOptions.bind(spec, new DeepClassifier(), NOT_OPTIONS, RENAMED);
  }

  @Override
  protected void prepare() {
    DeepClassifier c = classifier.apply();
    TrainOptions.Master master = TrainOptions.Master.parse(trainingMaster);
    try {
      options = c.trainOptions(data, output.output, output.overwrite(), resume).withTrainingMaster(master);
      requireExisting("--data", data);
      SparkTrainer.check(options, new Configuration());
    } catch (IllegalArgumentException e) {
      // a Param's refusal (the API's message, e.g. "network cnn does not fit text data") with the flags named
      throw new UsageException(classifier.withFlags(e.getMessage()));
    }
  }

  @Override
  protected int execute() {
    log.info("train with {}", options);
    ModelCard card = SparkTrainer.train(spark(), options);
    println("wrote " + options.output() + ": " + card.model() + ", best epoch " + card.bestEpoch()
        + " of " + card.epochs().size() + ", validation accuracy "
        + String.format(java.util.Locale.ROOT, "%.4f", card.bestValidationAccuracy()) + " (" + card.stoppedBecause() + ")");
    return 0;
  }
}
