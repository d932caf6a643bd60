package io.deeppipe.bench;

import io.deeppipe.jobs.Sessions;
import org.apache.spark.sql.SparkSession;

/**
 * The peers as whole processes, started the way a user starts a small job of their own: {@code
 * Peers floor|mllib INPUT OUTPUT} on local[2] for {@code ingest-text} ({@code floor} is {@link
 * TextIngestStage#floor}, {@code mllib} is {@link TextIngestStage#mllib}), and {@code Peers
 * single-fit DATASET EPOCHS MODEL_ZIP} for {@code train}: the train split read (with Spark, then
 * stopped) into the minibatches of {@link TrainingStage#singleJvmFit}, fitted for EPOCHS in this JVM
 * alone and saved, so both sides of the per-epoch figure pay a fresh JVM's warm-up; {@code Peers
 * decode FOLDER CHANNELS} for {@code ingest-images}: {@link ImageIngestStage}'s decode-only pass
 * over the folder's files (read and decoded with {@code ImageDecoder} on two threads), no Spark.
 */
public final class Peers {
  private Peers() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 4 && args[0].equals("single-fit")) {
      singleFit(args[1], Integer.parseInt(args[2]), args[3]);
      return;
    }
    if (args.length == 3 && args[0].equals("decode")) {
      java.util.List<java.nio.file.Path> files = BenchData.files(java.nio.file.Path.of(args[1]));
      int channels = Integer.parseInt(args[2]);
      long pixels = ImageIngestStage.pass(files, ImageIngestStage.decodeOnly(channels));
      System.out.printf("decode: %d files, %d samples%n", files.size(), pixels);
      return;
    }
    if (args.length != 3 || !(args[0].equals("floor") || args[0].equals("mllib"))) {
      System.err.println("usage: Peers floor|mllib INPUT OUTPUT | Peers single-fit DATASET EPOCHS MODEL_ZIP | Peers decode FOLDER CHANNELS");
      System.exit(2);
    }
    // the session ingest-text builds on local[2], so that only the work differs
    SparkSession spark = Sessions.create("peer " + args[0], "local[2]");
    try {
      if (args[0].equals("floor")) {
        TextIngestStage.floor(spark, args[1], args[2]);
      } else {
        TextIngestStage.mllib(spark, args[1], args[2]);
      }
    } finally {
      spark.stop();
    }
  }

  private static void singleFit(String data, int epochs, String modelZip) throws Exception {
    SparkSession spark = Sessions.create("peer single-fit", "local[2]");
    TrainingStage.Inputs in;
    try {
      in = TrainingStage.inputs(spark, data, io.deeppipe.models.ModelType.MLP, epochs);
    } finally {
      spark.stop();
    }
    long start = System.nanoTime();
    var net = TrainingStage.singleJvmFit(in.options(), in.spec(), in.minibatches(), epochs);
    System.out.printf("single-fit: %d epochs in %.2f s%n", epochs, (System.nanoTime() - start) / 1e9);
    org.deeplearning4j.util.ModelSerializer.writeModel(net, new java.io.File(modelZip), false);
  }
}
