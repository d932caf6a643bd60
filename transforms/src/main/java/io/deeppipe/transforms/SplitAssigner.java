package io.deeppipe.transforms;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Assigns train/validation/test from a seeded hash of the record id alone, so a record lands in
 * the same split on every rerun, in any input order, and when the corpus grows.
 */
public final class SplitAssigner {
  public static final String SPLIT = "split";
  public static final String TRAIN = "train";
  public static final String VALIDATION = "validation";
  public static final String TEST = "test";
  public static final java.util.List<String> SPLITS = java.util.List.of(TRAIN, VALIDATION, TEST);

  private static final long BUCKETS = 1_000_000L;

  private SplitAssigner() {}

  /** A number in [0, 1) that depends only on the id and the seed. */
  public static Column unitHash(Column id, long seed) {
    return pmod(xxhash64(lit(seed), id), lit(BUCKETS)).divide((double) BUCKETS);
  }

  public static Dataset<Row> assign(Dataset<Row> rows, String idColumn, SplitFractions f, long seed) {
    Column u = unitHash(col(idColumn), seed);
    return rows.withColumn(
        SPLIT,
        when(u.lt(f.train()), lit(TRAIN))
            .when(u.lt(f.train() + f.validation()), lit(VALIDATION))
            .otherwise(lit(TEST)));
  }

  /** Validated split fractions: each in [0, 1], summing to 1. */
  public record SplitFractions(double train, double validation, double test) {
    public SplitFractions {
      for (double v : new double[] {train, validation, test}) {
        if (!(v >= 0 && v <= 1)) {
          throw new IllegalArgumentException(
              "--split fractions must each be in [0,1], got " + format(train, validation, test));
        }
      }
      if (Math.abs(train + validation + test - 1.0) > 1e-6) {
        throw new IllegalArgumentException(
            "--split must sum to 1.0, got " + format(train, validation, test));
      }
      if (train == 0) {
        throw new IllegalArgumentException(
            "--split needs a non-empty train fraction, got " + format(train, validation, test));
      }
    }

    /** Parses {@code "0.8,0.1,0.1"}. */
    public static SplitFractions parse(String text) {
      String[] parts = text.split(",");
      if (parts.length != 3) {
        throw new IllegalArgumentException(
            "--split needs three fractions train,validation,test, got '" + text + "'");
      }
      try {
        return new SplitFractions(
            Double.parseDouble(parts[0].trim()),
            Double.parseDouble(parts[1].trim()),
            Double.parseDouble(parts[2].trim()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--split needs numbers, got '" + text + "'");
      }
    }

    private static String format(double a, double b, double c) {
      return a + "," + b + "," + c;
    }

    @Override
    public String toString() {
      return format(train, validation, test);
    }
  }
}
