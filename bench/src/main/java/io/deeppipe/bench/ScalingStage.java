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
 * Scaling of data-parallel training on a Spark standalone cluster of separate JVMs on this
 * machine (a Master and two Workers of one core each, the tests' {@link StandaloneCluster}):
 * {@code train} of the MLP submitted with {@code spark-submit} once on one executor
 * ({@code --workers 1}, {@code spark.cores.max=1}) and once on two ({@code --workers 2}), same
 * rows, batch, epochs and default (auto) averaging. Throughput = train rows ÷ an epoch's fit time
 * as the driver logs it, epoch 1 left out (it pays the executors' JIT and first ND4J loads);
 * scaling efficiency = samples/s on two ÷ (2 × samples/s on one).
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
    int epochs = ctx.scale().scalingEpochs();
    Sample[] fit = {new Sample("1 worker: fit per epoch"), new Sample("2 workers: fit per epoch")};
    double[] accuracy = new double[2];
    try (StandaloneCluster cluster = StandaloneCluster.start(ctx.dir("scaling/cluster"), 2)) {
      for (int rep = 0; rep < ctx.scale().trainReps(); rep++) {
        for (int k = 0; k < 2; k++) {
          int slot = (rep + k) % 2; // alternate which goes first
          int workers = slot + 1;
          String out = ctx.dir("scaling/mlp-" + workers).toString();
          List<Double> epochFits = new ArrayList<>();
          StandaloneCluster.Run run = cluster.submit(List.of("spark.cores.max=" + workers), line -> {
            Matcher m = EPOCH.matcher(line);
            if (m.find() && Integer.parseInt(m.group(1)) > 1) {
              epochFits.add(Long.parseLong(m.group(2)) / 1000.0);
            }
          }, "train", "--data", data, "--model", "mlp", "--output", out, "--mode", "overwrite", "--workers",
              String.valueOf(workers), "--epochs", String.valueOf(epochs), "--patience", String.valueOf(epochs));
          if (run.code() != 0 || epochFits.isEmpty()) {
            throw new IllegalStateException("train on " + workers + " worker(s) exited " + run.code() + ":\n"
                + tail(run.out()) + "\n" + cluster.logs());
          }
          fit[slot].add(Sample.median(epochFits));
          accuracy[slot] = TrainingStage.accuracy(ModelSerializer.restoreMultiLayerNetwork(new File(out, "model.zip")),
              testRows, batches);
          System.err.printf(Locale.ROOT, "bench: scaling, %d worker(s): fit %.2f s per epoch (%s)%n", workers,
              Sample.median(epochFits), epochFits);
        }
      }
    }
    double speedUp = Alternation.pairedRatio(fit[0], fit[1]);
    double[] range = Alternation.pairedRatioRange(fit[0], fit[1]);
    double one = trainRows / fit[0].median();
    double two = trainRows / fit[1].median();
    ctx.report().add(new Report.Row("training scaling (mlp, standalone cluster)",
        "`train --workers 2` submitted to 2 one-core Workers", fit[1],
        "`train --workers 1` on one of them (`spark.cores.max=1`)", fit[0],
        "speed-up per epoch 2 workers ÷ 1 (efficiency = speed-up ÷ 2)", speedUp, range, "reported (no goal)", null,
        String.format(Locale.ROOT,
            "%d train rows, batch 32, auto averaging, %d epochs, fit time of epochs 2–%d as the driver logs it;"
                + " %.0f samples/s on 1 worker, %.0f on 2: scaling efficiency %.2f; test accuracy after %d epochs:"
                + " 1 worker %.4f, 2 workers %.4f; this machine has 2 cores, which the driver, Master and Workers share",
            trainRows, epochs, epochs, one, two, two / (2 * one), epochs, accuracy[0], accuracy[1])));
    ctx.report().extra("training scaling samples per second", Map.of("one_worker", one, "two_workers", two,
        "efficiency", two / (2 * one), "accuracy_one", accuracy[0], "accuracy_two", accuracy[1]));
  }

  private static String tail(String out) {
    String[] lines = out.split("\n");
    return String.join("\n", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - 40), lines.length));
  }
}
