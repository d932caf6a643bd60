package io.deeppipe.bench;

import io.deeppipe.jobs.Sessions;
import org.apache.spark.sql.SparkSession;

/**
 * The peers of {@code ingest-text} as whole processes, started the way a Spark user starts a small
 * job of their own: {@code Peers floor|mllib INPUT OUTPUT} on local[2]. {@code floor} is {@link TextIngestStage#floor},
 * {@code mllib} is {@link TextIngestStage#mllib}.
 */
public final class Peers {
  private Peers() {}

  public static void main(String[] args) {
    if (args.length != 3 || !(args[0].equals("floor") || args[0].equals("mllib"))) {
      System.err.println("usage: Peers floor|mllib INPUT OUTPUT");
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
}
