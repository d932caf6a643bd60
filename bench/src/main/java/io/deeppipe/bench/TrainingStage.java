package io.deeppipe.bench;

import io.deeppipe.models.Batches;
import io.deeppipe.models.InputSpec;
import io.deeppipe.models.ModelType;
import io.deeppipe.models.TrainOptions;
import io.deeppipe.models.nets.Networks;
import io.deeppipe.models.train.SparkTrainer;
import io.deeppipe.transforms.SplitAssigner;
import io.deeppipe.transforms.card.Cards;
import io.deeppipe.transforms.card.DatasetCard;
import java.io.File;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.classification.MultilayerPerceptronClassificationModel;
import org.apache.spark.ml.classification.MultilayerPerceptronClassifier;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code train} as a user runs it (in this JVM's local[2] session, 2 workers, parameter
 * averaging, with its per-epoch validation and checkpoints) against a single-JVM DL4J {@code fit}
 * of the same network configuration on the same train rows, minibatch size and seed (and, for the
 * MLP, Spark MLlib's {@code MultilayerPerceptronClassifier} with as many L-BFGS iterations as
 * epochs). Each is run short and long: the per-epoch cost is the difference divided by the extra
 * epochs, so start-up (session jobs, caching, network init) cancels out. Accuracy: every trained
 * network is scored on the test split by the same code here.
 */
final class TrainingStage {
  static final String MLP_MODEL = "train/mlp-ours-long";

  static void run(Ctx ctx, ModelType type, int perDigit, int shortEpochs, int longEpochs, int reps, boolean mllib)
      throws Exception {
    String data = ImageIngestStage.ensureMnistDataset(ctx, perDigit);
    Inputs in = inputs(ctx.spark(), data, type, longEpochs);
    InputSpec spec = in.spec();
    Batches batches = in.batches();
    TrainOptions o = in.options();
    List<Row> trainRows = in.trainRows();
    List<Row> testRows = SparkTrainer.rows(ctx.spark(), data, SplitAssigner.TEST, batches).collectAsList();
    List<DataSet> minibatches = in.minibatches();
    String name = type.optionName();
    double[] acc = new double[6];
    Alternation alt = new Alternation();
    for (int k = 0; k < 2; k++) {
      int epochs = k == 0 ? shortEpochs : longEpochs;
      String label = k == 0 ? "short" : "long";
      String out = ctx.dir("train/" + name + "-ours-" + label).toString();
      int slot = k;
      alt.add("ours-" + label, () -> {
        ctx.pipeline("train", "--data", data, "--model", name, "--output", out, "--mode", "overwrite", "--epochs",
            String.valueOf(epochs), "--workers", "2", "--patience", "100000", "--seed", "42");
        acc[slot] = accuracy(ModelSerializer.restoreMultiLayerNetwork(new File(out, "model.zip")), testRows, batches);
      });
      alt.add("single-" + label, () -> {
        MultiLayerNetwork net = singleJvmFit(o, spec, minibatches, epochs);
        acc[2 + slot] = accuracy(net, testRows, batches);
      });
    }
    Dataset<Row>[] ml = mllib ? mllibFrames(ctx, trainRows, testRows, batches) : null;
    if (mllib) {
      for (int k = 0; k < 2; k++) {
        int iters = k == 0 ? shortEpochs : longEpochs;
        int slot = k;
        alt.add("mllib-" + (k == 0 ? "short" : "long"), () -> {
          MultilayerPerceptronClassificationModel m = new MultilayerPerceptronClassifier()
              .setLayers(new int[] {spec.pixels(), 128, 128, spec.classes()})
              .setMaxIter(iters).setTol(0).setSeed(42).setBlockSize(32)
              .fit(ml[0]);
          Dataset<Row> scored = m.transform(ml[1]);
          acc[4 + slot] = scored.where("prediction = label").count() / (double) scored.count();
        });
      }
    }
    Map<String, Sample> s = alt.run("training-" + name, reps, ctx.warmUp(type == ModelType.MLP));
    Sample ours = perEpoch("ours per epoch", s.get("ours-short"), s.get("ours-long"), longEpochs - shortEpochs);
    Sample single = perEpoch("single per epoch", s.get("single-short"), s.get("single-long"), longEpochs - shortEpochs);
    double ratio = Alternation.pairedRatio(single, ours);
    String stage = "training (" + name + ")";
    String desc = "`train --model " + name + " --workers 2` on local[2], averaging";
    ctx.report().add(new Report.Row(stage, desc, ours,
        "single-JVM `MultiLayerNetwork.fit`, same config, rows, batch 32, seed; 2 ND4J threads", single,
        "speed per epoch ours ÷ single JVM", ratio, Alternation.pairedRatioRange(single, ours), GOAL,
        goalMet(ratio, acc[1], acc[3]),
        String.format(Locale.ROOT,
            "per-epoch cost = (time of %d epochs − time of %d) ÷ %d; %d train rows, %d test rows; test accuracy after %d epochs: ours %.4f, single JVM %.4f (after %d: %.4f, %.4f); whole runs: ours %s / %s, single %s / %s",
            longEpochs, shortEpochs, longEpochs - shortEpochs, trainRows.size(), testRows.size(), longEpochs, acc[1], acc[3],
            shortEpochs, acc[0], acc[2], s.get("ours-short").describe(), s.get("ours-long").describe(),
            s.get("single-short").describe(), s.get("single-long").describe())));
    ctx.report().extra(stage + " test accuracy", Map.of("ours_long", acc[1], "single_long", acc[3], "ours_short", acc[0],
        "single_short", acc[2]));
    if (mllib) {
      processes(ctx, data, o, spec, batches, minibatches, testRows);
      Sample m = perEpoch("mllib per iteration", s.get("mllib-short"), s.get("mllib-long"), longEpochs - shortEpochs);
      double r2 = Alternation.pairedRatio(m, ours);
      ctx.report().add(new Report.Row(stage, desc, ours,
          "Spark MLlib `MultilayerPerceptronClassifier` (784-128-128-10, L-BFGS, one iteration = one pass)", m,
          "speed per epoch ours ÷ MLlib per iteration", r2, Alternation.pairedRatioRange(m, ours), "report", null,
          String.format(Locale.ROOT, "MLlib test accuracy after %d iterations %.4f (after %d: %.4f); ours %.4f",
              longEpochs, acc[5], shortEpochs, acc[4], acc[1])));
      ctx.report().extra(stage + " mllib test accuracy", Map.of("long", acc[5], "short", acc[4]));
    }
  }

  /** What the single-JVM fit of a dataset's train split needs. */
  record Inputs(InputSpec spec, Batches batches, TrainOptions options, List<Row> trainRows, List<DataSet> minibatches) {}

  /** The train split of {@code data}, shuffled once, as minibatches of 32 rows, and the options both sides share. */
  static Inputs inputs(SparkSession spark, String data, ModelType type, int epochs) {
    DatasetCard card = Cards.readDataset(new Path(data), spark.sparkContext().hadoopConfiguration());
    InputSpec spec = InputSpec.of(card);
    Batches batches = new Batches(spec, type);
    TrainOptions o = new TrainOptions(data, "unused", true, false, type, epochs, 32, 1e-3, 42,
        TrainOptions.Updater.ADAM, 0, 0, 128, 64, 4, 1, TrainOptions.Master.AVERAGING, 2, 20, 2, 100_000);
    // rows shuffled once, as a single-JVM user does: ingest writes them in input order, which for an
    // image folder is sorted by label, and minibatches of one class train badly
    List<Row> trainRows = new ArrayList<>(SparkTrainer.rows(spark, data, SplitAssigner.TRAIN, batches).collectAsList());
    Collections.shuffle(trainRows, new Random(42));
    List<DataSet> minibatches = new ArrayList<>();
    for (int i = 0; i < trainRows.size(); i += 32) {
      minibatches.add(batches.toDataSet(trainRows.subList(i, Math.min(trainRows.size(), i + 32))));
    }
    return new Inputs(spec, batches, o, trainRows, minibatches);
  }

  /**
   * {@code train} as users meet it: a whole {@code bin/pipeline train} process with its default
   * options (workers, averaging, validation, checkpoints, the curves plot, the saved pipeline), run
   * for a short and a long number of epochs; per-epoch cost = the difference ÷ the extra epochs,
   * against the single-JVM fit of the same network on the same rows. {@code --patience} is set to the
   * epochs so that early stopping cannot end a run before its epochs (it is validation's default
   * behaviour that is measured, not when it stops). Also: how long each process takes before its
   * first epoch starts (wall time to the end of epoch 1 − epoch 1's own time, as its log says).
   */
  static void processes(Ctx ctx, String data, TrainOptions o, InputSpec spec, Batches batches, List<DataSet> minibatches,
      List<Row> testRows) throws Exception {
    int shortEpochs = ctx.scale().processShortEpochs();
    int longEpochs = ctx.scale().processLongEpochs();
    double[] acc = new double[6];
    Sample beforeFirst = new Sample("before the first epoch");
    Alternation alt = new Alternation();
    for (int k = 0; k < 2; k++) {
      int epochs = k == 0 ? shortEpochs : longEpochs;
      int slot = k;
      String out = ctx.dir("train/mlp-process-" + epochs).toString();
      java.nio.file.Path log = ctx.dir("train/mlp-process-" + epochs + ".log");
      List<String> cmd = List.of(ctx.root().resolve("bin/pipeline").toString(), "train", "--data", data, "--model", "mlp",
          "--output", out, "--mode", "overwrite", "--epochs", String.valueOf(epochs), "--patience", String.valueOf(epochs));
      alt.add("ours-" + epochs, () -> {
        beforeFirst.add(runTrainProcess(cmd, log));
        acc[slot] = accuracy(ModelSerializer.restoreMultiLayerNetwork(new File(out, "model.zip")), testRows, batches);
      });
      alt.add("single-" + epochs, () -> acc[2 + slot] = accuracy(singleJvmFit(o, spec, minibatches, epochs), testRows,
          batches));
      alt.add("single-process-" + epochs, () -> acc[4 + slot] =
          singleFitProcess(ctx, "train/mlp-single-process-" + epochs, data, epochs, testRows, batches));
    }
    Map<String, Sample> s = alt.run("training-mlp-processes", ctx.scale().trainReps(), false);
    int extra = longEpochs - shortEpochs;
    Sample ours = perEpoch("ours per epoch", s.get("ours-" + shortEpochs), s.get("ours-" + longEpochs), extra);
    Sample singleProcess = perEpoch("single process per epoch", s.get("single-process-" + shortEpochs),
        s.get("single-process-" + longEpochs), extra);
    Sample single = perEpoch("single per epoch", s.get("single-" + shortEpochs), s.get("single-" + longEpochs), extra);
    double ratio = Alternation.pairedRatio(singleProcess, ours);
    ctx.report().add(new Report.Row("training (mlp, processes)",
        "`bin/pipeline train --model mlp` as a process, default options", ours, SINGLE_PROCESS_PEER, singleProcess,
        "speed per epoch ours ÷ single JVM", ratio, Alternation.pairedRatioRange(singleProcess, ours), GOAL,
        goalMet(ratio, acc[1], acc[5]),
        String.format(Locale.ROOT,
            "per-epoch cost = (time of %d epochs − time of %d) ÷ %d on both sides, each a fresh JVM, `--patience` = the"
                + " epochs; %d train rows; test accuracy after %d epochs: ours %.4f, single JVM %.4f (after %d: %.4f,"
                + " %.4f); whole processes: ours %s / %s, single %s / %s; ours before the first epoch starts: %s",
            longEpochs, shortEpochs, extra, minibatches.stream().mapToInt(DataSet::numExamples).sum(), longEpochs,
            acc[1], acc[5], shortEpochs, acc[0], acc[4], s.get("ours-" + shortEpochs).describe(),
            s.get("ours-" + longEpochs).describe(), s.get("single-process-" + shortEpochs).describe(),
            s.get("single-process-" + longEpochs).describe(), beforeFirst.describe())));
    double warm = Alternation.pairedRatio(single, ours);
    ctx.report().add(new Report.Row("training (mlp, processes)",
        "`bin/pipeline train --model mlp` as a process, default options", ours,
        "single-JVM `MultiLayerNetwork.fit` in the harness's warm JVM, same config, rows, batch 32, seed; 2 ND4J threads",
        single, "speed per epoch ours ÷ single JVM", warm, Alternation.pairedRatioRange(single, ours), "report", null,
        String.format(Locale.ROOT, "the same rounds; the warm JVM pays no JIT warm-up, ours does; single JVM test"
            + " accuracy after %d epochs %.4f", longEpochs, acc[3])));
    ctx.report().extra("training (mlp, processes) test accuracy", Map.of("ours_long", acc[1], "single_long", acc[3],
        "ours_short", acc[0], "single_short", acc[2], "single_process_long", acc[5], "single_process_short", acc[4]));
  }

  private static final java.util.regex.Pattern EPOCH_ONE = java.util.regex.Pattern.compile("epoch 1/\\d+: .*\\((\\d+) ms");

  /** Runs a train process to its end; returns the seconds before its first epoch began. */
  private static double runTrainProcess(List<String> cmd, java.nio.file.Path log) throws Exception {
    long start = System.nanoTime();
    Process p = Ctx.process(cmd).start();
    double before = Double.NaN;
    try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
            java.nio.charset.StandardCharsets.UTF_8));
        var out = java.nio.file.Files.newBufferedWriter(log)) {
      for (String line; (line = in.readLine()) != null; ) {
        out.write(line);
        out.newLine();
        java.util.regex.Matcher m = EPOCH_ONE.matcher(line);
        if (Double.isNaN(before) && m.find()) {
          before = (System.nanoTime() - start) / 1e9 - Long.parseLong(m.group(1)) / 1000.0;
        }
      }
    }
    int code = p.waitFor();
    if (code != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " exited " + code + ", see " + log);
    }
    return before;
  }

  /** Issue #15's training goal, as the rows state it. */
  static final String GOAL = "≥ 0.8× at equal accuracy (±1 pt; higher counts as equal)";

  /**
   * {@link #GOAL}: per epoch at least 0.8× the single JVM's speed, with a test accuracy at most 1 pt below the
   * single JVM's. The accuracy condition keeps speed from being bought with accuracy; a run that is faster and
   * also more accurate than the single JVM after the same epochs meets it (the replicas' scaled learning rate
   * often gets there: run 46 in BENCHMARKS.md).
   */
  static boolean goalMet(double speedRatio, double oursAccuracy, double singleAccuracy) {
    return speedRatio >= 0.8 && oursAccuracy >= singleAccuracy - 0.01;
  }

  /** The peer {@link #singleFitProcess} runs, as the rows describe it. */
  static final String SINGLE_PROCESS_PEER = "single-JVM `MultiLayerNetwork.fit` as a process of its own (`Peers"
      + " single-fit`), same config, rows, batch 32, seed; 2 ND4J threads";

  /**
   * {@code Peers single-fit} of the MLP on {@code data}'s train split for {@code epochs}, a JVM of its
   * own, its model and output at {@code name}.zip / {@code name}.log in the work directory; returns
   * the model's accuracy on {@code testRows}.
   */
  static double singleFitProcess(Ctx ctx, String name, String data, int epochs, List<Row> testRows, Batches batches)
      throws Exception {
    java.nio.file.Path zip = ctx.dir(name + ".zip");
    Ctx.run(Ctx.java(Peers.class.getName(), "single-fit", data, String.valueOf(epochs), zip.toString()),
        ctx.dir(name + ".log"), "single-fit");
    return accuracy(ModelSerializer.restoreMultiLayerNetwork(zip.toFile()), testRows, batches);
  }

  static Sample perEpoch(String name, Sample shortRun, Sample longRun, int extraEpochs) {
    Sample s = new Sample(name);
    for (int i = 0; i < Math.min(shortRun.seconds().size(), longRun.seconds().size()); i++) {
      s.add((longRun.seconds().get(i) - shortRun.seconds().get(i)) / extraEpochs);
    }
    return s;
  }

  /** The same network fitted in this JVM; minibatch order shuffled per epoch with the seed. */
  static MultiLayerNetwork singleJvmFit(TrainOptions o, InputSpec spec, List<DataSet> minibatches, int epochs) {
    var env = Nd4j.getEnvironment();
    int threads = env.maxThreads();
    int master = env.maxMasterThreads();
    // a single-JVM user gives ND4J the machine's cores (bin/bench sets OMP_NUM_THREADS=1 for Spark)
    env.setMaxThreads(2);
    env.setMaxMasterThreads(2);
    try {
      MultiLayerNetwork net = new MultiLayerNetwork(Networks.build(o.model(), spec, o));
      net.init();
      List<DataSet> order = new ArrayList<>(minibatches);
      for (int e = 1; e <= epochs; e++) {
        Collections.shuffle(order, new Random(o.seed() * 1_000_003L + e));
        for (DataSet ds : order) {
          net.fit(ds);
        }
      }
      return net;
    } finally {
      env.setMaxThreads(threads);
      env.setMaxMasterThreads(master);
    }
  }

  static double accuracy(MultiLayerNetwork net, List<Row> rows, Batches batches) {
    long right = 0;
    for (int i = 0; i < rows.size(); i += 256) {
      List<Row> b = rows.subList(i, Math.min(rows.size(), i + 256));
      INDArray out = net.output(batches.features(b), false, batches.mask(b), null);
      INDArray argmax = out.argMax(1);
      for (int k = 0; k < b.size(); k++) {
        if (argmax.getInt(k) == b.get(k).getInt(b.get(k).length() - 1)) {
          right++;
        }
      }
    }
    return right / (double) rows.size();
  }

  @SuppressWarnings("unchecked")
  private static Dataset<Row>[] mllibFrames(Ctx ctx, List<Row> train, List<Row> test, Batches batches) {
    StructType schema = new StructType().add("label", DataTypes.DoubleType).add("features", new VectorUDT());
    Dataset<Row>[] out = new Dataset[2];
    int k = 0;
    for (List<Row> rows : List.of(train, test)) {
      List<Row> ml = new ArrayList<>(rows.size());
      for (int i = 0; i < rows.size(); i += 256) {
        List<Row> b = rows.subList(i, Math.min(rows.size(), i + 256));
        INDArray f = batches.features(b);
        for (int j = 0; j < b.size(); j++) {
          ml.add(RowFactory.create((double) b.get(j).getInt(1), Vectors.dense(f.getRow(j).toDoubleVector())));
        }
      }
      Dataset<Row> df = ctx.spark().createDataFrame(ml, schema).repartition(2).cache();
      df.count();
      out[k++] = df;
    }
    return out;
  }
}
