package io.deeppipe.models.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deeppipe.models.Batches;
import io.deeppipe.models.Fixtures;
import io.deeppipe.models.InputSpec;
import io.deeppipe.models.ModelType;
import io.deeppipe.models.TrainOptions;
import io.deeppipe.models.nets.Networks;
import io.deeppipe.transforms.SplitAssigner;
import io.deeppipe.transforms.SplitAssigner.SplitFractions;
import io.deeppipe.transforms.card.BadInputException;
import io.deeppipe.transforms.card.DatasetCard;
import io.deeppipe.transforms.card.ModelCard;
import io.deeppipe.transforms.image.ImageIngest;
import io.deeppipe.transforms.image.ImageIngestOptions;
import io.deeppipe.transforms.image.Resizer;
import io.deeppipe.transforms.testing.LocalSpark;
import io.deeppipe.transforms.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.dataset.DataSet;

class SparkTrainerTest {
  private final SparkSession spark = LocalSpark.session();
  @TempDir static Path shared;
  static String mnist;
  static Path tree;

  /** 4 000 real MNIST digits, ingested with the real image job. */
  @BeforeAll
  static void ingest() throws Exception {
    tree = TestData.writeMnistPngs(shared.resolve("png"), 400);
    mnist = shared.resolve("mnist").toString();
    ImageIngest.run(LocalSpark.session(), new ImageIngestOptions(tree.toString(), null, mnist, false, 28, 28, 1,
        Resizer.Mode.CROP, 100_000_000L, true, SplitFractions.parse("0.8,0.1,0.1"), 42, false, 32));
  }

  static TrainOptions options(ModelType type, int epochs, String out, int workers, double lr, int patience, boolean resume) {
    return new TrainOptions(mnist, out, false, resume, type, epochs, 32, lr, 7, TrainOptions.Updater.ADAM, 0.0, 0.0,
        64, 16, 2, 1, TrainOptions.Master.AVERAGING, workers, 10, 0, patience);
  }

  static double testAccuracy(ModelCard card, String modelDir) {
    SparkSession spark = LocalSpark.session();
    ModelDir dir = new ModelDir(modelDir, spark.sparkContext().hadoopConfiguration());
    MultiLayerNetwork net = dir.readNetwork(ModelDir.MODEL);
    Batches batches = new Batches(InputSpec.of(card), ModelType.parse(card.model()));
    List<Row> rows = SparkTrainer.rows(spark, mnist, SplitAssigner.TEST, batches).collectAsList();
    DataSet test = batches.toDataSet(rows);
    Evaluation eval = new Evaluation(card.labels().size());
    eval.eval(test.getLabels(), net.output(test.getFeatures(), false));
    return eval.accuracy();
  }

  @Test
  void sparkTrainingWithOneWorkerEqualsALocalFitOnTheSameMinibatches() {
    DatasetCard card = io.deeppipe.transforms.card.Cards.readDataset(
        new org.apache.hadoop.fs.Path(mnist), spark.sparkContext().hadoopConfiguration());
    InputSpec spec = InputSpec.of(card);
    TrainOptions o = new TrainOptions(mnist, "unused", false, false, ModelType.MLP, 1, 16, 1e-3, 7,
        TrainOptions.Updater.ADAM, 0.0, 0.0, 32, 16, 2, 1, TrainOptions.Master.AVERAGING, 1, 1000, 0, 5);
    Batches batches = new Batches(spec, ModelType.MLP);
    Dataset<Row> rows = SparkTrainer.rows(spark, mnist, SplitAssigner.TRAIN, batches).limit(320).coalesce(1).cache();
    List<DataSet> minibatches = SparkTrainer.toDataSets(rows, batches, 16, 99).collect();
    assertThat(minibatches).hasSize(20);

    MultiLayerNetwork local = new MultiLayerNetwork(Networks.build(ModelType.MLP, spec, o));
    local.init();
    MultiLayerNetwork start = local.clone();
    MultiLayerNetwork startAgain = local.clone(); // the training master trains the network it is given
    org.nd4j.linalg.api.ndarray.INDArray initial = local.params().dup();
    for (DataSet d : minibatches) {
      local.fit(d);
    }
    SparkDl4jMultiLayer distributed =
        new SparkDl4jMultiLayer(new JavaSparkContext(spark.sparkContext()), start, SparkTrainer.master(o, 7));
    distributed.fit(SparkTrainer.toDataSets(rows, batches, 16, 99));
    assertThat(local.params().equalsWithEps(distributed.getNetwork().params(), 1e-5)).isTrue();
    assertThat(local.params().equalsWithEps(initial, 1e-4)).as("training moved the parameters").isFalse();

    // minibatches built ahead on a prefetch thread (--prefetch 2, not the default) are the same minibatches
    TrainOptions prefetching = new TrainOptions(mnist, "unused", false, false, ModelType.MLP, 1, 16, 1e-3, 7,
        TrainOptions.Updater.ADAM, 0.0, 0.0, 32, 16, 2, 1, TrainOptions.Master.AVERAGING, 1, 1000, 2, 5);
    SparkDl4jMultiLayer prefetched = new SparkDl4jMultiLayer(new JavaSparkContext(spark.sparkContext()),
        startAgain, SparkTrainer.master(prefetching, 7));
    prefetched.fit(SparkTrainer.toDataSets(rows, batches, 16, 99));
    assertThat(local.params().equalsWithEps(prefetched.getNetwork().params(), 1e-5)).isTrue();
  }

  @Test
  void mlpAndCnnLearnRealDigits() throws Exception {
    String mlpDir = shared.resolve("mlp").toString();
    ModelCard mlp = SparkTrainer.train(spark, options(ModelType.MLP, 8, mlpDir, 2, 1e-3, 5, false));
    assertThat(testAccuracy(mlp, mlpDir)).isGreaterThanOrEqualTo(0.90);
    assertThat(mlp.epochs()).hasSize(8);
    assertThat(mlp.inputShape()).containsExactly(784);
    assertThat(mlp.workers()).isEqualTo(2);
    assertThat(Path.of(mlpDir, "training.png")).isNotEmptyFile();
    assertThat(Files.readAllLines(Path.of(mlpDir, "metrics.csv"))).hasSize(9).first().asString().startsWith("epoch,");
    assertThat(Files.readString(Path.of(mlpDir, "model.json"))).contains("\"model\" : \"mlp\"", "\"mean\"");
    pipelineScoresRawFilesAsPredictScoresTheDataset(mlpDir);

    String cnnDir = shared.resolve("cnn").toString();
    ModelCard cnn = SparkTrainer.train(spark, options(ModelType.CNN, 4, cnnDir, 2, 2e-3, 5, false));
    assertThat(testAccuracy(cnn, cnnDir)).isGreaterThanOrEqualTo(0.90);
    assertThat(cnn.inputShape()).containsExactly(1, 28, 28);
  }

  /**
   * MODEL_DIR/pipeline/ = Spark's PipelineModel of the dataset's preprocessor and the classifier:
   * it scores the raw PNG files, and gives each test image the class predict gives its ingested row.
   */
  private void pipelineScoresRawFilesAsPredictScoresTheDataset(String modelDir) {
    Dataset<Row> raw = spark.read().format("binaryFile").option("recursiveFileLookup", "true").load(tree.toString());
    Dataset<Row> scored = org.apache.spark.ml.PipelineModel.load(modelDir + "/pipeline").transform(raw);
    assertThat(scored.where("rejected_reason is null").count()).isEqualTo(raw.count());
    Dataset<Row> test = spark.read().parquet(mnist + "/parquet/test");
    Dataset<Row> predicted = io.deeppipe.models.infer.Predictor.load(spark, modelDir).transform(test);
    List<Row> pairs = predicted.join(scored.select(org.apache.spark.sql.functions.col("path").as("source"),
            org.apache.spark.sql.functions.col("prediction").as("pipeline_prediction")), "source")
        .select("prediction_index", "pipeline_prediction").collectAsList();
    assertThat(pairs).hasSize((int) test.count());
    assertThat(pairs).allSatisfy(r -> assertThat(r.getDouble(1)).isEqualTo((double) r.getInt(0)));
  }

  @Test
  void anInterruptedRunResumesToTheSameResult() throws Exception {
    String whole = shared.resolve("whole").toString();
    SparkTrainer.train(spark, options(ModelType.MLP, 2, whole, 1, 1e-3, 5, false));
    String cut = shared.resolve("cut").toString();
    SparkTrainer.train(spark, options(ModelType.MLP, 1, cut, 1, 1e-3, 5, false));
    Files.delete(Path.of(cut, "model.json")); // as if killed before the end
    assertThatThrownBy(() -> SparkTrainer.train(spark, options(ModelType.MLP, 2, cut, 1, 1e-3, 5, false)))
        .isInstanceOf(BadInputException.class).hasMessageContaining("--resume");
    ModelCard resumed = SparkTrainer.train(spark, options(ModelType.MLP, 2, cut, 1, 1e-3, 5, true));
    assertThat(resumed.epochs()).extracting(ModelCard.Epoch::epoch).containsExactly(1, 2);
    var conf = spark.sparkContext().hadoopConfiguration();
    MultiLayerNetwork a = new ModelDir(whole, conf).readNetwork(ModelDir.lastCheckpoint(2));
    MultiLayerNetwork b = new ModelDir(cut, conf).readNetwork(ModelDir.lastCheckpoint(2));
    assertThat(Path.of(cut, ModelDir.lastCheckpoint(1))).as("older checkpoints are removed").doesNotExist();
    assertThat(a.params().equalsWithEps(b.params(), 1e-5)).isTrue();
    assertThatThrownBy(() -> SparkTrainer.train(spark, options(ModelType.MLP, 2, cut, 1, 1e-3, 5, false)))
        .isInstanceOf(BadInputException.class).hasMessageContaining("finished model");
    // a retried scheduler task: --resume of a finished run has nothing left to do and changes nothing
    String card = Files.readString(Path.of(cut, "model.json"));
    long modified = Files.getLastModifiedTime(Path.of(cut, "model.zip")).toMillis();
    assertThat(SparkTrainer.train(spark, options(ModelType.MLP, 2, cut, 1, 1e-3, 5, true)).epochs()).hasSize(2);
    assertThat(Files.readString(Path.of(cut, "model.json"))).isEqualTo(card);
    assertThat(Files.getLastModifiedTime(Path.of(cut, "model.zip")).toMillis()).isEqualTo(modified);
    assertThatThrownBy(() -> SparkTrainer.train(spark, options(ModelType.CNN, 2, cut, 1, 1e-3, 5, true)))
        .isInstanceOf(BadInputException.class).hasMessageContaining("is a finished mlp");
  }

  /** Spark jobs started while {@code run} runs, by job description. */
  private java.util.Map<String, Integer> jobsByDescription(Runnable run) throws InterruptedException {
    java.util.Map<String, Integer> jobs = new java.util.concurrent.ConcurrentHashMap<>();
    var listener = new org.apache.spark.scheduler.SparkListener() {
      @Override
      public void onJobStart(org.apache.spark.scheduler.SparkListenerJobStart start) {
        jobs.merge(String.valueOf(start.properties().getProperty("spark.job.description")), 1, Integer::sum);
      }
    };
    spark.sparkContext().addSparkListener(listener);
    try {
      run.run();
      Thread.sleep(1500); // the listener bus is asynchronous
    } finally {
      spark.sparkContext().removeSparkListener(listener);
    }
    return jobs;
  }

  @Test
  void autoAveragingFitsAnEpochInOneSparkJobAndTheCardSaysWhatItChose() throws Exception {
    String out = shared.resolve("auto").toString();
    TrainOptions auto = new TrainOptions(mnist, out, false, false, ModelType.MLP, 2, 32, 1e-3, 7,
        TrainOptions.Updater.ADAM, 0.0, 0.0, 64, 16, 2, 1, TrainOptions.Master.AVERAGING, 2, 0, 0, 5);
    int cached = spark.sparkContext().getPersistentRDDs().size();
    ModelCard[] card = new ModelCard[1];
    var jobs = jobsByDescription(() -> card[0] = SparkTrainer.train(spark, auto));
    // an MLP minibatch takes a few ms, far under a tenth of a round's cost: one round per epoch, without
    // DL4J's count and split jobs
    long train = SparkTrainer.rows(spark, mnist, SplitAssigner.TRAIN, new Batches(InputSpec.of(card[0]), ModelType.MLP))
        .count();
    int perWorker = (int) Math.ceil(Math.ceil(train / 2.0) / 32);
    assertThat(jobs).containsEntry("train epoch 1", 1).containsEntry("train epoch 2", 1);
    assertThat(card[0].hyperParameters()).containsEntry("averaging_frequency", perWorker)
        .containsEntry("averaging_frequency_chosen", "auto").containsEntry("replica_learning_rate", 2e-3)
        .containsEntry("scale_learning_rate", true);
    assertThat(Files.readString(Path.of(out, ModelDir.CHECKPOINTS, TrainingState.FILE_NAME)))
        .containsPattern("\"averaging_frequency\"\\s*:\\s*" + perWorker + "\\b");
    assertThat(testAccuracy(card[0], out)).isGreaterThanOrEqualTo(0.85);
    assertThat(spark.sparkContext().getPersistentRDDs().size()).as("nothing left cached").isEqualTo(cached);

    // a frequency given: DL4J's path, a count and one job per averaging round, its cache released after each epoch
    String given = shared.resolve("given").toString();
    var rounds = jobsByDescription(() -> SparkTrainer.train(spark, new TrainOptions(mnist, given, false, false,
        ModelType.MLP, 1, 32, 1e-3, 7, TrainOptions.Updater.ADAM, 0.0, 0.0, 64, 16, 2, 1, TrainOptions.Master.AVERAGING,
        2, 10, 0, 5)));
    long minibatches = (long) Math.ceil((train / 2) / 32.0) + (long) Math.ceil((train - train / 2) / 32.0);
    assertThat(minibatches).isGreaterThan(20);
    assertThat(rounds.get("train epoch 1")).isEqualTo(1 + (int) (minibatches / 20));
    assertThat(spark.sparkContext().getPersistentRDDs().size()).as("nothing left cached").isEqualTo(cached);
  }

  @Test
  void aSmallValidationSplitIsScoredOnTheDriverWithTheAccuracyOfTheDistributedEvaluation() throws Exception {
    ModelCard[] cards = new ModelCard[2];
    var onDriver = jobsByDescription(() -> cards[0] =
        SparkTrainer.train(spark, options(ModelType.MLP, 2, shared.resolve("val-driver").toString(), 1, 1e-3, 5, false)));
    long limit = SparkTrainer.driverValidationBytes;
    SparkTrainer.driverValidationBytes = 0; // every validation split is "large"
    try {
      var distributed = jobsByDescription(() -> cards[1] = SparkTrainer.train(spark,
          options(ModelType.MLP, 2, shared.resolve("val-spark").toString(), 1, 1e-3, 5, false)));
      assertThat(distributed).containsKeys("validate epoch 1", "validate epoch 2");
    } finally {
      SparkTrainer.driverValidationBytes = limit;
    }
    assertThat(onDriver).doesNotContainKeys("validate epoch 1", "validate epoch 2");
    assertThat(cards[0].epochs()).extracting(ModelCard.Epoch::validationAccuracy)
        .isEqualTo(cards[1].epochs().stream().map(ModelCard.Epoch::validationAccuracy).toList())
        .allSatisfy(a -> assertThat(a).isGreaterThan(0.5));
  }

  @Test
  void earlyStoppingStopsAndKeepsTheBestEpoch() throws Exception {
    String out = shared.resolve("early").toString();
    ModelCard card = SparkTrainer.train(spark, options(ModelType.MLP, 30, out, 2, 1e-9, 2, false));
    assertThat(card.epochs().size()).isLessThan(30);
    assertThat(card.stoppedBecause()).startsWith("early stop after epoch");
    assertThat(card.bestEpoch()).isLessThan(card.epochs().size());
    // the model is the best epoch's checkpoint, byte for byte, not the last epoch's network
    Path dir = Path.of(out);
    byte[] model = Files.readAllBytes(dir.resolve(ModelDir.MODEL));
    assertThat(model).isEqualTo(Files.readAllBytes(dir.resolve(ModelDir.BEST)))
        .isNotEqualTo(Files.readAllBytes(dir.resolve(ModelDir.lastCheckpoint(card.epochs().size()))));
  }

  @Test
  void refusesSharingWrongModelsAndNonDatasets() {
    TrainOptions sharing = new TrainOptions(mnist, shared.resolve("s").toString(), false, false, ModelType.MLP, 1, 32,
        1e-3, 7, TrainOptions.Updater.ADAM, 0, 0, 64, 16, 2, 1, TrainOptions.Master.SHARING, 1, 10, 0, 5);
    var conf = spark.sparkContext().hadoopConfiguration();
    assertThatThrownBy(() -> SparkTrainer.check(sharing, conf)).hasMessageContaining("--training-master sharing is refused");
    assertThatThrownBy(() -> SparkTrainer.check(options(ModelType.LSTM, 1, shared.resolve("l").toString(), 1, 1e-3, 5, false), conf))
        .hasMessageContaining("network lstm does not fit image data (text: mlp, lstm, transformer; image: mlp, cnn)");
    TrainOptions notData = Fixtures.options(ModelType.MLP, 1, shared.toString(), shared.resolve("x").toString());
    assertThatThrownBy(() -> SparkTrainer.check(notData, conf)).hasMessageContaining("has no dataset.json");
  }
}
