package io.deeppipe.jobs;

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
    // the quickstart (and a notebook) runs several commands in one JVM: the session the first one
    // built serves the rest, without Spark's "Using an existing Spark session" warning per command
    var running = SparkSession.getDefaultSession();
    if (running.isDefined() && !running.get().sparkContext().isStopped()
        && (master == null || master.isBlank() || master.equals(running.get().sparkContext().master()))) {
      return running.get();
    }
    SparkConf existing = new SparkConf();
    SparkSession.Builder builder = SparkSession.builder().appName("deeppipe " + command);
    String resolved = master != null && !master.isBlank() ? master : existing.get("spark.master", EMBEDDED_MASTER);
    builder.config("spark.master", resolved);
    if (resolved.startsWith("local") && !existing.contains("spark.sql.shuffle.partitions")) {
      // 200 shuffle partitions (Spark's cluster default) cost seconds per stage on one machine
      builder.config("spark.sql.shuffle.partitions", Math.max(4, 2 * Runtime.getRuntime().availableProcessors()));
    }
    if (!existing.contains("spark.sql.inMemoryColumnarStorage.batchSize")) {
      // Spark caches 10 000 rows per column batch: with documents or images of tens of kilobytes
      // one batch alone can exceed an executor's heap
      builder.config("spark.sql.inMemoryColumnarStorage.batchSize", 256);
    }
    if (!existing.contains("spark.sql.session.timeZone")) {
      builder.config("spark.sql.session.timeZone", "UTC");
    }
    return builder.getOrCreate();
  }
}
