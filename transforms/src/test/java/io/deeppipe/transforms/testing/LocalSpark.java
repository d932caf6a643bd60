package io.deeppipe.transforms.testing;

import org.apache.spark.sql.SparkSession;

/**
 * The one local Spark session a test JVM shares: local[2], UI off, loopback, two shuffle
 * partitions. Starting Spark costs seconds, so every test class in a module reuses it.
 */
public final class LocalSpark {
  private static SparkSession session;

  private LocalSpark() {}

  public static synchronized SparkSession session() {
    if (session == null) {
      session = builder().getOrCreate();
      Runtime.getRuntime().addShutdownHook(new Thread(session::stop));
    }
    return session;
  }

  /** The shared session's settings, for a test that must add its own before Spark starts. */
  public static SparkSession.Builder builder() {
    io.deeppipe.transforms.io.NioLocalFileSystem.install();
    return SparkSession.builder()
        .appName("deeppipe-tests")
        .config("spark.master", "local[2]")
        .config("spark.ui.enabled", false)
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", 2)
        .config(io.deeppipe.transforms.io.NioLocalFileSystem.CONF, io.deeppipe.transforms.io.NioLocalFileSystem.class.getName())
        .config("spark.default.parallelism", 2)
        .config("spark.sql.session.timeZone", "UTC");
  }
}
