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
    SparkConf existing = new SparkConf();
    SparkSession.Builder builder = SparkSession.builder().appName("deeppipe " + command);
    if (master != null && !master.isBlank()) {
      builder.config("spark.master", master);
    } else if (!existing.contains("spark.master")) {
      builder.config("spark.master", EMBEDDED_MASTER);
    }
    if (!existing.contains("spark.sql.session.timeZone")) {
      builder.config("spark.sql.session.timeZone", "UTC");
    }
    return builder.getOrCreate();
  }
}
