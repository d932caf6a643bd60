package io.deeppipe.transforms.image;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.when;

import io.deeppipe.transforms.Fingerprint;
import io.deeppipe.transforms.IngestPasses;
import io.deeppipe.transforms.IngestSteps;
import io.deeppipe.transforms.Outcomes;
import io.deeppipe.transforms.SplitAssigner;
import io.deeppipe.transforms.card.BadInputException;
import io.deeppipe.transforms.card.Cards;
import io.deeppipe.transforms.card.DatasetCard;
import io.deeppipe.transforms.card.ImageSpec;
import io.deeppipe.transforms.io.CsvFiles;
import io.deeppipe.transforms.io.DatasetWriter;
import io.deeppipe.transforms.io.SerializableConfiguration;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The image ingest pipeline: list files (Spark's binaryFile source, or a manifest read by Spark) →
 * read, hash, check the header, decode, resize on the executors → de-duplicate by SHA-256 →
 * split, with the per-channel mean/std of the train split added up in the same pass → write.
 */
public final class ImageIngest {
  private static final Logger LOG = LoggerFactory.getLogger(ImageIngest.class);

  public static final String IMAGE = "image";
  public static final String HEIGHT = "height";
  public static final String WIDTH = "width";
  public static final String CHANNELS = "channels";
  public static final String SHA256 = "sha256";
  /** The column of a file's bytes, as Spark's binaryFile source names it. */
  public static final String CONTENT = "content";
  public static final List<String> OUTPUT_COLUMNS =
      List.of(IngestSteps.ID, IngestSteps.LABEL, IngestSteps.LABEL_INDEX, IMAGE, HEIGHT, WIDTH, CHANNELS,
          Outcomes.SOURCE, SHA256);
  /** Larger files are refused before they are read into memory. */
  public static final long MAX_FILE_BYTES = 512L << 20;

  /** One file to read: where it is, its id and label, and a reason if already known bad. */
  static final StructType FILES =
      new StructType()
          .add(Outcomes.SOURCE, DataTypes.StringType)
          .add(IngestSteps.ID, DataTypes.StringType)
          .add(IngestSteps.LABEL, DataTypes.StringType)
          .add(Outcomes.REASON, DataTypes.StringType)
          .add(Outcomes.RECORD, DataTypes.StringType);

  /** A processed image's {@link #pixelSums}, for the mean/std of the train split (not written). */
  static final String PIXEL_SUMS = "pixel_sums__";

  static final StructType PROCESSED =
      FILES
          .add(SHA256, DataTypes.StringType)
          .add(IMAGE, DataTypes.BinaryType)
          .add(HEIGHT, DataTypes.IntegerType)
          .add(WIDTH, DataTypes.IntegerType)
          .add(CHANNELS, DataTypes.IntegerType)
          .add(PIXEL_SUMS, DataTypes.createArrayType(DataTypes.LongType, false));

  private ImageIngest() {}

  /**
   * Files per decode task at most: large enough that a task's set-up (~20 ms) is small beside its
   * work, small enough to balance (500 per task cost MNIST's 9 756 PNGs ~0.4 s more).
   */
  static final long FILES_PER_TASK = 2000;

  /**
   * Every file under an ImageFolder tree {@code DIR/<label>/...}, as Spark's file index lists them
   * ({@link io.deeppipe.transforms.io.FolderListing}); Spark's binaryFile scan is not used because it
   * silently skips zero-byte files, which must be counted and rejected.
   */
  public static Dataset<Row> listFolder(SparkSession spark, String input) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    Path root = qualifiedExisting(new Path(input), conf, "--input");
    String rootPath = root.toUri().getPath();
    List<String> paths = io.deeppipe.transforms.io.FolderListing.files(spark, root);
    // contiguous slices of the sorted list, as many per core, more on big trees (no sampling job, as
    // a range repartition of the list would run)
    int slices = tasks(spark, paths.size(), FILES_PER_TASK);
    Dataset<Row> files = spark.createDataset(
        new org.apache.spark.api.java.JavaSparkContext(spark.sparkContext()).parallelize(paths, slices).rdd(),
        Encoders.STRING()).toDF("path");
    UserDefinedFunction relative =
        udf((String p) -> relativePath(rootPath, new Path(p).toUri().getPath()), DataTypes.StringType);
    Dataset<Row> withRel = files.withColumn("rel", relative.apply(col("path")));
    return withRel.select(
        col("path").as(Outcomes.SOURCE),
        col("rel").as(IngestSteps.ID),
        when(col("rel").contains("/"), org.apache.spark.sql.functions.substring_index(col("rel"), "/", 1))
            .as(IngestSteps.LABEL),
        lit(null).cast(DataTypes.StringType).as(Outcomes.REASON),
        lit(null).cast(DataTypes.StringType).as(Outcomes.RECORD));
  }

  static String relativePath(String root, String path) {
    String prefix = root.endsWith("/") ? root : root + "/";
    return path.startsWith(prefix) ? path.substring(prefix.length()) : path;
  }

  /** The rows of a {@code path,label} manifest; relative paths resolve against its folder. */
  public static Dataset<Row> readManifest(SparkSession spark, String manifest) {
    return readManifest(spark, manifest, true);
  }

  /** As above; with {@code labelsRequired} false (scoring), rows without a label are kept. */
  public static Dataset<Row> readManifest(SparkSession spark, String manifest, boolean labelsRequired) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    Path file = qualifiedExisting(new Path(manifest), conf, "--manifest");
    List<String> header = CsvFiles.header(spark, file.toString(), "--manifest");
    if (!header.contains("path")) {
      throw new BadInputException("--manifest " + manifest + " needs a header with path,label columns, got " + header);
    }
    String base = file.getParent().toString();
    UserDefinedFunction resolve =
        udf((String p) -> p == null || p.isBlank() ? null : resolveAgainst(base, p.trim()), DataTypes.StringType);
    Dataset<Row> rows = CsvFiles.read(spark, file.toString(), header);
    org.apache.spark.sql.Column label =
        header.contains("label") ? trim(col("label")) : lit(null).cast(DataTypes.StringType);
    Dataset<Row> out =
        rows.select(
            coalesce(resolve.apply(col("path")), lit(file.toString())).as(Outcomes.SOURCE),
            coalesce(trim(col("path")), lit("")).as(IngestSteps.ID),
            when(label.notEqual(""), label).as(IngestSteps.LABEL),
            col(CsvFiles.CORRUPT).as("corrupt"),
            col("path").as("raw_path"));
    out = Outcomes.start(out)
        .withColumn(Outcomes.RECORD, coalesce(col("corrupt"), org.apache.spark.sql.functions.concat_ws(",", col("raw_path"), coalesce(label, lit("")))));
    out = Outcomes.rejectIf(out, col("corrupt").isNotNull(), RejectedImage.MALFORMED_MANIFEST);
    out = Outcomes.rejectIf(out, col("raw_path").isNull().or(trim(col("raw_path")).equalTo("")), RejectedImage.MISSING_FILE);
    if (labelsRequired) {
      out = Outcomes.rejectIf(out, col(IngestSteps.LABEL).isNull(), RejectedImage.MISSING_LABEL);
    }
    return out.select(
        col(Outcomes.SOURCE), col(IngestSteps.ID), col(IngestSteps.LABEL), col(Outcomes.REASON), col(Outcomes.RECORD));
  }

  static String resolveAgainst(String base, String p) {
    Path path = new Path(p);
    return path.isAbsolute() || path.toUri().getScheme() != null ? p : new Path(base, p).toString();
  }

  private static Path qualifiedExisting(Path path, Configuration conf, String option) {
    try {
      FileSystem fs = path.getFileSystem(conf);
      if (!fs.exists(path)) {
        throw new BadInputException(option + " " + path + " does not exist");
      }
      return fs.makeQualified(path);
    } catch (IOException e) {
      throw new BadInputException(option + " " + path + " cannot be read: " + e.getMessage(), e);
    }
  }

  /** Reads, hashes, decodes and resizes each file on the executors; bad files keep a reason. */
  public static Dataset<Row> process(
      Dataset<Row> files, SerializableConfiguration conf, int height, int width, int channels,
      Resizer.Mode mode, long maxPixels) {
    MapPartitionsFunction<Row, Row> fn =
        rows -> {
          List<Row> out = new ArrayList<>();
          Configuration hadoop = conf.get();
          MessageDigest sha = MessageDigest.getInstance("SHA-256");
          while (rows.hasNext()) {
            out.add(processOne(rows.next(), hadoop, sha, height, width, channels, mode, maxPixels));
          }
          return out.iterator();
        };
    return files.mapPartitions(fn, Encoders.row(PROCESSED));
  }

  /**
   * The files' bytes in {@code content} (Spark's binaryFile shape, with the listing's columns), read
   * on the executors: what an {@code ImagePreprocessorModel} transforms. A file that cannot be read
   * keeps its row with a reason and null content, and the zero-byte files that Spark's binaryFile
   * scan skips are read too (the decoder refuses them as zero_bytes).
   */
  public static Dataset<Row> readFiles(Dataset<Row> files, SerializableConfiguration conf) {
    StructType read = FILES.add(CONTENT, DataTypes.BinaryType);
    MapPartitionsFunction<Row, Row> fn =
        rows -> {
          Configuration hadoop = conf.get();
          return new Iterator<Row>() {
            @Override
            public boolean hasNext() {
              return rows.hasNext();
            }

            @Override
            public Row next() {
              Row f = rows.next();
              if (!f.isNullAt(3)) {
                return RowFactory.create(f.get(0), f.get(1), f.get(2), f.get(3), f.get(4), null);
              }
              try {
                return RowFactory.create(f.get(0), f.get(1), f.get(2), null, null, readAll(new Path(f.getString(0)), hadoop));
              } catch (RejectedImage e) {
                return RowFactory.create(f.get(0), f.get(1), f.get(2), e.reason(), e.getMessage(), null);
              }
            }
          };
        };
    return files.mapPartitions(fn, Encoders.row(read));
  }

  static Row processOne(
      Row file, Configuration conf, MessageDigest sha, int height, int width, int channels,
      Resizer.Mode mode, long maxPixels) {
    String source = file.getString(0);
    String id = file.getString(1);
    String label = file.getString(2);
    if (!file.isNullAt(3)) {
      return RowFactory.create(source, id, label, file.getString(3), file.getString(4), null, null, null, null, null, null);
    }
    String hash = null;
    try {
      byte[] bytes = readAll(new Path(source), conf);
      hash = HexFormat.of().formatHex(sha.digest(bytes));
      byte[] image = decodeAndFit(bytes, height, width, channels, mode, maxPixels);
      return RowFactory.create(source, id, label, null, null, hash, image, height, width, channels,
          pixelSums(image, channels));
    } catch (RejectedImage e) {
      return RowFactory.create(source, id, label, e.reason(), e.getMessage(), hash, null, null, null, null, null);
    }
  }

  /** One file's bytes → HWC uint8 pixels of exactly height x width x channels, or the reason it is refused. */
  public static byte[] decodeAndFit(byte[] bytes, int height, int width, int channels, Resizer.Mode mode, long maxPixels)
      throws RejectedImage {
    return Resizer.fit(ImageDecoder.decode(bytes, channels, maxPixels), height, width, mode).data();
  }

  /**
   * A file's bytes, or the reason it cannot be read: missing, a directory, or larger than
   * {@link #MAX_FILE_BYTES} (refused before it is read). Local files without a Hadoop checksum file
   * beside them are read through {@code java.nio}: Hadoop's checksummed local file system stats a file
   * three times and opens it through two streams, ~110 µs a file against ~15 µs, more than decoding
   * a 28×28 PNG takes (BENCHMARKS.md). Where a {@code .crc} file is there, or the file system is
   * another one, Hadoop reads it (and checks the checksum).
   */
  static byte[] readAll(Path path, Configuration conf) throws RejectedImage {
    try {
      FileSystem fs = path.getFileSystem(conf);
      if (fs instanceof LocalFileSystem local && !local.pathToFile(local.getChecksumFile(path)).exists()) {
        java.nio.file.Path file = local.pathToFile(path).toPath();
        java.nio.file.attribute.BasicFileAttributes attributes =
            Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class);
        checkReadable(attributes.isDirectory(), attributes.size());
        return Files.readAllBytes(file);
      }
      FileStatus status = fs.getFileStatus(path);
      checkReadable(status.isDirectory(), status.getLen());
      try (InputStream in = fs.open(path)) {
        return in.readAllBytes();
      }
    } catch (FileNotFoundException | java.nio.file.NoSuchFileException e) {
      throw new RejectedImage(RejectedImage.MISSING_FILE, "no such file");
    } catch (IOException e) {
      throw new RejectedImage(RejectedImage.UNREADABLE, e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  /** Refuses a directory, and a file larger than {@link #MAX_FILE_BYTES} before it is read. */
  private static void checkReadable(boolean directory, long bytes) throws RejectedImage {
    if (directory) {
      throw new RejectedImage(RejectedImage.UNREADABLE, "is a directory");
    }
    if (bytes > MAX_FILE_BYTES) {
      throw new RejectedImage(RejectedImage.TOO_MANY_PIXELS, "file of " + bytes + " bytes");
    }
  }

  /**
   * Per channel, the sum of an HWC image's samples, then the sum of their squares: {@code 2 × channels}
   * exact longs, which add up across images in any order to the same totals.
   */
  public static long[] pixelSums(byte[] img, int channels) {
    long[] sums = new long[2 * channels];
    for (int p = 0; p + channels <= img.length; p += channels) {
      for (int c = 0; c < channels; c++) {
        int v = img[p + c] & 0xFF;
        sums[c] += v;
        sums[channels + c] += v * v;
      }
    }
    return sums;
  }

  /**
   * Per-channel mean and standard deviation of pixel/255 over {@code rows}; [means, stds]. Each
   * image's {@link #pixelSums} are added up exactly, so the result is what ingest's first pass
   * computes from the same rows ({@link #stats}).
   */
  public static double[][] meanStd(Dataset<Row> rows, int channels) {
    long[] zero = new long[2 * channels + 1];
    long[] sums =
        rows.select(IMAGE).javaRDD()
            .mapPartitions(
                (Iterator<Row> it) -> {
                  long[] acc = new long[2 * channels + 1];
                  while (it.hasNext()) {
                    byte[] img = (byte[]) it.next().get(0);
                    long[] one = pixelSums(img, channels);
                    for (int k = 0; k < one.length; k++) {
                      acc[k] += one[k];
                    }
                    acc[2 * channels] += img.length / channels;
                  }
                  return List.of(acc).iterator();
                })
            .fold(zero, (a, b) -> {
              long[] r = new long[a.length];
              for (int i = 0; i < a.length; i++) {
                r[i] = a[i] + b[i];
              }
              return r;
            });
    return stats(java.util.Arrays.copyOf(sums, 2 * channels), sums[2 * channels], channels);
  }

  /**
   * [means, stds] per channel of pixel/255, rounded to 6 decimals, from the {@link #pixelSums} of
   * {@code pixels} pixels added up; 0 and 0 for no pixels.
   */
  public static double[][] stats(long[] sums, long pixels, int channels) {
    double[][] out = new double[2][channels];
    for (int c = 0; c < channels; c++) {
      double mean = pixels == 0 ? 0 : sums[c] / (255.0 * pixels);
      double var = pixels == 0 ? 0 : Math.max(0, sums[channels + c] / (255.0 * 255.0 * pixels) - mean * mean);
      out[0][c] = round(mean);
      out[1][c] = round(Math.sqrt(var));
    }
    return out;
  }

  private static double round(double v) {
    return Math.round(v * 1e6) / 1e6;
  }

  public static DatasetCard run(SparkSession spark, ImageIngestOptions o) {
    long started = System.currentTimeMillis();
    IngestPasses.First first = null;
    try (DatasetWriter writer = DatasetWriter.open(spark, o.output(), o.overwrite())) {
      spark.sparkContext().setJobGroup("ingest-images", "ingest-images " + o.inputDescription(), false);
      Dataset<Row> files =
          o.input() != null && !o.input().isBlank() ? listFolder(spark, o.input()) : readManifest(spark, o.manifest());
      SerializableConfiguration conf = new SerializableConfiguration(spark.sparkContext().hadoopConfiguration());
      Dataset<Row> processed =
          process(files, conf, o.height(), o.width(), o.channels(), o.resizeMode(), o.maxPixels());
      spark.sparkContext().setJobDescription("read, decode and resize images; split and de-duplicate");
      // in memory where Spark's storage memory holds it, on disk beyond (on disk only, serializing the
      // resized pixels and reading them back cost ~9 % of a JPEG ingest, BENCHMARKS.md); each image's
      // pixel sums ride with its group's winner, so the train split's mean/std comes from the same
      // aggregate, without a job reading every kept image again (~6 %)
      first = IngestPasses.first(processed, SHA256, o.dedup(), o.split(), o.seed(),
          StorageLevel.MEMORY_AND_DISK(), PIXEL_SUMS, 2 * o.channels());
      long input = first.input();
      long duplicates = first.duplicates();
      IngestPasses.Kept summary = first.summary();
      List<String> labels = summary.labels();
      LOG.info("{} image files from {}: {} duplicates; labels {}", input, o.inputDescription(), duplicates, labels);
      Dataset<Row> kept = first.kept();

      // every kept image is height x width: the train split's pixels are its rows times that
      double[][] stats = stats(first.trainSums(), summary.splits().get(SplitAssigner.TRAIN) * o.height() * o.width(),
          o.channels());
      ImageSpec spec =
          new ImageSpec(o.height(), o.width(), o.channels(), o.resizeMode().optionName(), o.maxPixels(),
              toList(stats[0]), toList(stats[1]));
      // every kept image is height x width x channels bytes: write them in tasks of a fair size
      kept = kept.coalesce(writePartitions(spark, summary.count() * o.height() * o.width() * o.channels()));
      IngestSteps.Written written =
          IngestSteps.write(
              writer, kept.withColumn(IngestSteps.LABEL_INDEX, IngestSteps.labelIndex(labels)), OUTPUT_COLUMNS,
              o.arrow(), (long) o.rowGroupMb() << 20, first, summary, duplicates,
              (o.input() != null && !o.input().isBlank() ? "--input " : "--manifest ") + o.inputDescription());
      writer.writePreprocessor(o.preprocessor().model(stats, labels));
      ImageSpec stable = new ImageSpec(spec.height(), spec.width(), spec.channels(), spec.resizeMode(), spec.maxPixels(), null, null);
      String fingerprint = Fingerprint.of(summary.records(), labels, Cards.toJson(stable));
      DatasetCard card =
          new DatasetCard(
              DatasetCard.SCHEMA_VERSION, DatasetCard.KIND_IMAGE, labels, written.counts(), input,
              written.rejectedByReason(), duplicates, writer.schemaOf(SplitAssigner.TRAIN), fingerprint,
              Instant.now().toString(), o.inputDescription(),
              new DatasetCard.SplitSpec(o.split().train(), o.split().validation(), o.split().test(), o.seed()),
              null, spec);
      writer.publish(card);
      LOG.info("ingest-images wrote {} in {} s: {} (input {}, duplicates {}, rejected {})", o.output(),
          (System.currentTimeMillis() - started) / 1000, written.counts(), input, duplicates, written.rejectedByReason());
      return card;
    } finally {
      if (first != null) {
        first.unpersist(); // whether or not the ingest got through
      }
      spark.sparkContext().clearJobGroup();
    }
  }

  /** About this many image bytes per task when writing: few files per split, each task a fair share. */
  static final long WRITE_BYTES_PER_TASK = 128L << 20;

  /**
   * Tasks for writing {@code bytes} of images, each at most {@link #WRITE_BYTES_PER_TASK} — not the
   * decode's partitions, which are smaller for balance and would write as many small files per
   * split, each with its own writer set-up.
   */
  static int writePartitions(SparkSession spark, long bytes) {
    return tasks(spark, bytes, WRITE_BYTES_PER_TASK);
  }

  /**
   * Tasks for {@code amount} of work at most {@code perTask} each: a multiple of the cores, so every
   * round of tasks keeps every core busy.
   */
  static int tasks(SparkSession spark, long amount, long perTask) {
    int cores = Math.max(1, spark.sparkContext().defaultParallelism());
    long rounds = Math.max(1, (amount + cores * perTask - 1) / (cores * perTask));
    return (int) Math.min(Integer.MAX_VALUE, rounds * cores);
  }

  private static List<Double> toList(double[] values) {
    List<Double> out = new ArrayList<>();
    for (double v : values) {
      out.add(v);
    }
    return out;
  }
}
