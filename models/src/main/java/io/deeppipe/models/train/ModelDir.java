package io.deeppipe.models.train;

import io.deeppipe.transforms.card.BadInputException;
import io.deeppipe.transforms.card.Cards;
import io.deeppipe.transforms.card.ModelCard;
import io.deeppipe.transforms.io.Storage;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

/**
 * The files of a model directory, on any Hadoop file system:
 *
 * <pre>
 * MODEL_DIR/model.zip   the best network (DL4J ModelSerializer, with updater state)
 * MODEL_DIR/model.json  the model card, written last: its presence means finished
 * MODEL_DIR/metrics.csv MODEL_DIR/training.png MODEL_DIR/vocab.txt (text models)
 * MODEL_DIR/preprocessor/ (the dataset's fitted preprocessing, a Spark ML PipelineModel)
 * MODEL_DIR/pipeline/   (that preprocessing + the trained DeepClassificationModel: raw input in, predictions out)
 * MODEL_DIR/checkpoints/{last-N.zip, best.zip, state.json}   for --resume (N = epochs done)
 * </pre>
 */
public final class ModelDir {
  public static final String MODEL = "model.zip";
  public static final String METRICS = "metrics.csv";
  public static final String CURVES = "training.png";
  public static final String CHECKPOINTS = "checkpoints";
  /** The fitted preprocessing + classifier as one Spark ML PipelineModel. */
  public static final String PIPELINE = "pipeline";
  /** The network of the best epoch so far. */
  public static final String BEST = CHECKPOINTS + "/best.zip";

  private final Path dir;
  private final Configuration conf;

  public ModelDir(String dir, Configuration conf) {
    this.dir = new Path(dir);
    this.conf = conf;
  }

  public Path path(String child) {
    return new Path(dir, child);
  }

  /**
   * The model's identity for lineage: the SHA-256 of its model file as it is now ({@code model.zip},
   * or {@code model.onnx} for an imported ONNX model).
   */
  public String fingerprint() {
    Path onnx = path(io.deeppipe.transforms.card.OnnxSpec.FILE_NAME);
    return io.deeppipe.transforms.Fingerprint.ofFile(
        !Storage.exists(path(MODEL), conf) && Storage.exists(onnx, conf) ? onnx : path(MODEL), conf);
  }

  public boolean exists() {
    return Storage.exists(dir, conf);
  }

  public boolean finished() {
    return Storage.exists(path(ModelCard.FILE_NAME), conf);
  }

  public boolean hasCheckpoint() {
    return Storage.exists(path(CHECKPOINTS + "/" + TrainingState.FILE_NAME), conf);
  }

  /**
   * The network after {@code epochs} epochs. Named by the epoch, not overwritten in place: the state
   * is written after the network, so a run killed between the two still has the network its state
   * names (the newer one is then left over, and redone identically on resume).
   */
  public static String lastCheckpoint(int epochs) {
    return CHECKPOINTS + "/last-" + epochs + ".zip";
  }

  public void deleteQuietly(String child) {
    Storage.deleteQuietly(path(child), conf);
  }

  /**
   * Refuses, before any work, an output that would be clobbered: a finished model without
   * {@code overwrite} or {@code resume} (resuming a finished run has nothing left to do), or an
   * unfinished run without {@code resume} or {@code overwrite}; and one this user may not write
   * ({@link Storage#checkCreatable}).
   */
  public void checkUsable(boolean overwrite, boolean resume) {
    if (!exists() || overwrite) {
      Storage.checkCreatable("--output", dir, conf);
      return;
    }
    if (finished() && !resume) {
      throw new BadInputException(
          "--output " + dir + " is a finished model (it has model.json); use --mode overwrite to train it again");
    }
    if (!resume) {
      throw new BadInputException(
          "--output " + dir + " already exists (an unfinished run?): use --resume to continue it or --mode overwrite");
    }
    if (!finished()) {
      Storage.checkCreatable("--output", dir, conf); // resuming writes into it
    }
  }

  public void delete() {
    Storage.deleteQuietly(dir, conf);
  }

  public void writeNetwork(String child, MultiLayerNetwork net) {
    replace(child, out -> ModelSerializer.writeModel(net, out, true));
  }

  /**
   * Replaces {@code to} with a byte-for-byte copy of {@code from}, atomically: e.g. the checkpoint
   * of an epoch that is also the best so far, instead of serializing the same network twice.
   */
  public void copy(String from, String to) {
    replace(to, out -> {
      try (java.io.InputStream in = fs().open(path(from))) {
        in.transferTo(out);
      }
    });
  }

  private interface Content {
    void writeTo(OutputStream out) throws IOException;
  }

  /** Writes {@code child} beside itself under a hidden name, then renames it over the old one. */
  private void replace(String child, Content content) {
    Path target = path(child);
    Path tmp = new Path(target.getParent(), "." + target.getName() + ".tmp");
    try {
      FileSystem fs = fs();
      try (OutputStream out = fs.create(tmp, true)) {
        content.writeTo(out);
      }
      fs.delete(target, false);
      if (!fs.rename(tmp, target)) {
        throw new IOException("cannot rename " + tmp + " to " + target);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public MultiLayerNetwork readNetwork(String child) {
    try {
      byte[] zip = Storage.readBytes(path(child), conf);
      checkArchive(zip, path(child).toString());
      return ModelSerializer.restoreMultiLayerNetwork(new java.io.ByteArrayInputStream(zip), true);
    } catch (BadInputException e) {
      throw e;
    } catch (IOException | UncheckedIOException e) {
      throw new BadInputException(path(child) + " is not a readable DL4J model: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new BadInputException(path(child) + " is not a readable DL4J model: " + e, e);
    }
  }

  /** The entries every DL4J ModelSerializer archive of a MultiLayerNetwork has. */
  private static final java.util.Set<String> REQUIRED_ENTRIES = java.util.Set.of("configuration.json", "coefficients.bin");

  /**
   * Reads a whole model archive before DL4J does, refusing (as bad input) one that is damaged
   * (truncated, bad CRC), lacks a DL4J network, or expands to far more than its size (a zip bomb:
   * DL4J's reader would hold every entry in memory). Parameters barely compress, so a real model
   * is never near the limit. Nothing is extracted to disk: DL4J reads entries by fixed names into
   * memory (checked: ModelSerializer.loadZipData), so entry names cannot traverse paths.
   */
  public static void checkArchive(byte[] zip, String name) {
    long limit = 64L * zip.length + (64L << 20);
    long total = 0;
    java.util.Set<String> entries = new java.util.HashSet<>();
    try (java.util.zip.ZipInputStream in = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(zip))) {
      byte[] buffer = new byte[1 << 16];
      for (java.util.zip.ZipEntry e; (e = in.getNextEntry()) != null; ) {
        entries.add(e.getName());
        for (int n; (n = in.read(buffer)) > 0; ) {
          total += n;
          if (total > limit) {
            throw new BadInputException(name + " expands to more than " + limit + " bytes from " + zip.length
                + ": refused as a zip bomb");
          }
        }
      }
    } catch (IOException e) {
      throw new BadInputException(name + " is damaged (truncated or corrupt): " + e.getMessage(), e);
    }
    if (!entries.containsAll(REQUIRED_ENTRIES)) {
      throw new BadInputException(name + " is not a complete DL4J model: it has " + new java.util.TreeSet<>(entries)
          + ", needs " + new java.util.TreeSet<>(REQUIRED_ENTRIES));
    }
  }

  /** Writes a small file via a temporary name, so a reader never sees half of it. */
  public void writeAtomically(String child, String content) {
    replace(child, out -> out.write(content.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  public String read(String child) {
    return Storage.readString(path(child), conf);
  }

  public TrainingState readState() {
    String file = CHECKPOINTS + "/" + TrainingState.FILE_NAME;
    return Cards.parse(path(file), read(file), TrainingState.class);
  }

  /**
   * Copies the dataset's fitted preprocessing ({@code DATASET/preprocessor/}, a Spark ML
   * PipelineModel) to {@code MODEL_DIR/preprocessor/}, so that the model directory alone turns raw
   * input into what the network reads. Datasets written before preprocessors were saved have none:
   * the model card's spec still describes their preprocessing.
   */
  public void copyPreprocessor(Path source) {
    try {
      FileSystem from = source.getFileSystem(conf);
      if (!from.exists(source)) {
        org.slf4j.LoggerFactory.getLogger(ModelDir.class)
            .info("{} has no preprocessor/ (written by an older ingest); the model card records its preprocessing", source.getParent());
        return;
      }
      Path target = path(io.deeppipe.transforms.io.DatasetWriter.PREPROCESSOR);
      fs().delete(target, true);
      if (!org.apache.hadoop.fs.FileUtil.copy(from, source, fs(), target, false, true, conf)) {
        throw new IOException("cannot copy " + source + " to " + target);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * {@code MODEL_DIR/pipeline/}: the dataset's fitted preprocessing followed by {@code classifier},
   * one Spark ML {@code PipelineModel} that turns raw files or raw text into predictions
   * ({@code PipelineModel.load(MODEL_DIR + "/pipeline").transform(raw)}). Not written for a
   * dataset without a {@code preprocessor/} (ingested before there were preprocessors).
   */
  public void writePipeline(Path preprocessor, io.deeppipe.models.DeepClassificationModel classifier) {
    if (!Storage.exists(preprocessor, conf)) {
      return;
    }
    org.apache.spark.ml.Transformer[] pre = org.apache.spark.ml.PipelineModel.load(preprocessor.toString()).stages();
    org.apache.spark.ml.Transformer[] stages = java.util.Arrays.copyOf(pre, pre.length + 1);
    stages[pre.length] = classifier;
    try {
      new org.apache.spark.ml.PipelineModel(org.apache.spark.ml.util.Identifiable$.MODULE$.randomUID("pipeline"), stages)
          .write().overwrite().save(path(PIPELINE).toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Copies a local file (e.g. a rendered plot) into the directory. */
  public void copyFromLocal(java.nio.file.Path local, String child) {
    try (OutputStream out = fs().create(path(child), true)) {
      Files.copy(local, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private FileSystem fs() {
    return Storage.fs(dir, conf);
  }
}
