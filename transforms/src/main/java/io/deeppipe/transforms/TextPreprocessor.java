package io.deeppipe.transforms;

import static org.apache.spark.sql.functions.col;

import io.deeppipe.transforms.text.TextIngest;
import io.deeppipe.transforms.text.Vocabulary;
import java.util.List;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * Learns what raw text decides for a model: the vocabulary (the {@code vocabSize} most frequent
 * tokens seen at least {@code minCount} times) and the sorted label set, from the rows it is fitted
 * on that pass the per-record checks. {@code ingest-text} fits it on the train split (labels from
 * all kept rows); in a {@code Pipeline} it is fitted on whatever DataFrame of raw text it is given
 * (a string {@code text} column, optional {@code label}): what {@code spark.read.json} gives.
 */
public final class TextPreprocessor extends Estimator<TextPreprocessorModel>
    implements TextPreprocessorParams, DefaultParamsWritable {
  private final String uid;
  private final Declared declared;

  public TextPreprocessor() {
    this(Identifiable$.MODULE$.randomUID("textPreprocessor"));
  }

  public TextPreprocessor(String uid) {
    this.uid = uid;
    this.declared = new Declared(this);
  }

  @Override
  public String uid() {
    return uid;
  }

  @Override
  public Declared declared() {
    return declared;
  }

  public TextPreprocessor setInputCol(String value) { return (TextPreprocessor) set(inputCol(), value); }

  public TextPreprocessor setLabelCol(String value) { return (TextPreprocessor) set(labelCol(), value); }

  public TextPreprocessor setMaxLength(int value) { return (TextPreprocessor) set(maxLength(), value); }

  public TextPreprocessor setVocabSize(int value) { return (TextPreprocessor) set(vocabSize(), value); }

  public TextPreprocessor setMinCount(int value) { return (TextPreprocessor) set(minCount(), value); }

  public TextPreprocessor setTokenizer(String value) { return (TextPreprocessor) set(tokenizer(), value); }

  public TextPreprocessor setLowercase(boolean value) { return (TextPreprocessor) set(lowercase(), value); }

  @Override
  public TextPreprocessorModel fit(Dataset<?> dataset) {
    transformSchema(dataset.schema(), true);
    Dataset<Row> good = TextPreprocessorModel.checked(dataset.toDF(), this)
        .filter(col(TextPreprocessorModel.CHECKED_TEXT).isNotNull());
    List<String> labels = IngestSteps.labels(good, getLabelCol());
    return fitCleaned(good.select(col(TextPreprocessorModel.CHECKED_TEXT).as(TextIngest.TEXT)), labels);
  }

  /**
   * The model of already cleaned and checked texts in {@code text} (ingest's kept train rows), with
   * the label set decided by the caller (ingest takes it from all kept rows, not the train split).
   */
  public TextPreprocessorModel fitCleaned(Dataset<Row> cleaned, List<String> labels) {
    Vocabulary vocab = Vocabulary.build(cleaned, TextIngest.TEXT, getTokenizer(), getVocabSize(), getMinCount());
    TextPreprocessorModel model = new TextPreprocessorModel(uid, vocab, labels);
    copyValues(model, extractParamMap());
    return (TextPreprocessorModel) model.setParent(this);
  }

  @Override
  public StructType transformSchema(StructType schema) {
    return TextPreprocessorModel.outputSchema(schema, this);
  }

  @Override
  public TextPreprocessor copy(ParamMap extra) {
    return (TextPreprocessor) defaultCopy(extra);
  }

  public static MLReader<TextPreprocessor> read() {
    return new DefaultParamsReader<>();
  }

  public static TextPreprocessor load(String path) {
    return read().load(path);
  }
}
