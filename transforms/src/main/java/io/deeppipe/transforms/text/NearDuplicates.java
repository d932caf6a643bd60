package io.deeppipe.transforms.text;

import static org.apache.spark.sql.functions.array_distinct;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.size;

import org.apache.spark.ml.feature.HashingTF;
import org.apache.spark.ml.feature.MinHashLSH;
import org.apache.spark.ml.feature.MinHashLSHModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Near-duplicate detection with MinHash LSH (Spark MLlib) on the set of a text's tokens: every pair
 * whose Jaccard similarity is at least the threshold is found by an approximate self-join, and of
 * each pair the record with the larger id is marked, so the result does not depend on input order.
 * (A chain a~b~c marks b and c even when a and c are not similar themselves.)
 */
public final class NearDuplicates {
  public static final String NEAR_DUPLICATE = "near_duplicate";
  private static final int FEATURES = 1 << 20;
  private static final int HASH_TABLES = 5;

  private NearDuplicates() {}

  /** Adds a boolean {@code near_duplicate} to rows with {@code id} and the {@code tokens} array. */
  public static Dataset<Row> mark(Dataset<Row> rows, String idColumn, String tokensColumn, double threshold, long seed) {
    Dataset<Row> sets =
        new HashingTF().setInputCol("token_set").setOutputCol("features").setNumFeatures(FEATURES).setBinary(true)
            .transform(rows.select(col(idColumn).as("nd_id"), array_distinct(col(tokensColumn)).as("token_set"))
                .where(size(col("token_set")).gt(0)));
    MinHashLSHModel lsh =
        new MinHashLSH().setInputCol("features").setOutputCol("hashes").setNumHashTables(HASH_TABLES).setSeed(seed)
            .fit(sets);
    Dataset<Row> marked =
        lsh.approxSimilarityJoin(sets, sets, 1.0 - threshold, "jaccard_distance")
            .where(col("datasetA.nd_id").lt(col("datasetB.nd_id")))
            .select(col("datasetB.nd_id").as("nd_id"))
            .distinct()
            .withColumn(NEAR_DUPLICATE, lit(true));
    return rows.join(marked, rows.col(idColumn).equalTo(marked.col("nd_id")), "left")
        .drop("nd_id")
        .na().fill(false, new String[] {NEAR_DUPLICATE});
  }
}
