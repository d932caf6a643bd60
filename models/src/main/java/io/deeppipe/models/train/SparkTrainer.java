package io.deeppipe.models.train;

import static org.apache.spark.sql.functions.col;

import io.deeppipe.models.Batches;
import io.deeppipe.models.InputSpec;
import io.deeppipe.models.TrainOptions;
import io.deeppipe.models.nets.Networks;
import io.deeppipe.transforms.IngestSteps;
import io.deeppipe.transforms.SplitAssigner;
import io.deeppipe.transforms.card.BadInputException;
import io.deeppipe.transforms.card.Cards;
import io.deeppipe.transforms.card.DatasetCard;
import io.deeppipe.transforms.card.ModelCard;
import io.deeppipe.transforms.text.Vocabulary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.dataset.DataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a network data-parallel on Spark with DL4J's {@link ParameterAveragingTrainingMaster}.
 * Each epoch the train split's rows (read once, spread over {@code --workers} partitions and cached
 * as rows) become minibatches on the executors, shuffled per partition with a seed of (seed, epoch,
 * partition); the validation split is evaluated after each epoch (on the driver when it is small,
 * else distributed); the last and best networks are
 * checkpointed with the run's state, so {@code --resume} continues after a crash; training stops
 * early after {@code --patience} epochs without a better validation accuracy, and the best network
 * is the model.
 *
 * <p>Defaults chosen for speed (STACK.md measured DL4J's stock settings 7–11× slower than a
 * single JVM): the Direct training approach (no export of every minibatch to disk), no
 * repartitioning, no training statistics, averaging every {@code --averaging-frequency} minibatches,
 * by default (0) as many as keep an averaging round's cost under a tenth of the work between rounds
 * ({@link #autoFrequency}); an epoch of a single round skips DL4J's count and split ({@link
 * AveragingMaster}), and the validation minibatches are built once.
 */
public final class SparkTrainer {
  private static final Logger LOG = LoggerFactory.getLogger(SparkTrainer.class);

  private SparkTrainer() {}

  /** Checks a dataset and options fit together, before Spark starts. Returns the dataset card. */
  public static DatasetCard check(TrainOptions o, org.apache.hadoop.conf.Configuration conf) {
    if (o.trainingMaster() == TrainOptions.Master.SHARING) {
      throw new BadInputException(
          "--training-master sharing is refused: DL4J 1.0.0-M2's gradient sharing (SharedTrainingMaster over"
              + " Aeron UDP) hung on local[2] and reached 0.43 accuracy where averaging reached 0.987 on a"
              + " standalone cluster (see README, 'Training'); use --training-master averaging");
    }
    DatasetCard card = Cards.readDataset(new Path(o.data()), conf);
    io.deeppipe.models.DeepClassifier.requireFits(o.model(), card.kind());
    if (card.labels().size() < 2) {
      throw new BadInputException("dataset " + o.data() + " has " + card.labels().size()
          + " labels: training a classifier needs at least 2 (labels: " + card.labels() + ")");
    }
    if (card.count(SplitAssigner.TRAIN) == 0) {
      throw new BadInputException("dataset " + o.data() + " has an empty train split");
    }
    new ModelDir(o.output(), conf).checkUsable(o.overwrite(), o.resume());
    return card;
  }

  public static ModelCard train(SparkSession spark, TrainOptions o) {
    org.apache.hadoop.conf.Configuration conf = spark.sparkContext().hadoopConfiguration();
    DatasetCard data = check(o, conf);
    ModelDir dir = new ModelDir(o.output(), conf);
    if (o.overwrite()) {
      dir.delete();
    } else if (o.resume() && dir.finished()) {
      return alreadyFinished(o, data, conf);
    }
    InputSpec spec = InputSpec.of(data);
    Batches batches = new Batches(spec, o.model());

    TrainingState state;
    MultiLayerNetwork net;
    if (o.resume() && dir.hasCheckpoint()) {
      state = dir.readState();
      if (!state.datasetFingerprint().equals(data.fingerprint()) || !state.model().equals(o.model().optionName())) {
        throw new BadInputException("--resume: the checkpoint in " + o.output() + " is a " + state.model()
            + " on dataset " + state.datasetFingerprint() + ", not a " + o.model().optionName() + " on " + data.fingerprint());
      }
      net = dir.readNetwork(ModelDir.lastCheckpoint(state.epochs().size()));
      LOG.info("resuming {} after epoch {} (best epoch {})", o.output(), state.epochs().size(), state.bestEpoch());
    } else {
      state = TrainingState.fresh(o.model().optionName(), data.fingerprint());
      net = newNetwork(o, spec, workers(spark, o));
    }
    spark.sparkContext().setJobGroup("train", "train " + o.model().optionName() + " on " + o.data(), false);
    boolean validate = data.count(SplitAssigner.VALIDATION) > 0;
    Fitted fitted = fit(spark, rows(spark, o.data(), SplitAssigner.TRAIN, batches),
        validate ? rows(spark, o.data(), SplitAssigner.VALIDATION, batches) : null, batches, net, state, o,
        Checkpoints.in(dir));
    state = fitted.state();
    String stopped = fitted.stopped();
    int workers = fitted.workers();

    MultiLayerNetwork best = fitted.best();
    dir.copy(ModelDir.BEST, ModelDir.MODEL); // the same bytes: no second serialization
    dir.writeAtomically(ModelDir.METRICS, metricsCsv(state.epochs()));
    if (data.text() != null) {
      // predict rebuilds the tokenization from the model directory alone
      dir.writeAtomically(Vocabulary.FILE_NAME,
          io.deeppipe.transforms.io.Storage.readString(new Path(o.data(), Vocabulary.FILE_NAME), conf));
    }
    Path preprocessor = new Path(o.data(), io.deeppipe.transforms.io.DatasetWriter.PREPROCESSOR);
    dir.copyPreprocessor(preprocessor);
    dir.writePipeline(preprocessor,
        io.deeppipe.models.DeepClassifier.of(o).model(io.deeppipe.models.ClassifierInput.of(spec, data.labels()), best));
    try {
      java.nio.file.Path png = Files.createTempFile("training", ".png");
      Plots.trainingCurves(state.epochs(), o.model().optionName() + " on " + new Path(o.data()).getName(), png);
      dir.copyFromLocal(png, ModelDir.CURVES);
      Files.deleteIfExists(png);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ModelCard card =
        new ModelCard(
            ModelCard.SCHEMA_VERSION, o.model().optionName(), data.kind(), data.labels(), data.fingerprint(), o.data(),
            spec.shape(o.model()), data.text(), data.image(), hyperParameters(o, state, workers), state.epochs(), state.bestEpoch(),
            validate ? state.bestValidationAccuracy() : Double.NaN, stopped, state.wallTimeMs(), "averaging", workers,
            best.numParams(), Instant.now().toString(), dir.fingerprint(), null);
    dir.writeAtomically(ModelCard.FILE_NAME, Cards.toJson(card) + "\n");
    spark.sparkContext().clearJobGroup();
    LOG.info("model written to {}: best epoch {}, validation accuracy {}", o.output(), card.bestEpoch(),
        card.bestValidationAccuracy());
    return card;
  }

  /**
   * {@code o}'s hyper-parameters with the averaging frequency the run used: the one chosen when
   * {@code o} left it to the trainer (0), so the card says how to re-create the run.
   */
  static java.util.Map<String, Object> hyperParameters(TrainOptions o, TrainingState state, int workers) {
    java.util.Map<String, Object> h = new java.util.LinkedHashMap<>(o.hyperParameters());
    h.put("replica_learning_rate", o.replicaLearningRate(workers));
    h.put("averaging_frequency", state.averagingFrequency());
    if (o.averagingFrequency() == 0) {
      h.put("averaging_frequency_chosen", "auto");
    }
    return h;
  }

  /**
   * A fresh network of {@code o}'s type and sizes for {@code spec}, initialised with its seed, for
   * {@code workers} averaged replicas: its updater at {@link TrainOptions#replicaLearningRate}.
   */
  public static MultiLayerNetwork newNetwork(TrainOptions o, InputSpec spec, int workers) {
    MultiLayerNetwork net =
        new MultiLayerNetwork(Networks.build(o.model(), spec, o.withLearningRate(o.replicaLearningRate(workers))));
    net.init();
    return net;
  }

  /** The replicas {@code o} trains: {@code --workers}, or 0 = one per Spark core. */
  public static int workers(SparkSession spark, TrainOptions o) {
    return o.workers() > 0 ? o.workers() : spark.sparkContext().defaultParallelism();
  }

  /**
   * What {@link #fit} returns: the best network (of the best validation epoch, or the last one
   * without validation), the state after the last epoch, why it stopped and the workers it used.
   */
  public record Fitted(MultiLayerNetwork best, TrainingState state, String stopped, int workers) {}

  /**
   * The epochs: {@code net} trained data-parallel on {@code trainRows} (columns as {@code batches}
   * reads them) from where {@code state} left it, {@code validationRows} (null = none) evaluated
   * after each epoch for early stopping, every epoch handed to {@code checkpoints}. Serves
   * {@code train} (rows of a dataset's splits, checkpoints in the model directory) and
   * {@code DeepClassifier.fit} (rows of any DataFrame).
   */
  public static Fitted fit(SparkSession spark, Dataset<Row> trainRows, Dataset<Row> validationRows, Batches batches,
      MultiLayerNetwork net, TrainingState state, TrainOptions o, Checkpoints checkpoints) {
    int workers = workers(spark, o);
    // round-robin over the workers, cached once as compact Java rows (primitive arrays: about the
    // bytes of the data, spilled to disk where memory is short), so an epoch shuffles and batches
    // them without decoding Spark's columnar cache into rows again (DL4J's Direct approach refuses
    // a persisted RDD of DataSets)
    JavaRDD<Row> train = trainRows.repartition(workers).javaRDD().map(batches::compact)
        .persist(StorageLevel.MEMORY_AND_DISK());
    spark.sparkContext().setJobDescription("cache the train rows over " + workers + " workers");
    long rows = train.count();
    // round-robin: no partition holds more than ceil(rows / workers) rows
    int perWorker = (int) Math.max(1, ceilDiv(ceilDiv(rows, workers), o.batchSize()));
    int frequency = o.averagingFrequency() > 0 ? o.averagingFrequency()
        : state.averagingFrequency() > 0 ? state.averagingFrequency() : autoFrequency(net, train, batches, o, perWorker);
    state = state.withAveragingFrequency(frequency);
    LOG.info("{}: {} parameters, {} workers, batch {} per worker, learning rate {} per replica, averaging every {}"
            + " minibatches ({} per worker and epoch: {} averaging round(s) per epoch)", o.model().optionName(),
        net.numParams(), workers, o.batchSize(), o.replicaLearningRate(workers), frequency, perWorker,
        ceilDiv(perWorker, frequency));
    boolean validate = validationRows != null;
    // the validation minibatches are the same every epoch: built once, on the driver when they are
    // small (no parameter broadcast and Spark job per epoch), else kept serialized on the executors
    JavaRDD<DataSet> validation = null;
    List<DataSet> driverValidation = null;
    if (validate) {
      spark.sparkContext().setJobDescription("build the validation minibatches");
      JavaRDD<DataSet> sets = toDataSets(validationRows, batches, o.batchSize(), -1);
      if (validationRows.count() * batches.bytesPerRow() <= driverValidationBytes) {
        driverValidation = sets.collect();
      } else {
        validation = sets.persist(StorageLevel.MEMORY_AND_DISK_SER());
      }
    }

    JavaSparkContext jsc = new JavaSparkContext(spark.sparkContext());
    String group = spark.sparkContext().getLocalProperty("spark.jobGroup.id");

    String stopped = "completed " + o.epochs() + " epochs";
    if (validate && !state.epochs().isEmpty() && state.epochsWithoutImprovement() >= o.patience()) {
      // killed after it had stopped early: resuming must not train past where it stopped
      stopped = earlyStop(state.epochs().size(), o.patience());
    }
    for (int epoch = state.epochs().size() + 1; epoch <= o.epochs() && !stopped.startsWith("early"); epoch++) {
      long t0 = System.currentTimeMillis();
      spark.sparkContext().setJobDescription("train epoch " + epoch);
      // a master per epoch, seeded by the epoch: its split order then does not depend on how many
      // epochs this process ran, so a resumed run repeats what the uninterrupted one would do
      SparkDl4jMultiLayer sparkNet =
          new SparkDl4jMultiLayer(jsc, net, master(o, workers, frequency, o.seed() + epoch, (long) perWorker * workers));
      int jobsBefore = jobsIn(spark, group);
      sparkNet.fit(toDataSets(train, batches, o.batchSize(), o.seed() * 1_000_003L + epoch));
      int fitJobs = jobsIn(spark, group) - jobsBefore;
      long fitMillis = System.currentTimeMillis() - t0;
      net = sparkNet.getNetwork();
      double loss = sparkNet.getScore();
      double accuracy = Double.NaN;
      if (validate) {
        spark.sparkContext().setJobDescription("validate epoch " + epoch);
        Evaluation eval = driverValidation != null
            ? net.evaluate(new ListDataSetIterator<>(driverValidation, 1))
            : sparkNet.evaluate(validation);
        accuracy = eval.accuracy();
      }
      long validated = System.currentTimeMillis();
      state = state.next(new ModelCard.Epoch(epoch, loss, accuracy, validated - t0), validated - t0);
      checkpoints.save(net, state);
      long millis = System.currentTimeMillis() - t0;
      // where an epoch's time goes: the averaged fit (one Spark job per averaging round), the
      // distributed validation and the checkpoint
      LOG.info("epoch {}/{}: train loss {}, validation accuracy {} ({} ms: fit {} ms in {} Spark jobs, validation {} ms,"
              + " checkpoint {} ms){}", epoch, o.epochs(), String.format(Locale.ROOT, "%.4f", loss),
          String.format(Locale.ROOT, "%.4f", accuracy), millis, fitMillis, fitJobs, validated - t0 - fitMillis,
          t0 + millis - validated, state.improvedLast() ? " - best so far" : "");
      if (validate && state.epochsWithoutImprovement() >= o.patience()) {
        stopped = earlyStop(epoch, o.patience());
        LOG.info(stopped);
        break;
      }
    }
    train.unpersist();
    if (validation != null) {
      validation.unpersist(false);
    }
    spark.sparkContext().setJobDescription(null);
    return new Fitted(checkpoints.best(), state, stopped, workers);
  }

  /**
   * A validation split whose minibatches take at most this many bytes of features is evaluated on
   * the driver each epoch (~1 000 MNIST rows: 3 MB); a larger one distributed.
   */
  static long driverValidationBytes = 128L << 20;

  /**
   * What one averaging round costs beyond the work it averages, in seconds: the parameter (and
   * updater) broadcast, a Spark job, each worker rebuilding its network from the broadcast, the
   * aggregation. Measured at ~0.2 s on {@code local[2]} (BENCHMARKS.md); a cluster pays more.
   */
  static final double ROUND_SECONDS = 0.25;

  /** The averaging work each round should carry: at least this many times {@link #ROUND_SECONDS}. */
  static final int WORK_PER_ROUND = 10;

  /**
   * {@code averagingFrequency} 0: the minibatches each worker fits between averagings, chosen so a
   * round's cost is at most a tenth of the fitting between rounds (DL4J's guidance: averaging pays
   * only when a minibatch takes ~100 ms or more), from the fit time of one real minibatch measured
   * here on a copy of the network; at most {@code perWorker}, one round per epoch.
   */
  static int autoFrequency(MultiLayerNetwork net, JavaRDD<Row> train, Batches batches, TrainOptions o, int perWorker) {
    train.context().setJobDescription("take a minibatch to time its fit");
    DataSet probe = batches.toDataSet(train.take(o.batchSize()));
    MultiLayerNetwork copy = net.clone();
    for (int i = 0; i < 3; i++) {
      copy.fit(probe); // warm-up: the first fits allocate the workspaces
    }
    double seconds = Double.MAX_VALUE;
    for (int i = 0; i < 5; i++) { // the fastest of 5: JIT and GC only ever add time
      long t0 = System.nanoTime();
      copy.fit(probe);
      seconds = Math.min(seconds, (System.nanoTime() - t0) / 1e9);
    }
    long wanted = (long) Math.ceil(WORK_PER_ROUND * ROUND_SECONDS / Math.max(seconds, 1e-6));
    int frequency = (int) Math.max(1, Math.min(perWorker, wanted));
    LOG.info("averaging frequency (auto): a minibatch of {} takes {} ms to fit here; a round costs ~{} ms, so at least"
            + " {} minibatches per round, capped at the {} minibatches of a worker's epoch: {}", o.batchSize(),
        String.format(Locale.ROOT, "%.1f", seconds * 1000), (int) (ROUND_SECONDS * 1000), wanted, perWorker, frequency);
    return frequency;
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }

  private static int jobsIn(SparkSession spark, String group) {
    return group == null ? 0 : spark.sparkContext().statusTracker().getJobIdsForGroup(group).length;
  }

  /**
   * {@code --resume} of a run that finished (a retried scheduler task, say): nothing is left to do
   * if the model is the same type trained on the same dataset; anything else is refused.
   */
  private static ModelCard alreadyFinished(TrainOptions o, DatasetCard data, org.apache.hadoop.conf.Configuration conf) {
    ModelCard card = Cards.readModel(new Path(o.output()), conf);
    if (!card.datasetFingerprint().equals(data.fingerprint()) || !card.model().equals(o.model().optionName())) {
      throw new BadInputException("--resume: " + o.output() + " is a finished " + card.model() + " on dataset "
          + card.datasetFingerprint() + ", not a " + o.model().optionName() + " on " + data.fingerprint()
          + "; use --mode overwrite to replace it");
    }
    LOG.info("{} is already finished ({}): nothing to resume", o.output(), card.stoppedBecause());
    return card;
  }

  /** The training master with this project's defaults (see the class comment); averaging as {@code o} says. */
  public static ParameterAveragingTrainingMaster master(TrainOptions o, long seed) {
    return master(o, o.workers() > 0 ? o.workers() : null, Math.max(1, o.averagingFrequency()), seed, -1);
  }

  /**
   * The training master: {@code workers} replicas (null = one per Spark core), averaging every
   * {@code frequency} minibatches; {@code minibatches} bounds an epoch's minibatches (-1 = unknown),
   * which lets an epoch of one round skip DL4J's count and split.
   */
  static ParameterAveragingTrainingMaster master(TrainOptions o, Integer workers, int frequency, long seed,
      long minibatches) {
    return new AveragingMaster(new ParameterAveragingTrainingMaster.Builder(workers, o.batchSize())
        .batchSizePerWorker(o.batchSize())
        .averagingFrequency(frequency)
        .workerPrefetchNumBatches(o.prefetch())
        .rddTrainingApproach(RDDTrainingApproach.Direct)
        .repartionData(Repartition.Never)
        .collectTrainingStats(false)
        .saveUpdater(true)
        .rngSeed(seed), minibatches);
  }

  private static String earlyStop(int epoch, int patience) {
    return "early stop after epoch " + epoch + ": no better validation accuracy for " + patience + " epochs";
  }

  /**
   * The labelled rows of one split, with only the columns the adapter reads, read with their known
   * types (no schema-inference job).
   */
  public static Dataset<Row> rows(SparkSession spark, String data, String split, Batches batches) {
    return spark.read().schema(batches.schema()).parquet(new Path(data, "parquet/" + split).toString())
        .where(col(IngestSteps.LABEL_INDEX).isNotNull());
  }

  /**
   * Minibatches built on the executors; with {@code shuffleSeed >= 0} each partition's rows are
   * shuffled with a seed derived from it and the partition index.
   */
  public static JavaRDD<DataSet> toDataSets(Dataset<Row> rows, Batches batches, int batchSize, long shuffleSeed) {
    return toDataSets(rows.javaRDD(), batches, batchSize, shuffleSeed);
  }

  /** {@link #toDataSets(Dataset, Batches, int, long)} of rows as Spark gives them or {@link Batches#compact} made them. */
  static JavaRDD<DataSet> toDataSets(JavaRDD<Row> rows, Batches batches, int batchSize, long shuffleSeed) {
    Function2<Integer, Iterator<Row>, Iterator<DataSet>> fn =
        (partition, it) ->
            batches.dataSets(shuffleSeed < 0 ? it : Batches.shuffled(it, shuffleSeed * 31 + partition), batchSize);
    return rows.mapPartitionsWithIndex(fn, false);
  }

  static String metricsCsv(List<ModelCard.Epoch> epochs) {
    StringBuilder sb = new StringBuilder("epoch,train_loss,validation_accuracy,millis\n");
    for (ModelCard.Epoch e : epochs) {
      sb.append(e.epoch()).append(',').append(e.trainLoss()).append(',').append(e.validationAccuracy())
          .append(',').append(e.millis()).append('\n');
    }
    return sb.toString();
  }
}
