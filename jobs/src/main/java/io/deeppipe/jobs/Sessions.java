package io.deeppipe.jobs;

import io.deeppipe.transforms.io.NioLocalFileSystem;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * Builds the SparkSession of a job. The master comes from {@code --master}, else from what
 * spark-submit or the launcher set ({@code spark.master}), else {@code local[*]}: the same jar
 * serves a laptop and a cluster, and never overrides spark-submit's choice.
 */
public final class Sessions {
  public static final String EMBEDDED_MASTER = "local[*]";

  private Sessions() {}

  public static SparkSession create(String command, String master) {
    boolean nioFileSystem = NioLocalFileSystem.install();
    SparkConf existing = new SparkConf();
    var running = SparkSession.getDefaultSession();
    String resolved = master != null && !master.isBlank() ? master
        : running.isDefined() ? running.get().sparkContext().master() : existing.get("spark.master", EMBEDDED_MASTER);
    Map<String, String> runtime = new LinkedHashMap<>();
    if (resolved.startsWith("local") && !existing.contains("spark.sql.shuffle.partitions")) {
      // 200 shuffle partitions (Spark's cluster default) cost seconds per stage on one machine
      runtime.put("spark.sql.shuffle.partitions", String.valueOf(Math.max(4, 2 * Runtime.getRuntime().availableProcessors())));
    }
    if (!existing.contains("spark.sql.inMemoryColumnarStorage.batchSize")) {
      // Spark caches 10 000 rows per column batch: with documents or images of tens of kilobytes
      // one batch alone can exceed an executor's heap
      runtime.put("spark.sql.inMemoryColumnarStorage.batchSize", "256");
    }
    if (!existing.contains("spark.sql.session.timeZone")) {
      runtime.put("spark.sql.session.timeZone", "UTC");
    }
    if (running.isDefined() && !running.get().sparkContext().isStopped()
        && resolved.equals(running.get().sparkContext().master())) {
      // the quickstart (and a notebook) runs several commands in one JVM: the session the first one
      // built serves the rest, given the same runtime settings, without Spark's "Using an existing
      // Spark session" warning per command
      runtime.forEach((k, v) -> running.get().conf().set(k, v));
      return running.get();
    }
    SparkSession.Builder builder = SparkSession.builder().appName("deeppipe " + command).config("spark.master", resolved);
    runtime.forEach(builder::config);
    String executorOptions = executorJavaOptions(command, resolved, existing);
    if (executorOptions != null) { // a new application's executors only: a running one's are started
      builder.config(EXECUTOR_JAVA_OPTIONS, executorOptions);
    }
    if (nioFileSystem) {
      // file: paths without a forked chmod per file and directory (see NioLocalFileSystem)
      builder.config(NioLocalFileSystem.CONF, NioLocalFileSystem.class.getName());
    }
    return builder.getOrCreate();
  }

  static final String EXECUTOR_JAVA_OPTIONS = "spark.executor.extraJavaOptions";

  /** What {@code train} adds to its executors' JVM flags on a cluster: the C1 compiler only. */
  static final String TRAIN_EXECUTOR_JIT = "-XX:TieredStopAtLevel=1";

  /**
   * The executors' JVM flags {@code command} needs on {@code master} beyond those {@code conf}
   * gives, or null to leave them as they are. {@code train}'s executors spend their time in ND4J's
   * native code; what they run in Java is glue that the C1 compiler already makes fast, while C2
   * compiling it on the executors' own cores slowed the first ~12 epochs of a 20-epoch run by up to
   * 2× (BENCHMARKS.md, "Training on the standalone cluster"): a {@code train} application's
   * executors start with C1 alone. Flags the user or an administrator chose for the JIT
   * ({@code Tiered…}, in {@code spark.executor.extraJavaOptions} or {@code defaultJavaOptions}) are kept as
   * they are; {@code local[…]} masters have no executor JVMs.
   */
  static String executorJavaOptions(String command, String master, SparkConf conf) {
    String options = conf.get(EXECUTOR_JAVA_OPTIONS, "").trim();
    // an administrator's spark.executor.defaultJavaOptions come first on the command line: ours would override theirs
    String chosen = conf.get("spark.executor.defaultJavaOptions", "") + " " + options;
    boolean executorJvms = !master.startsWith("local") || master.startsWith("local-cluster");
    if (!command.equals("train") || !executorJvms || chosen.contains("Tiered")) {
      return null;
    }
    return options.isEmpty() ? TRAIN_EXECUTOR_JIT : options + " " + TRAIN_EXECUTOR_JIT;
  }
}
