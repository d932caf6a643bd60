package io.deeppipe.models;

import io.deeppipe.transforms.IngestSteps;
import io.deeppipe.transforms.ml.ParamChecks;
import java.io.Serializable;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;

/**
 * The Params of {@link DeepClassifier} and {@link DeepClassificationModel}, declared once here with
 * doc, default and validator; {@code train}'s options and conf keys derive from them.
 */
public interface DeepClassifierParams extends Params {
  /** The choices of {@code handleInvalid}, as MLlib's stages name theirs. */
  java.util.List<String> HANDLE_INVALID = java.util.List.of("keep", "skip");

  /** The Param objects of one stage. */
  final class Declared implements Serializable {
    final Param<String> network;
    final IntParam epochs;
    final IntParam batchSize;
    final DoubleParam learningRate;
    final LongParam seed;
    final Param<String> updater;
    final DoubleParam dropout;
    final DoubleParam l2;
    final IntParam hidden;
    final IntParam embedding;
    final IntParam heads;
    final IntParam layers;
    final IntParam workers;
    final IntParam averagingFrequency;
    final BooleanParam scaleLearningRate;
    final IntParam prefetch;
    final IntParam patience;
    final DoubleParam validationFraction;
    final Param<String> checkpointDir;
    final Param<String> featuresCol;
    final Param<String> labelCol;
    final Param<String> predictionCol;
    final Param<String> probabilityCol;
    final Param<String> rawPredictionCol;
    final IntParam topK;
    final Param<String> handleInvalid;

    Declared(Params owner) {
      network = new Param<>(owner, "network", "The network: mlp, cnn (images), lstm, transformer (text).",
          ParamChecks.oneOf("network", ParamChecks.names(ModelType.class)));
      epochs = new IntParam(owner, "epochs", "Epochs at most.", ParamChecks.intRange("epochs", 1, 100_000));
      batchSize = new IntParam(owner, "batchSize", "Minibatch size per worker.",
          ParamChecks.intRange("batchSize", 1, 65_536));
      learningRate = new DoubleParam(owner, "learningRate", "Learning rate.",
          ParamChecks.doubleRange("learningRate", 0, true, 10, true));
      seed = new LongParam(owner, "seed", "Seed of the weights, the minibatch order and the validation sample.",
          ParamChecks.check("seed", "a number", v -> true));
      updater = new Param<>(owner, "updater", "The optimiser: adam, sgd, nesterovs or rmsprop.",
          ParamChecks.oneOf("updater", ParamChecks.names(TrainOptions.Updater.class)));
      dropout = new DoubleParam(owner, "dropout", "Dropout probability on dense layers.",
          ParamChecks.doubleRange("dropout", 0, false, 1, false));
      l2 = new DoubleParam(owner, "l2", "L2 weight decay.",
          ParamChecks.check("l2", ">= 0", v -> ((Number) v).doubleValue() >= 0));
      hidden = new IntParam(owner, "hidden",
          "Units of the hidden dense layers; LSTM units per direction; Transformer feed-forward width.",
          ParamChecks.intRange("hidden", 1, 65_536));
      embedding = new IntParam(owner, "embedding", "Token embedding size = Transformer width (text networks).",
          ParamChecks.intRange("embedding", 1, 8192));
      heads = new IntParam(owner, "heads", "Transformer attention heads; must divide embedding.",
          ParamChecks.intRange("heads", 1, 8192));
      layers = new IntParam(owner, "layers", "LSTM layers or Transformer encoder blocks.",
          ParamChecks.intRange("layers", 1, 64));
      workers = new IntParam(owner, "workers",
          "Model replicas = partitions of the training data; 0 = one per Spark core.",
          ParamChecks.check("workers", ">= 0 (0 = one per Spark core)", v -> (Integer) v >= 0 && (Integer) v <= 100_000));
      averagingFrequency = new IntParam(owner, "averagingFrequency",
          "Minibatches each worker fits between parameter averagings; 0 = auto: chosen from a minibatch's measured"
              + " fit time so that an averaging round costs at most a tenth of the work between rounds.",
          ParamChecks.check("averagingFrequency", ">= 0 (0 = auto)", v -> (Integer) v >= 0));
      scaleLearningRate = new BooleanParam(owner, "scaleLearningRate",
          "Each of N averaged replicas trains at learningRate × N (the linear scaling rule), so an epoch on N workers"
              + " moves the weights about as far as an epoch in one JVM at learningRate; false = every replica at"
              + " learningRate.");
      prefetch = new IntParam(owner, "prefetch",
          "Minibatches each worker builds ahead on a thread of its own; 0 = each is built on the worker's own thread"
              + " just before its fit. The train rows are cached in memory, so building a minibatch is CPU work: on a"
              + " worker's one core a prefetch thread only competes with the fit. Raise it for GPU executors, whose"
              + " CPU is free while the GPU fits.",
          ParamChecks.intAtLeast("prefetch", 0));
      patience = new IntParam(owner, "patience",
          "Stop after this many epochs without a better validation accuracy.", ParamChecks.intAtLeast("patience", 1));
      validationFraction = new DoubleParam(owner, "validationFraction",
          "Fraction of the rows fit holds out to pick the best epoch and stop early (0 = none: every epoch"
              + " trains on all rows and the last epoch is the model; train uses the dataset's validation split).",
          ParamChecks.doubleRange("validationFraction", 0, false, 1, false));
      checkpointDir = new Param<>(owner, "checkpointDir",
          "Directory (any Hadoop URI) for a checkpoint after every epoch; empty = keep the best network in memory.",
          ParamChecks.check("checkpointDir", "a path or empty", v -> true));
      featuresCol = new Param<>(owner, "featuresCol",
          "The network's input column; unset = token_ids (+ length) when present, else image.",
          ParamChecks.nonBlank("featuresCol"));
      labelCol = new Param<>(owner, "labelCol", "Column of the class index (integer, with the labels as its"
          + " nominal attribute, as the preprocessors write it).", ParamChecks.nonBlank("labelCol"));
      predictionCol = new Param<>(owner, "predictionCol", "Output column of the predicted class index (double).",
          ParamChecks.nonBlank("predictionCol"));
      probabilityCol = new Param<>(owner, "probabilityCol", "Output column of every class's probability (a Vector).",
          ParamChecks.nonBlank("probabilityCol"));
      rawPredictionCol = new Param<>(owner, "rawPredictionCol",
          "Output column of the log-probabilities (a Vector; the network ends in a softmax).",
          ParamChecks.nonBlank("rawPredictionCol"));
      topK = new IntParam(owner, "topK", "Labels in the top_k output column (label, probability), highest first.",
          ParamChecks.intRange("topK", 1, 100_000));
      handleInvalid = new Param<>(owner, "handleInvalid",
          "What transform does with a row it cannot score (one with a rejected_reason, or without features): keep"
              + " (passed through with null predictions) or skip (left out; e.g. for MLlib's evaluators, which need"
              + " a prediction on every row, in a CrossValidator over a whole Pipeline).",
          ParamChecks.oneOf("handleInvalid", HANDLE_INVALID));
      owner.setDefault(network, "mlp");
      owner.setDefault(epochs, 10);
      owner.setDefault(batchSize, 32);
      owner.setDefault(learningRate, 0.001);
      owner.setDefault(seed, 42L);
      owner.setDefault(updater, "adam");
      owner.setDefault(dropout, 0.0);
      owner.setDefault(l2, 0.0);
      owner.setDefault(hidden, 128);
      owner.setDefault(embedding, 64);
      owner.setDefault(heads, 4);
      owner.setDefault(layers, 1);
      owner.setDefault(workers, 0);
      owner.setDefault(averagingFrequency, 0);
      owner.setDefault(scaleLearningRate, true);
      owner.setDefault(prefetch, 0);
      owner.setDefault(patience, 5);
      owner.setDefault(validationFraction, 0.0);
      owner.setDefault(checkpointDir, "");
      owner.setDefault(labelCol, IngestSteps.LABEL_INDEX);
      owner.setDefault(predictionCol, "prediction");
      owner.setDefault(probabilityCol, "probability");
      owner.setDefault(rawPredictionCol, "rawPrediction");
      owner.setDefault(topK, 5);
      owner.setDefault(handleInvalid, "keep");
    }
  }

  /** This stage's Params (not itself a Param: Spark finds Params by their accessor methods). */
  Declared declared();

  default Param<String> network() { return declared().network; }

  default IntParam epochs() { return declared().epochs; }

  default IntParam batchSize() { return declared().batchSize; }

  default DoubleParam learningRate() { return declared().learningRate; }

  default LongParam seed() { return declared().seed; }

  default Param<String> updater() { return declared().updater; }

  default DoubleParam dropout() { return declared().dropout; }

  default DoubleParam l2() { return declared().l2; }

  default IntParam hidden() { return declared().hidden; }

  default IntParam embedding() { return declared().embedding; }

  default IntParam heads() { return declared().heads; }

  default IntParam layers() { return declared().layers; }

  default IntParam workers() { return declared().workers; }

  default IntParam averagingFrequency() { return declared().averagingFrequency; }

  default BooleanParam scaleLearningRate() { return declared().scaleLearningRate; }

  default IntParam prefetch() { return declared().prefetch; }

  default IntParam patience() { return declared().patience; }

  default DoubleParam validationFraction() { return declared().validationFraction; }

  default Param<String> checkpointDir() { return declared().checkpointDir; }

  default Param<String> featuresCol() { return declared().featuresCol; }

  default Param<String> labelCol() { return declared().labelCol; }

  default Param<String> predictionCol() { return declared().predictionCol; }

  default Param<String> probabilityCol() { return declared().probabilityCol; }

  default Param<String> rawPredictionCol() { return declared().rawPredictionCol; }

  default IntParam topK() { return declared().topK; }

  default Param<String> handleInvalid() { return declared().handleInvalid; }

  default ModelType getNetwork() { return ModelType.parse(getOrDefault(network())); }

  default int getEpochs() { return (Integer) getOrDefault(epochs()); }

  default int getBatchSize() { return (Integer) getOrDefault(batchSize()); }

  default double getLearningRate() { return (Double) getOrDefault(learningRate()); }

  default long getSeed() { return (Long) getOrDefault(seed()); }

  default double getValidationFraction() { return (Double) getOrDefault(validationFraction()); }

  default String getCheckpointDir() { return getOrDefault(checkpointDir()); }

  default String getLabelCol() { return getOrDefault(labelCol()); }

  default String getPredictionCol() { return getOrDefault(predictionCol()); }

  default String getProbabilityCol() { return getOrDefault(probabilityCol()); }

  default String getRawPredictionCol() { return getOrDefault(rawPredictionCol()); }

  default int getTopK() { return (Integer) getOrDefault(topK()); }

  default String getHandleInvalid() { return getOrDefault(handleInvalid()); }

  /** The hyper-parameters as {@link TrainOptions} carries them to the network builders and the trainer. */
  default TrainOptions trainOptions(String data, String output, boolean overwrite, boolean resume) {
    return new TrainOptions(data, output, overwrite, resume, getNetwork(), getEpochs(), getBatchSize(),
        getLearningRate(), getSeed(), TrainOptions.Updater.parse(getOrDefault(updater())),
        (Double) getOrDefault(dropout()), (Double) getOrDefault(l2()), (Integer) getOrDefault(hidden()),
        (Integer) getOrDefault(embedding()), (Integer) getOrDefault(heads()), (Integer) getOrDefault(layers()),
        TrainOptions.Master.AVERAGING, (Integer) getOrDefault(workers()), (Integer) getOrDefault(averagingFrequency()),
        (Integer) getOrDefault(prefetch()), (Integer) getOrDefault(patience()),
        (Boolean) getOrDefault(scaleLearningRate()));
  }
}
