package io.deeppipe.bench;

import io.deeppipe.jobs.StandaloneCluster;
import io.deeppipe.models.Batches;
import io.deeppipe.models.InputSpec;
import io.deeppipe.models.ModelType;
import io.deeppipe.models.train.SparkTrainer;
import io.deeppipe.transforms.SplitAssigner;
import io.deeppipe.transforms.card.Cards;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.deeplearning4j.util.ModelSerializer;

/**
 * Data-parallel training on a Spark standalone cluster of separate JVMs on this machine (a Master
 * and two Workers of one core each, the tests' {@link StandaloneCluster}), {@code train} of the MLP
 * submitted with {@code spark-submit}, default (auto) averaging, {@code --patience} = the epochs:
 *
 * <ul>
 *   <li>against one JVM, as the training stage's process row measures it: {@code train --workers 2}
 *       submitted for a short and a long number of epochs, per-epoch cost = the difference of the
 *       whole submissions ÷ the extra epochs (start-up, caching and the executors' first epochs
 *       cancel out), against {@code Peers single-fit} processes of the same epochs on the same rows;
 *   <li>scaling: the same long run on one executor ({@code --workers 1}, {@code spark.cores.max=1})
 *       and on two, each epoch's fit time as the driver logs it, the epochs after the short run's
 *       (the executors' JIT warm-up is in the first ones); throughput = train rows ÷ that time,
 *       efficiency = samples/s on two ÷ (2 × samples/s on one).
 * </ul>
 */
final class ScalingStage {
  private static final Pattern EPOCH = Pattern.compile("epoch (\\d+)/\\d+: .*\\(\\d+ ms: fit (\\d+) ms");

  private ScalingStage() {}

  static void run(Ctx ctx) throws Exception {
    String data = ImageIngestStage.ensureMnistDataset(ctx);
    Batches batches = new Batches(InputSpec.of(Cards.readDataset(new Path(data),
        ctx.spark().sparkContext().hadoopConfiguration())), ModelType.MLP);
    long trainRows = SparkTrainer.rows(ctx.spark(), data, SplitAssigner.TRAIN, batches).count();
    List<Row> testRows = SparkTrainer.rows(ctx.spark(), data, SplitAssigner.TEST, batches).collectAsList();
    int shortEpochs = ctx.scale().processShortEpochs();
    int longEpochs = ctx.scale().processLongEpochs();
    Sample[] fit = {new Sample("1 worker: fit per epoch"), new Sample("2 workers: fit per epoch")};
    double[] accuracy = new double[3]; // 1 worker, 2 workers, single JVM: after the long run
    Map<String, Sample> s;
    try (StandaloneCluster cluster = StandaloneCluster.start(ctx.dir("scaling/cluster"), 2)) {
      Alternation alt = new Alternation();
      for (int workers : new int[] {1, 2}) {
        for (int epochs : workers == 1 ? new int[] {longEpochs} : new int[] {shortEpochs, longEpochs}) {
          String out = ctx.dir("scaling/mlp-" + workers + "-" + epochs).toString();
          alt.add("cluster-" + workers + "-" + epochs, () -> {
            List<Double> fits = submit(ctx, cluster, data, out, workers, epochs, shortEpochs);
            // scored after every run, short or long, so that it cancels out of the per-epoch difference
            double a = TrainingStage.accuracy(ModelSerializer.restoreMultiLayerNetwork(new File(out, "model.zip")),
                testRows, batches);
            if (epochs == longEpochs) {
              fit[workers - 1].add(Sample.median(fits));
              accuracy[workers - 1] = a;
              System.err.printf(Locale.ROOT, "bench: scaling, %d worker(s): fit %.2f s per epoch after epoch %d (%s)%n",
                  workers, Sample.median(fits), shortEpochs, fits);
            }
          });
        }
      }
      for (int epochs : new int[] {shortEpochs, longEpochs}) {
        alt.add("single-" + epochs, () -> {
          double a = TrainingStage.singleFitProcess(ctx, "scaling/mlp-single-" + epochs, data, epochs, testRows, batches);
          if (epochs == longEpochs) {
            accuracy[2] = a;
          }
        });
      }
      s = alt.run("training-scaling", ctx.scale().trainReps(), false);
    }
    int extra = longEpochs - shortEpochs;
    Sample ours = TrainingStage.perEpoch("2 workers per epoch", s.get("cluster-2-" + shortEpochs),
        s.get("cluster-2-" + longEpochs), extra);
    Sample single = TrainingStage.perEpoch("single JVM per epoch", s.get("single-" + shortEpochs),
        s.get("single-" + longEpochs), extra);
    double ratio = Alternation.pairedRatio(single, ours);
    ctx.report().add(new Report.Row("training (mlp, standalone cluster)",
        "`train --workers 2` submitted to 2 one-core Workers, default options", ours, TrainingStage.SINGLE_PROCESS_PEER,
        single, "speed per epoch ours ÷ single JVM", ratio, Alternation.pairedRatioRange(single, ours),
        TrainingStage.GOAL, TrainingStage.goalMet(ratio, accuracy[1], accuracy[2]),
        String.format(Locale.ROOT,
            "per-epoch cost = (time of %d epochs − time of %d) ÷ %d on both sides: whole `spark-submit`s (driver, two"
                + " executors, `--patience` = the epochs) and whole single-fit processes; %d train rows; test accuracy"
                + " after %d epochs: ours %.4f, single JVM %.4f; whole runs: ours %s / %s, single %s / %s; this"
                + " machine has 2 cores, which the driver, Master, Workers and executors share",
            longEpochs, shortEpochs, extra, trainRows, longEpochs, accuracy[1], accuracy[2],
            s.get("cluster-2-" + shortEpochs).describe(), s.get("cluster-2-" + longEpochs).describe(),
            s.get("single-" + shortEpochs).describe(), s.get("single-" + longEpochs).describe())));

    double speedUp = Alternation.pairedRatio(fit[0], fit[1]);
    double one = trainRows / fit[0].median();
    double two = trainRows / fit[1].median();
    ctx.report().add(new Report.Row("training scaling (mlp, standalone cluster)",
        "`train --workers 2` submitted to 2 one-core Workers", fit[1],
        "`train --workers 1` on one of them (`spark.cores.max=1`)", fit[0],
        "speed-up per epoch 2 workers ÷ 1 (efficiency = speed-up ÷ 2)", speedUp,
        Alternation.pairedRatioRange(fit[0], fit[1]), "reported (no goal)", null,
        String.format(Locale.ROOT,
            "%d train rows, batch 32, auto averaging, runs of %d epochs, median fit time of epochs %d–%d as the driver"
                + " logs it (the executors' first epochs are their JIT warm-up); %.0f samples/s on 1 worker, %.0f on 2:"
                + " scaling efficiency %.2f; test accuracy after %d epochs: 1 worker %.4f, 2 workers %.4f; this machine"
                + " has 2 cores, which the driver, Master and Workers share",
            trainRows, longEpochs, shortEpochs + 1, longEpochs, one, two, two / (2 * one), longEpochs, accuracy[0],
            accuracy[1])));
    ctx.report().extra("training scaling samples per second", Map.of("one_worker", one, "two_workers", two,
        "efficiency", two / (2 * one), "accuracy_one", accuracy[0], "accuracy_two", accuracy[1],
        "accuracy_single", accuracy[2]));
  }

  /**
   * {@code train} of the MLP submitted to {@code cluster} on {@code workers} executors; returns the
   * fit time of each epoch after {@code after}, as the driver logs it.
   */
  private static List<Double> submit(Ctx ctx, StandaloneCluster cluster, String data, String out, int workers,
      int epochs, int after) throws Exception {
    List<Double> fits = new ArrayList<>();
    StandaloneCluster.Run run = cluster.submit(List.of("spark.cores.max=" + workers), line -> {
      Matcher m = EPOCH.matcher(line);
      if (m.find() && Integer.parseInt(m.group(1)) > after) {
        fits.add(Long.parseLong(m.group(2)) / 1000.0);
      }
    }, "train", "--data", data, "--model", "mlp", "--output", out, "--mode", "overwrite", "--workers",
        String.valueOf(workers), "--epochs", String.valueOf(epochs), "--patience", String.valueOf(epochs));
    if (run.code() != 0 || (epochs > after && fits.isEmpty())) {
      throw new IllegalStateException("train on " + workers + " worker(s) exited " + run.code() + ":\n"
          + tail(run.out()) + "\n" + cluster.logs());
    }
    return fits;
  }

  private static String tail(String out) {
    String[] lines = out.split("\n");
    return String.join("\n", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - 40), lines.length));
  }
}
