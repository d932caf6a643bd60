package io.deeppipe.transforms;

import static org.apache.spark.sql.functions.bit_xor;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;

/**
 * The dataset fingerprint: an order-independent digest of the kept records (computed distributed
 * as XORs of two independent 64-bit hashes per record, plus the count) combined with the labels
 * and the preprocessing spec. Floating-point statistics are deliberately left out so the same
 * input and options always give the same fingerprint.
 */
public final class Fingerprint {
  private Fingerprint() {}

  /** The fingerprint of kept records digested by {@link #aggregates} and read by {@link #records}. */
  public static String of(String records, List<String> labels, String spec) {
    return sha256(records + "\n" + String.join("\u0000", labels) + "\n" + spec);
  }

  /**
   * The three aggregates that digest the records where {@code where} holds, order-independently:
   * their count and two XORs of hashes.
   */
  public static List<Column> aggregates(List<Column> recordColumns, Column where) {
    Column[] cols = recordColumns.toArray(new Column[0]);
    return List.of(count(when(where, lit(1))), bit_xor(when(where, xxhash64(prepend(lit(1L), cols)))),
        bit_xor(when(where, xxhash64(prepend(lit(2L), cols)))));
  }

  /** The record digest in {@code agg} from position {@code from} (where {@link #aggregates} put it). */
  public static String records(Row agg, int from) {
    return agg.getLong(from) + ":" + agg.get(from + 1) + ":" + agg.get(from + 2);
  }

  public static String sha256(String text) {
    return sha256(text.getBytes(StandardCharsets.UTF_8));
  }

  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The SHA-256 of a file's bytes, streamed (a model file may be large), on any Hadoop file system:
   * the identity of a model file, so lineage follows the bytes however the folder is copied or renamed.
   */
  public static String ofFile(org.apache.hadoop.fs.Path file, org.apache.hadoop.conf.Configuration conf) {
    try (java.io.InputStream in = io.deeppipe.transforms.io.Storage.fs(file, conf).open(file)) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot read " + file, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Column[] prepend(Column first, Column[] rest) {
    Column[] all = new Column[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }
}
