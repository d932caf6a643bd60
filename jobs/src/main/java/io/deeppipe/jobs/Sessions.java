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
    if (nioFileSystem) {
      // file: paths without a forked chmod per file and directory (see NioLocalFileSystem)
      builder.config(NioLocalFileSystem.CONF, NioLocalFileSystem.class.getName());
    }
    return builder.getOrCreate();
  }
}
