package io.deeppipe.models;

import static org.apache.spark.sql.functions.col;

import io.deeppipe.models.train.Checkpoints;
import io.deeppipe.models.train.ModelDir;
import io.deeppipe.models.train.SparkTrainer;
import io.deeppipe.models.train.TrainingState;
import io.deeppipe.transforms.TextPreprocessorModel;
import io.deeppipe.transforms.ml.Schemas;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

/**
 * A DL4J network trained data-parallel on the Spark executors (parameter averaging), as a Spark ML
 * {@code Estimator}:
 *
 * <pre>{@code
 * PipelineModel m = new Pipeline().setStages(new PipelineStage[] {
 *     new ImagePreprocessor().setSize(28, 28).setChannels(1),
 *     new DeepClassifier().setNetwork("cnn").setEpochs(3)}).fit(binaryFiles);
 * }</pre>
 *
 * It reads what the preprocessor models write: {@code token_ids} + {@code length} or {@code image},
 * whose column metadata carries the vocabulary size and length or the image size and per-channel
 * mean/std, and {@code label_index}, whose nominal attribute carries the labels. Rows with a
 * {@code rejected_reason} or without a label are not trained on. With {@code validationFraction}
 * &gt; 0, that share of the rows is held out, evaluated after each epoch, and the best epoch is the
 * model (early stopping after {@code patience} epochs without improvement).
 */
public final class DeepClassifier extends Estimator<DeepClassificationModel>
    implements DeepClassifierParams, DefaultParamsWritable {
  private final String uid;
  private final Declared declared;

  public DeepClassifier() {
    this(Identifiable$.MODULE$.randomUID("deepClassifier"));
  }

  public DeepClassifier(String uid) {
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

  public DeepClassifier setNetwork(String value) { return (DeepClassifier) set(network(), value); }

  public DeepClassifier setEpochs(int value) { return (DeepClassifier) set(epochs(), value); }

  public DeepClassifier setBatchSize(int value) { return (DeepClassifier) set(batchSize(), value); }

  public DeepClassifier setLearningRate(double value) { return (DeepClassifier) set(learningRate(), value); }

  public DeepClassifier setSeed(long value) { return (DeepClassifier) set(seed(), value); }

  public DeepClassifier setHidden(int value) { return (DeepClassifier) set(hidden(), value); }

  public DeepClassifier setWorkers(int value) { return (DeepClassifier) set(workers(), value); }

  public DeepClassifier setHandleInvalid(String value) { return (DeepClassifier) set(handleInvalid(), value); }

  public DeepClassifier setValidationFraction(double value) {
    return (DeepClassifier) set(validationFraction(), value);
  }

  /** The estimator with the hyper-parameters of a {@code train} run (the other Params at their defaults). */
  public static DeepClassifier of(TrainOptions o) {
    DeepClassifier c = new DeepClassifier();
    c.set(c.network(), o.model().optionName()).set(c.epochs(), o.epochs()).set(c.batchSize(), o.batchSize())
        .set(c.learningRate(), o.learningRate()).set(c.seed(), o.seed())
        .set(c.updater(), io.deeppipe.transforms.Choices.name(o.updater())).set(c.dropout(), o.dropout())
        .set(c.l2(), o.l2()).set(c.hidden(), o.hidden()).set(c.embedding(), o.embedding()).set(c.heads(), o.heads())
        .set(c.layers(), o.layers()).set(c.workers(), o.workers()).set(c.averagingFrequency(), o.averagingFrequency())
        .set(c.prefetch(), o.prefetch()).set(c.patience(), o.patience()).set(c.scaleLearningRate(), o.scaleLearningRate());
    return c;
  }

  @Override
  public DeepClassificationModel fit(Dataset<?> dataset) {
    transformSchema(dataset.schema(), true);
    ClassifierInput input = ClassifierInput.of(dataset.schema(), this, true);
    if (input.labels().size() < 2) {
      throw new IllegalArgumentException("labelCol '" + getLabelCol() + "' has " + input.labels().size()
          + " labels: training a classifier needs at least 2 (labels: " + input.labels() + ")");
    }
    TrainOptions o = trainOptions("DataFrame", getCheckpointDir().isEmpty() ? "memory" : getCheckpointDir(), true, false);
    Dataset<Row> rows = dataset.toDF();
    if (Schemas.hasColumn(dataset.schema(), TextPreprocessorModel.REJECTED_REASON)) {
      rows = rows.where(col(TextPreprocessorModel.REJECTED_REASON).isNull());
    }
    rows = rows.where(col(getLabelCol()).isNotNull().and(col(input.features()).isNotNull()))
        .select(input.batchColumns(getLabelCol()).toArray(new Column[0]));
    Dataset<Row> train = rows;
    Dataset<Row> validation = null;
    if (getValidationFraction() > 0) {
      Dataset<Row>[] parts = rows.randomSplit(new double[] {1 - getValidationFraction(), getValidationFraction()}, getSeed());
      train = parts[0];
      validation = parts[1];
    }
    SparkSession spark = dataset.sparkSession();
    Batches batches = new Batches(input.spec(), getNetwork());
    Checkpoints checkpoints = getCheckpointDir().isEmpty()
        ? Checkpoints.inMemory()
        : Checkpoints.in(new ModelDir(getCheckpointDir(), spark.sparkContext().hadoopConfiguration()));
    MultiLayerNetwork net = SparkTrainer.newNetwork(o, input.spec(), SparkTrainer.workers(spark, o));
    SparkTrainer.Fitted fitted = SparkTrainer.fit(spark, train, validation, batches, net,
        TrainingState.fresh(getNetwork().optionName(), "DataFrame"), o, checkpoints);
    return model(input, fitted.best());
  }

  /** The model of {@code net} trained by this estimator on {@code input}: what {@code train} also builds. */
  public DeepClassificationModel model(ClassifierInput input, MultiLayerNetwork net) {
    DeepClassificationModel model =
        new DeepClassificationModel(uid, getNetwork(), input.spec(), input.labels(), serialise(net));
    copyValues(model, extractParamMap());
    return (DeepClassificationModel) model.setParent(this);
  }

  static byte[] serialise(MultiLayerNetwork net) {
    try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
      ModelSerializer.writeModel(net, out, false);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Refuses what cannot train: a missing or mistyped column, a network that does not fit the
   * input (the one place this is checked: {@code train} refuses a CNN on text with this message),
   * heads that do not divide the embedding. Fit then also needs the labels and the input's facts
   * in the columns' metadata.
   */
  @Override
  public StructType transformSchema(StructType schema) {
    ClassifierInput input = ClassifierInput.of(schema, this, false);
    Schemas.requireColumn(schema, getLabelCol(), "labelCol", org.apache.spark.sql.types.DataTypes.IntegerType, true);
    requireFits(getNetwork(), input.spec().kind());
    int heads = (Integer) getOrDefault(heads());
    int embedding = (Integer) getOrDefault(embedding());
    if (embedding % heads != 0) {
      throw new IllegalArgumentException("heads must divide embedding, got heads " + heads + " and embedding " + embedding);
    }
    return DeepClassificationModel.outputSchema(schema, this, List.of());
  }

  /** Refuses a network that does not read this kind of data, naming the Param, the network and the kind. */
  public static void requireFits(ModelType network, String kind) {
    if (!network.fits(kind)) {
      throw new IllegalArgumentException("network " + network.optionName() + " does not fit " + kind
          + " data (text: mlp, lstm, transformer; image: mlp, cnn)");
    }
  }

  @Override
  public DeepClassifier copy(ParamMap extra) {
    return (DeepClassifier) defaultCopy(extra);
  }

  public static MLReader<DeepClassifier> read() {
    return new DefaultParamsReader<>();
  }

  public static DeepClassifier load(String path) {
    return read().load(path);
  }
}
