package io.deeppipe.transforms;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.monotonically_increasing_id;
import static org.apache.spark.sql.functions.sort_array;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.deeppipe.transforms.SplitAssigner.SplitFractions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.storage.StorageLevel;

/**
 * The passes of an ingest, shared by text and images. The first pass reads and processes every
 * record once into a disk cache (each row numbered, its split assigned from its id) and, in the same
 * query, groups the good rows by content hash: only (hash, id, source, row, label, split) cross the
 * shuffle, not the content. One aggregate over the groups gives the input, good and rejected counts by
 * reason, and the exact duplicates; the group winners (smallest id, then source, then input position:
 * independent of input order) are the kept records, whose labels, split counts and fingerprint come
 * from the same aggregate. Later passes read the cache: the fit over the train split and the
 * write of every split. Duplicates are removed there by joining the few groups that have any.
 * Where a fit needs only sums over the kept train rows (an image's per-channel pixel sums), each row
 * carries its own and the same aggregate adds them up: that fit reads nothing again.
 */
public final class IngestPasses {
  /** A record's position in the input: unique, so ties of id and source still have one winner. */
  public static final String ROW = "row__";
  private static final String KEY = "dedup_key__";
  private static final String N = "records__";
  private static final String WINNER = "winner__";
  private static final String WINNER_ROW = "winner_row__";
  private static final String WINNER_KEY = "winner_key__";
  /** Up to this many duplicate rows, the groups that have them are broadcast to the joins. */
  static final long BROADCAST_DUPLICATES = 200_000;

  private IngestPasses() {}

  /** What the first pass found; {@link #unpersist} releases its caches. */
  public static final class First {
    private final Dataset<Row> rows;
    private final Dataset<Row> groups;
    private final long input;
    private final long good;
    private final Map<String, Long> rejectedByReason;
    private final Kept summary;
    private final Column key;
    private final long[] trainSums;
    private Dataset<Row> winners;

    private First(Dataset<Row> rows, Dataset<Row> groups, long input, long good, Map<String, Long> rejectedByReason,
        Kept summary, Column key, long[] trainSums) {
      this.rows = rows;
      this.groups = groups;
      this.input = input;
      this.good = good;
      this.rejectedByReason = rejectedByReason;
      this.summary = summary;
      this.key = key;
      this.trainSums = trainSums;
    }

    /**
     * Element by element, the sums column's arrays of the kept rows of the train split (exact: longs);
     * empty when {@link #first} was given no sums column.
     */
    public long[] trainSums() {
      return trainSums.clone();
    }

    public long input() {
      return input;
    }

    /** Good records that repeat the content of a kept one. */
    public long duplicates() {
      return good - summary.count();
    }

    public Map<String, Long> rejectedByReason() {
      return rejectedByReason;
    }

    public long rejected() {
      return input - good;
    }

    /** Labels, split counts and fingerprint records of the kept rows. */
    public Kept summary() {
      return summary;
    }

    /**
     * The rejected rows of the cache (with {@code source}, {@code record}, {@code reason}); when the
     * first pass counted none, the same empty table without a scan of the cache.
     */
    public Dataset<Row> rejectedRows() {
      Dataset<Row> rejected = rows.filter(Outcomes.isRejected());
      return rejected() == 0 ? rows.sparkSession().createDataFrame(List.of(), rejected.schema()) : rejected;
    }

    /**
     * The good rows that are not duplicates, with their {@code split}: what ingest keeps. Where there
     * are duplicates, the winners of the groups that have them are found once (one more job over the
     * cached keys) and joined: broadcast from the driver when they are few, else as a Spark join.
     */
    public Dataset<Row> kept() {
      Dataset<Row> goodRows = rows.filter(Outcomes.isGood());
      if (duplicates() == 0) {
        return goodRows;
      }
      if (winners == null) {
        Dataset<Row> repeated = groups.filter(Outcomes.isGood().and(col(N).gt(1)))
            .select(col(KEY).as(WINNER_KEY), col(WINNER + "." + ROW).as(WINNER_ROW));
        if (duplicates() <= BROADCAST_DUPLICATES) {
          rows.sparkSession().sparkContext().setJobDescription("find the kept copy of each duplicate");
          winners = broadcast(rows.sparkSession().createDataFrame(repeated.collectAsList(), repeated.schema()));
        } else {
          winners = repeated;
        }
      }
      return goodRows.join(winners, key.equalTo(winners.col(WINNER_KEY)), "left_outer")
          .filter(col(WINNER_ROW).isNull().or(col(WINNER_ROW).equalTo(col(ROW))))
          .drop(WINNER_KEY, WINNER_ROW);
    }

    public void unpersist() {
      groups.unpersist();
      rows.unpersist();
    }
  }

  /**
   * The first pass over {@code processed} (rows with {@code id}, {@code label}, {@code source},
   * {@code reason} and the content hash {@code hashColumn}): one query that fills the cache every
   * later pass reads ({@code cache}: where it is kept), groups the keys and aggregates the groups into
   * the counts and the kept records' summary. With {@code dedup} off every good row is its own group.
   */
  public static First first(Dataset<Row> processed, String hashColumn, boolean dedup, SplitFractions split, long seed,
      StorageLevel cache) {
    return first(processed, hashColumn, dedup, split, seed, cache, null, 0);
  }

  /**
   * As above; {@code sumsColumn} (an array of {@code sumsLength} longs on every good row, or null for
   * none) rides with each group's winner, and the aggregate adds up those of the kept train rows:
   * {@link First#trainSums}.
   */
  public static First first(Dataset<Row> processed, String hashColumn, boolean dedup, SplitFractions split, long seed,
      StorageLevel cache, String sumsColumn, int sumsLength) {
    Dataset<Row> numbered = processed.withColumn(ROW, monotonically_increasing_id());
    // the group of a good row: its content hash, or the row itself when duplicates are kept
    Column key = when(Outcomes.isGood(), dedup ? col(hashColumn) : col(ROW).cast(DataTypes.StringType));
    Dataset<Row> rows = SplitAssigner.assign(numbered, IngestSteps.ID, split, seed).persist(cache);
    // the winner is the smallest (id, source, row): row is unique, so fields after it never decide
    List<Column> winner = new java.util.ArrayList<>(List.of(col(IngestSteps.ID), col(Outcomes.SOURCE), col(ROW),
        col(IngestSteps.LABEL), col(SplitAssigner.SPLIT), col(hashColumn)));
    if (sumsColumn != null) {
      winner.add(col(sumsColumn));
    }
    // the grouping reads only the keys of the cached rows: two tasks per core do it (the cache has the
    // partitions of the read or the decode, sized for their work, each task ~20 ms of set-up for
    // little work here); coalescing never adds partitions, so a small input keeps its own
    Dataset<Row> keys = rows.coalesce(2 * rows.sparkSession().sparkContext().defaultParallelism());
    Dataset<Row> groups = keys.groupBy(col(Outcomes.REASON), key.as(KEY))
        .agg(count(lit(1)).as(N), min(struct(winner.toArray(new Column[0]))).as(WINNER))
        // kept for the duplicates' winners, if there are any: without it that query regroups the cache (~1.4 s here)
        .persist(StorageLevel.DISK_ONLY());
    // one row: input, good, rejected (reason, records) pairs, then the kept summary of the good groups' winners
    List<Column> aggregates = new java.util.ArrayList<>(List.of(
        sum(col(N)),
        sum(when(Outcomes.isGood(), col(N)).otherwise(0L)),
        collect_list(when(Outcomes.isRejected(), struct(col(Outcomes.REASON), col(N))))));
    Dataset<Row> winners = groups.select(col(Outcomes.REASON), col(N), col(WINNER + ".*"));
    aggregates.addAll(keptAggregates(hashColumn, Outcomes.isGood()));
    Column keptTrain = Outcomes.isGood().and(col(SplitAssigner.SPLIT).equalTo(SplitAssigner.TRAIN));
    for (int k = 0; sumsColumn != null && k < sumsLength; k++) {
      aggregates.add(sum(when(keptTrain, col(sumsColumn).getItem(k))));
    }
    Row totals = winners.agg(aggregates.get(0), aggregates.subList(1, aggregates.size()).toArray(new Column[0])).first();
    Map<String, Long> reasons = new TreeMap<>();
    for (Row r : totals.<Row>getList(2)) {
      reasons.merge(r.getString(0), r.getLong(1), Long::sum);
    }
    long input = totals.isNullAt(0) ? 0 : totals.getLong(0);
    long good = totals.isNullAt(1) ? 0 : totals.getLong(1);
    long[] trainSums = new long[sumsColumn == null ? 0 : sumsLength];
    for (int k = 0; k < trainSums.length; k++) {
      int at = totals.length() - trainSums.length + k;
      trainSums[k] = totals.isNullAt(at) ? 0 : totals.getLong(at);
    }
    return new First(rows, groups, input, good, reasons, kept(totals, 3), key, trainSums);
  }

  /**
   * What the kept records decide: their number, rows per split, sorted labels (Spark's string order,
   * as {@code label_index} has always used) and the fingerprint's record digest.
   */
  public record Kept(long count, Map<String, Long> splits, List<String> labels, String records) {}

  /** {@link Kept} of rows with {@code id}, {@code label}, {@code split} and {@code hashColumn}, in one job. */
  public static Kept summarize(Dataset<Row> kept, String hashColumn) {
    List<Column> aggregates = keptAggregates(hashColumn, lit(true));
    return kept(kept.agg(aggregates.get(0), aggregates.subList(1, aggregates.size()).toArray(new Column[0])).first(), 0);
  }

  /** The aggregates of {@link Kept} over the rows where {@code where} holds (read back by {@link #kept}). */
  private static List<Column> keptAggregates(String hashColumn, Column where) {
    List<Column> aggregates = new java.util.ArrayList<>();
    aggregates.add(count(when(where, lit(1))));
    for (String split : SplitAssigner.SPLITS) {
      aggregates.add(count(when(where.and(col(SplitAssigner.SPLIT).equalTo(split)), lit(1))));
    }
    aggregates.add(sort_array(collect_set(when(where, col(IngestSteps.LABEL)))));
    List<Column> record = List.of(col(IngestSteps.ID), coalesce(col(IngestSteps.LABEL), lit("")),
        col(SplitAssigner.SPLIT), col(hashColumn));
    aggregates.addAll(Fingerprint.aggregates(record, where));
    return aggregates;
  }

  private static Kept kept(Row r, int from) {
    Map<String, Long> splits = new LinkedHashMap<>();
    for (int i = 0; i < SplitAssigner.SPLITS.size(); i++) {
      splits.put(SplitAssigner.SPLITS.get(i), r.getLong(from + 1 + i));
    }
    int labelsAt = from + 1 + SplitAssigner.SPLITS.size();
    return new Kept(r.getLong(from), splits, List.copyOf(r.<String>getList(labelsAt)), Fingerprint.records(r, labelsAt + 1));
  }
}
