package io.deeppipe.transforms.text;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.nullif;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.udf;

import io.deeppipe.transforms.Fingerprint;
import io.deeppipe.transforms.IngestPasses;
import io.deeppipe.transforms.IngestSteps;
import io.deeppipe.transforms.Outcomes;
import io.deeppipe.transforms.SplitAssigner;
import io.deeppipe.transforms.TextPreprocessorModel;
import io.deeppipe.transforms.card.Cards;
import io.deeppipe.transforms.card.DatasetCard;
import io.deeppipe.transforms.io.DatasetWriter;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.collection.JavaConverters;

/**
 * The text ingest pipeline: read → clean → filter → de-duplicate → split → vocabulary (train
 * split only) → encode → write. Each step is a public static function so tests and
 * {@code predict} use the same code.
 */
public final class TextIngest {
  private static final Logger LOG = LoggerFactory.getLogger(TextIngest.class);

  public static final String ID = IngestSteps.ID;
  public static final String LABEL = IngestSteps.LABEL;
  public static final String LABEL_INDEX = IngestSteps.LABEL_INDEX;
  public static final String TEXT = "text";
  public static final String TOKENS = "tokens";
  public static final String TOKEN_IDS = "token_ids";
  public static final String LENGTH = "length";
  public static final String TEXT_HASH = "text_hash";
  public static final List<String> OUTPUT_COLUMNS =
      List.of(ID, LABEL, LABEL_INDEX, TEXT, TOKEN_IDS, LENGTH);

  private TextIngest() {}

  /**
   * Cleans and checks raw records ({@link TextReaders} shape): adds {@code text}, {@code id},
   * {@code label}, and rejects what {@code checks} refuses (missing, empty after cleaning, too short,
   * too long) where the reader has not already rejected the record.
   */
  public static Dataset<Row> clean(Dataset<Row> raw, TextCleaner.Checks checks) {
    StructType outcome = new StructType().add(TEXT, DataTypes.StringType).add(Outcomes.REASON, DataTypes.StringType);
    UserDefinedFunction check =
        udf((String s) -> {
          TextCleaner.Outcome o = checks.apply(s);
          return RowFactory.create(o.text(), o.reason());
        }, outcome);
    String checked = "checked_text";
    Dataset<Row> rows = raw.withColumn(checked, check.apply(col(TextReaders.TEXT_RAW)))
        .withColumn(Outcomes.REASON, coalesce(col(Outcomes.REASON), col(checked + "." + Outcomes.REASON)))
        .withColumn(TEXT, col(checked + "." + TEXT))
        .drop(checked);
    Column hash = sha2(col(TEXT), 256);
    // the raw record is kept only where it explains a rejection, and the raw columns are dropped:
    // a cached corpus then holds its text once, not three times
    return rows.withColumn(TEXT_HASH, hash)
        .withColumn(ID, coalesce(nullif(trim(col(TextReaders.ID_RAW)), lit("")), substring(hash, 1, 20)))
        .withColumn(LABEL, nullif(trim(col(TextReaders.LABEL_RAW)), lit("")))
        .withColumn(Outcomes.RECORD, org.apache.spark.sql.functions.when(Outcomes.isRejected(), col(Outcomes.RECORD)))
        .drop(TextReaders.TEXT_RAW, TextReaders.ID_RAW, TextReaders.LABEL_RAW);
  }

  public static Dataset<Row> tokenize(Dataset<Row> rows, Tokenizer tokenizer) {
    UserDefinedFunction tok =
        udf(
            (String s) -> JavaConverters.asScalaBuffer(tokenizer.tokenize(s)).toSeq(),
            DataTypes.createArrayType(DataTypes.StringType));
    return rows.withColumn(TOKENS, tok.apply(col(TEXT)));
  }

  /**
   * Adds {@code token_ids} (exactly maxLength ids) and {@code length} (the tokens kept, at most
   * maxLength) to rows with {@code text}, tokenizing and encoding in one step: no array of token
   * strings is built as a column and converted back.
   */
  public static Dataset<Row> encode(
      Dataset<Row> rows, Tokenizer tokenizer, Vocabulary vocab, int maxLength, Vocabulary.Truncation truncation) {
    StructType encoded = new StructType()
        .add(TOKEN_IDS, DataTypes.createArrayType(DataTypes.IntegerType, false), false)
        .add(LENGTH, DataTypes.IntegerType, false);
    UserDefinedFunction enc =
        udf(
            (String text) -> encodeOne(text, tokenizer, vocab, maxLength, truncation),
            encoded);
    // Spark does not inline a UDF into two consumers (CollapseProject), so it runs once per row
    String both = "encoded_text";
    return rows.withColumn(both, enc.apply(col(TEXT)))
        .withColumn(TOKEN_IDS, col(both + "." + TOKEN_IDS))
        .withColumn(LENGTH, col(both + "." + LENGTH))
        .drop(both);
  }

  /** One cleaned text as {@code (token_ids, length)}: ingest's and the preprocessor model's encoding. */
  public static Row encodeOne(
      String text, Tokenizer tokenizer, Vocabulary vocab, int maxLength, Vocabulary.Truncation truncation) {
    int[] length = new int[1];
    int[] ids = vocab.encode(text, tokenizer, maxLength, truncation, length);
    return RowFactory.create(ids, length[0]);
  }

  /**
   * Runs the whole job; returns the card of the published dataset. Two passes over the data and a
   * fit between them ({@link IngestPasses}): read, clean, hash, split and de-duplicate into a disk
   * cache, counting everything on the way; the vocabulary from the cached train rows; one write of
   * every split (then its Arrow copy) and of the rejected records.
   */
  public static DatasetCard run(SparkSession spark, TextIngestOptions o) {
    long started = System.currentTimeMillis();
    IngestPasses.First first = null;
    Dataset<Row> nearMarked = null;
    try (DatasetWriter writer = DatasetWriter.open(spark, o.output(), o.overwrite())) {
      spark.sparkContext().setJobGroup("ingest-text", "ingest-text " + o.input(), false);
      Dataset<Row> raw = TextReaders.read(spark, o);
      spark.sparkContext().setJobDescription("read, clean, hash, split and de-duplicate");
      // on disk: keeping the cleaned texts in memory measured no faster (BENCHMARKS.md) and would take
      // heap from the write's Parquet buffers, which the 10x-heap corpus needs
      first = IngestPasses.first(clean(raw, o.checks()), TEXT_HASH, o.dedup(), o.split(), o.seed(), StorageLevel.DISK_ONLY());
      Dataset<Row> kept = first.kept();
      long near = 0;
      IngestPasses.Kept summary;
      if (o.nearDupThreshold() > 0) {
        spark.sparkContext().setJobDescription("near-duplicates (MinHash LSH)");
        nearMarked = NearDuplicates.mark(tokenize(kept, o.tokenizer()), ID, TOKENS, o.nearDupThreshold(), o.seed())
            .persist(StorageLevel.DISK_ONLY());
        near = nearMarked.filter(col(NearDuplicates.NEAR_DUPLICATE)).count();
        kept = nearMarked.filter(col(NearDuplicates.NEAR_DUPLICATE).equalTo(false))
            .drop(NearDuplicates.NEAR_DUPLICATE, TOKENS);
        spark.sparkContext().setJobDescription("labels, split counts and fingerprint of the kept records");
        summary = IngestPasses.summarize(kept, TEXT_HASH);
      } else {
        summary = first.summary(); // aggregated by the first pass
      }
      long input = first.input();
      long duplicates = first.duplicates() + near;
      LOG.info("read {} records from {}; {} exact and {} near duplicates", input, o.input(), first.duplicates(), near);

      List<String> labels = summary.labels();
      spark.sparkContext().setJobDescription("fit the preprocessor (vocabulary) on the train split");
      TextPreprocessorModel preprocessor =
          o.preprocessor().fitCleaned(kept.filter(col(SplitAssigner.SPLIT).equalTo(SplitAssigner.TRAIN)), labels);
      Vocabulary vocab = preprocessor.vocabulary();
      LOG.info("{} labels {}; vocabulary of {} tokens", labels.size(), labels, vocab.size());

      Dataset<Row> encoded =
          encode(kept, o.tokenizer(), vocab, o.maxLength(), o.truncate())
              .withColumn(LABEL_INDEX, IngestSteps.labelIndex(labels));
      IngestSteps.Written written =
          IngestSteps.write(writer, encoded, OUTPUT_COLUMNS, o.arrow(), DatasetWriter.DEFAULT_ROW_GROUP_BYTES, first,
              summary, duplicates, "--input " + o.input());
      Map<String, Long> counts = written.counts();
      Map<String, Long> rejectedByReason = written.rejectedByReason();
      writer.writeFile(Vocabulary.FILE_NAME, vocab.toText());
      writer.writePreprocessor(preprocessor);

      var spec = o.spec(vocab);
      String fingerprint = Fingerprint.of(summary.records(), labels, Cards.toJson(spec) + vocab.sha256());
      DatasetCard card =
          new DatasetCard(
              DatasetCard.SCHEMA_VERSION,
              DatasetCard.KIND_TEXT,
              labels,
              counts,
              input,
              rejectedByReason,
              duplicates,
              writer.schemaOf(SplitAssigner.TRAIN),
              fingerprint,
              Instant.now().toString(),
              o.input(),
              new DatasetCard.SplitSpec(o.split().train(), o.split().validation(), o.split().test(), o.seed()),
              spec,
              null);
      writer.publish(card);
      LOG.info(
          "ingest-text wrote {} in {} s: {} (input {}, duplicates {}, rejected {})",
          o.output(), (System.currentTimeMillis() - started) / 1000, counts, input, duplicates, rejectedByReason);
      return card;
    } finally {
      // the disk caches go whether or not the ingest got through (a notebook's session lives on)
      if (first != null) {
        first.unpersist();
      }
      if (nearMarked != null) {
        nearMarked.unpersist();
      }
      spark.sparkContext().clearJobGroup();
    }
  }
}
