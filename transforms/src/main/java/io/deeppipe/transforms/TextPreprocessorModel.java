package io.deeppipe.transforms;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.when;

import io.deeppipe.transforms.ml.Schemas;
import io.deeppipe.transforms.ml.StageData;
import io.deeppipe.transforms.text.TextCleaner;
import io.deeppipe.transforms.text.TextIngest;
import io.deeppipe.transforms.text.Tokenizer;
import io.deeppipe.transforms.text.Vocabulary;
import java.util.List;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.attribute.NominalAttribute;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructType;

/**
 * A fitted {@link TextPreprocessor}: raw text in {@code inputCol} → {@code token_ids} (exactly
 * {@code maxLength} ids), {@code length}, {@code label_index} and {@code rejected_reason}, appended
 * to the input's columns. A refused row keeps its place with a reason and null outputs: nothing is
 * dropped and nothing is thrown. The columns carry what a network needs as Spark ML metadata:
 * {@code label_index} is a nominal attribute with the labels, {@code token_ids} records the
 * vocabulary size and length.
 */
public final class TextPreprocessorModel extends Model<TextPreprocessorModel>
    implements TextPreprocessorParams, MLWritable {
  public static final String REJECTED_REASON = "rejected_reason";
  public static final String INVALID_UTF8 = "invalid_utf8";
  /** Metadata keys of {@code token_ids}. */
  public static final String META_VOCAB_SIZE = "vocab_size";
  public static final String META_MAX_LENGTH = "max_length";
  public static final String META_VOCAB_SHA256 = "vocab_sha256";
  static final String CHECKED_TEXT = "checked_text__";
  private static final StructType DATA =
      new StructType()
          .add("vocabulary", DataTypes.createArrayType(DataTypes.StringType, false), false)
          .add("labels", DataTypes.createArrayType(DataTypes.StringType, false), false);

  private final String uid;
  private final Declared declared;
  private final Vocabulary vocabulary;
  private final List<String> labels;

  public TextPreprocessorModel(String uid, Vocabulary vocabulary, List<String> labels) {
    this.uid = uid;
    this.declared = new Declared(this);
    this.vocabulary = vocabulary;
    this.labels = List.copyOf(labels);
  }

  @Override
  public String uid() {
    return uid;
  }

  @Override
  public Declared declared() {
    return declared;
  }

  public Vocabulary vocabulary() {
    return vocabulary;
  }

  /** The sorted labels; a label's position is its {@code label_index}. */
  public List<String> labels() {
    return labels;
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType schema = transformSchema(dataset.schema(), true);
    TextCleaner.Checks checks = getChecks();
    Tokenizer tokenizer = getTokenizer();
    Vocabulary vocab = vocabulary;
    int maxLength = getMaxLength();
    Vocabulary.Truncation truncation = getTruncate();
    StructType encoded = new StructType()
        .add(TextIngest.TOKEN_IDS, DataTypes.createArrayType(DataTypes.IntegerType, false))
        .add(TextIngest.LENGTH, DataTypes.IntegerType)
        .add(REJECTED_REASON, DataTypes.StringType);
    UserDefinedFunction prepare =
        udf((String raw) -> {
          TextCleaner.Outcome o = outcome(checks, raw);
          if (o.reason() != null) {
            return RowFactory.create(null, null, o.reason());
          }
          Row e = TextIngest.encodeOne(o.text(), tokenizer, vocab, maxLength, truncation);
          return RowFactory.create(e.get(0), e.get(1), null);
        }, encoded);
    String tmp = "preprocessed__" + uid;
    Column label = IngestSteps.labelOf(dataset.schema(), getLabelCol());
    return dataset.toDF()
        .withColumn(tmp, prepare.apply(col(getInputCol())))
        .withColumn(TextIngest.TOKEN_IDS, col(tmp + "." + TextIngest.TOKEN_IDS), metadataOf(schema, TextIngest.TOKEN_IDS))
        .withColumn(TextIngest.LENGTH, col(tmp + "." + TextIngest.LENGTH))
        .withColumn(IngestSteps.LABEL_INDEX,
            when(col(tmp + "." + REJECTED_REASON).isNull(), IngestSteps.labelIndex(labels, label)),
            metadataOf(schema, IngestSteps.LABEL_INDEX))
        .withColumn(REJECTED_REASON, col(tmp + "." + REJECTED_REASON))
        .drop(tmp);
  }

  /**
   * One raw text's outcome: refused as invalid UTF-8 (bytes that were not UTF-8 decode to U+FFFD,
   * as ingest's readers treat them), else what the cleaning checks decide.
   */
  static TextCleaner.Outcome outcome(TextCleaner.Checks checks, String raw) {
    return raw != null && raw.indexOf('\uFFFD') >= 0 ? new TextCleaner.Outcome(null, INVALID_UTF8) : checks.apply(raw);
  }

  /**
   * The cleaned text of {@code raw} where it passes this stage's checks, else null: what ingest
   * hashes the id of a record without one from (the first 20 hex digits of its SHA-256), so that
   * {@code predict} names such a record as ingest did.
   */
  public Column cleanedText(Column raw) {
    TextCleaner.Checks checks = getChecks();
    return udf((String s) -> outcome(checks, s).text(), DataTypes.StringType).apply(raw);
  }

  /** The input with {@link #CHECKED_TEXT}: the cleaned text of rows that pass the checks, else null. */
  static Dataset<Row> checked(Dataset<Row> raw, TextPreprocessorParams p) {
    TextCleaner.Checks checks = p.getChecks();
    UserDefinedFunction clean = udf((String s) -> outcome(checks, s).text(), DataTypes.StringType);
    return raw.withColumn(CHECKED_TEXT, clean.apply(col(p.getInputCol())));
  }

  @Override
  public StructType transformSchema(StructType schema) {
    StructType out = outputSchema(schema, this);
    Metadata tokens = new MetadataBuilder()
        .putLong(META_VOCAB_SIZE, vocabulary.size())
        .putLong(META_MAX_LENGTH, getMaxLength())
        .putString(META_VOCAB_SHA256, vocabulary.sha256())
        .build();
    return Schemas.withMetadata(Schemas.withMetadata(out, TextIngest.TOKEN_IDS, tokens), IngestSteps.LABEL_INDEX, labelMetadata(labels));
  }

  /**
   * The input schema plus the output columns; refuses, naming the Param, an input column that is
   * missing or not a string and an output column that already exists.
   */
  static StructType outputSchema(StructType schema, TextPreprocessorParams p) {
    p.getChecks();
    Schemas.requireColumn(schema, p.getInputCol(), "inputCol", DataTypes.StringType, true);
    Schemas.requireColumn(schema, p.getLabelCol(), "labelCol", DataTypes.StringType, false);
    Schemas.requireAbsent(schema, List.of(TextIngest.TOKEN_IDS, TextIngest.LENGTH, IngestSteps.LABEL_INDEX, REJECTED_REASON));
    return schema
        .add(TextIngest.TOKEN_IDS, DataTypes.createArrayType(DataTypes.IntegerType, false), true)
        .add(TextIngest.LENGTH, DataTypes.IntegerType, true)
        .add(IngestSteps.LABEL_INDEX, DataTypes.IntegerType, true)
        .add(REJECTED_REASON, DataTypes.StringType, true);
  }

  /** The nominal attribute of {@code label_index}: the labels in index order. */
  public static Metadata labelMetadata(List<String> labels) {
    return NominalAttribute.defaultAttr().withName(IngestSteps.LABEL_INDEX)
        .withValues(labels.toArray(new String[0])).toMetadata();
  }

  private static Metadata metadataOf(StructType schema, String column) {
    return schema.apply(column).metadata();
  }

  @Override
  public TextPreprocessorModel copy(ParamMap extra) {
    TextPreprocessorModel copy = new TextPreprocessorModel(uid, vocabulary, labels);
    copyValues(copy, extra);
    return (TextPreprocessorModel) copy.setParent(parent());
  }

  @Override
  public MLWriter write() {
    return StageData.writer(this, RowFactory.create(vocabulary.tokens().toArray(new String[0]), labels.toArray(new String[0])), DATA);
  }

  public static MLReader<TextPreprocessorModel> read() {
    return StageData.reader(TextPreprocessorModel.class,
        (uid, row) -> new TextPreprocessorModel(uid, Vocabulary.of(row.getList(0)), row.getList(1)));
  }

  public static TextPreprocessorModel load(String path) {
    return read().load(path);
  }
}
