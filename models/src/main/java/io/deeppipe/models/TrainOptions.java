package io.deeppipe.models;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything {@code train} needs, validated once; messages name the option and the value.
 *
 * @param averagingFrequency minibatches each worker fits between two parameter averagings; 0 = auto (chosen
 *     from a measured minibatch time, see {@code SparkTrainer})
 * @param workers Spark partitions (= parallel model replicas) the training data is spread over
 * @param scaleLearningRate each of N averaged replicas trains at {@code learningRate × N} (the linear
 *     scaling rule), so an epoch moves the weights about as far as one epoch in a single JVM
 */
public record TrainOptions(
    String data,
    String output,
    boolean overwrite,
    boolean resume,
    ModelType model,
    int epochs,
    int batchSize,
    double learningRate,
    long seed,
    Updater updater,
    double dropout,
    double l2,
    int hidden,
    int embedding,
    int heads,
    int layers,
    Master trainingMaster,
    int workers,
    int averagingFrequency,
    int prefetch,
    int patience,
    boolean scaleLearningRate) {

  /** Optimisers offered; each maps to the ND4J updater of the same name. */
  public enum Updater {
    ADAM,
    SGD,
    NESTEROVS,
    RMSPROP;

    public static Updater parse(String v) {
      return io.deeppipe.transforms.Choices.parse(Updater.class, "--updater", v);
    }
  }

  /** How workers combine their updates. */
  public enum Master {
    AVERAGING,
    SHARING;

    public static Master parse(String v) {
      return io.deeppipe.transforms.Choices.parse(Master.class, "--training-master", v);
    }
  }

  public TrainOptions {
    require(data != null && !data.isBlank(), "--data is required");
    require(output != null && !output.isBlank(), "--output is required");
    require(model != null, "--model is required");
    require(epochs >= 1 && epochs <= 100_000, "--epochs must be in 1..100000, got " + epochs);
    require(batchSize >= 1 && batchSize <= 65_536, "--batch-size must be in 1..65536, got " + batchSize);
    require(learningRate > 0 && learningRate <= 10, "--learning-rate must be in (0, 10], got " + learningRate);
    require(dropout >= 0 && dropout < 1, "--dropout must be in [0, 1), got " + dropout);
    require(l2 >= 0, "--l2 must be >= 0, got " + l2);
    require(hidden >= 1 && hidden <= 65_536, "--hidden must be in 1..65536, got " + hidden);
    require(embedding >= 1 && embedding <= 8192, "--embedding must be in 1..8192, got " + embedding);
    require(heads >= 1 && embedding % heads == 0,
        "--heads must divide --embedding, got --heads " + heads + " and --embedding " + embedding);
    require(layers >= 1 && layers <= 64, "--layers must be in 1..64, got " + layers);
    require(workers >= 0 && workers <= 100_000, "--workers must be >= 0 (0 = one per Spark core), got " + workers);
    require(averagingFrequency >= 0, "--averaging-frequency must be >= 0 (0 = auto), got " + averagingFrequency);
    require(prefetch >= 0, "--prefetch must be >= 0, got " + prefetch);
    require(patience >= 1, "--patience must be >= 1, got " + patience);
    require(!(resume && overwrite), "--resume and --mode overwrite exclude each other");
  }

  /** The options without {@code scaleLearningRate}, which is then on (its default). */
  public TrainOptions(String data, String output, boolean overwrite, boolean resume, ModelType model, int epochs,
      int batchSize, double learningRate, long seed, Updater updater, double dropout, double l2, int hidden,
      int embedding, int heads, int layers, Master trainingMaster, int workers, int averagingFrequency, int prefetch,
      int patience) {
    this(data, output, overwrite, resume, model, epochs, batchSize, learningRate, seed, updater, dropout, l2, hidden,
        embedding, heads, layers, trainingMaster, workers, averagingFrequency, prefetch, patience, true);
  }

  /** The learning rate each of {@code replicas} averaged replicas trains at. */
  public double replicaLearningRate(int replicas) {
    return scaleLearningRate ? learningRate * replicas : learningRate;
  }

  /** These options with another learning rate (the network builders read it from here). */
  public TrainOptions withLearningRate(double rate) {
    return new TrainOptions(data, output, overwrite, resume, model, epochs, batchSize, rate, seed, updater,
        dropout, l2, hidden, embedding, heads, layers, trainingMaster, workers, averagingFrequency, prefetch, patience,
        scaleLearningRate);
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  /** These options with another training master. */
  public TrainOptions withTrainingMaster(Master master) {
    return new TrainOptions(data, output, overwrite, resume, model, epochs, batchSize, learningRate, seed, updater,
        dropout, l2, hidden, embedding, heads, layers, master, workers, averagingFrequency, prefetch, patience,
        scaleLearningRate);
  }

  /** The hyper-parameters as the model card records them. */
  public Map<String, Object> hyperParameters() {
    Map<String, Object> h = new LinkedHashMap<>();
    h.put("epochs", epochs);
    h.put("batch_size", batchSize);
    h.put("learning_rate", learningRate);
    h.put("seed", seed);
    h.put("updater", io.deeppipe.transforms.Choices.name(updater));
    h.put("dropout", dropout);
    h.put("l2", l2);
    h.put("hidden", hidden);
    h.put("embedding", embedding);
    h.put("heads", heads);
    h.put("layers", layers);
    h.put("averaging_frequency", averagingFrequency);
    h.put("prefetch", prefetch);
    h.put("patience", patience);
    h.put("scale_learning_rate", scaleLearningRate);
    return h;
  }
}
