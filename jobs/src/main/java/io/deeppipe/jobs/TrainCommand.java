package io.deeppipe.jobs;

import io.deeppipe.models.ModelType;
import io.deeppipe.models.TrainOptions;
import io.deeppipe.models.train.SparkTrainer;
import io.deeppipe.transforms.card.ModelCard;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Trains a DL4J network data-parallel on the Spark executors (parameter averaging) on an ingested dataset:"
            + " model.zip + model.json + metrics.csv + training.png + checkpoints/.")
public final class TrainCommand extends JobCommand {
  @Option(names = "--data", paramLabel = "DATASET_DIR", description = "An ingested dataset (with dataset.json).")
  String data;

  @Option(names = "--model", paramLabel = "TYPE", description = "mlp, cnn (images), lstm, transformer (text) (default: ${DEFAULT-VALUE}).")
  String model;

  @Mixin SharedOptions.Output output = new SharedOptions.Output();

  @Option(names = "--resume", arity = "0..1", fallbackValue = "true",
      description = "Continue an unfinished run in --output from its last checkpoint (default: ${DEFAULT-VALUE}).")
  boolean resume;

  @Option(names = "--epochs", paramLabel = "N", description = "Epochs at most (default: ${DEFAULT-VALUE}).")
  int epochs;

  @Option(names = "--batch-size", paramLabel = "N", description = "Minibatch size per worker (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--learning-rate", paramLabel = "LR", description = "Learning rate (default: ${DEFAULT-VALUE}).")
  double learningRate;

  @Option(names = "--updater", paramLabel = "NAME", description = "adam, sgd, nesterovs or rmsprop (default: ${DEFAULT-VALUE}).")
  String updater;

  @Option(names = "--dropout", paramLabel = "P", description = "Dropout probability on dense layers (default: ${DEFAULT-VALUE}).")
  double dropout;

  @Option(names = "--l2", paramLabel = "W", description = "L2 weight decay (default: ${DEFAULT-VALUE}).")
  double l2;

  @Option(names = "--hidden", paramLabel = "N",
      description = "Units of the hidden dense layers; LSTM units per direction; Transformer feed-forward width (default: ${DEFAULT-VALUE}).")
  int hidden;

  @Option(names = "--embedding", paramLabel = "N", description = "Token embedding size = Transformer width (text models) (default: ${DEFAULT-VALUE}).")
  int embedding;

  @Option(names = "--heads", paramLabel = "N", description = "Transformer attention heads; must divide --embedding (default: ${DEFAULT-VALUE}).")
  int heads;

  @Option(names = "--layers", paramLabel = "N", description = "LSTM layers or Transformer encoder blocks (default: ${DEFAULT-VALUE}).")
  int layers;

  @Option(names = "--training-master", paramLabel = "NAME",
      description = "averaging (parameter averaging); sharing is refused, see README (default: ${DEFAULT-VALUE}).")
  String trainingMaster;

  @Option(names = "--workers", paramLabel = "N",
      description = "Model replicas = partitions of the training data; 0 = one per Spark core (default: ${DEFAULT-VALUE}).")
  int workers;

  @Option(names = "--averaging-frequency", paramLabel = "N",
      description = "Minibatches each worker fits between parameter averagings (default: ${DEFAULT-VALUE}).")
  int averagingFrequency;

  @Option(names = "--prefetch", paramLabel = "N", description = "Minibatches prefetched per worker (default: ${DEFAULT-VALUE}).")
  int prefetch;

  @Option(names = "--patience", paramLabel = "N",
      description = "Stop after N epochs without a better validation accuracy (default: ${DEFAULT-VALUE}).")
  int patience;

  @Mixin SharedOptions.Seed seed = new SharedOptions.Seed();

  private TrainOptions options;

  @Override
  protected void prepare() {
    options =
        new TrainOptions(data, output.output, output.overwrite(), resume, ModelType.parse(model), epochs, batchSize,
            learningRate, seed.seed, TrainOptions.Updater.parse(updater), dropout, l2, hidden, embedding, heads, layers,
            TrainOptions.Master.parse(trainingMaster), workers, averagingFrequency, prefetch, patience);
    requireExisting("--data", data);
    SparkTrainer.check(options, new Configuration());
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
