package io.deeppipe.models.infer;

import static org.apache.spark.sql.functions.col;

import io.deeppipe.models.Batches;
import io.deeppipe.models.ClassifierInput;
import io.deeppipe.models.DeepClassificationModel;
import io.deeppipe.models.InputSpec;
import io.deeppipe.models.ModelType;
import io.deeppipe.models.onnx.OnnxImport;
import io.deeppipe.models.train.ModelDir;
import io.deeppipe.transforms.card.BadInputException;
import io.deeppipe.transforms.card.Cards;
import io.deeppipe.transforms.card.ModelCard;
import io.deeppipe.transforms.card.OnnxSpec;
import io.deeppipe.transforms.io.Storage;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.functions;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Applies a trained model to any {@code Dataset<Row>} that has the model's input columns
 * ({@code token_ids}, {@code length} for text; {@code image} for images — what the ingest jobs and
 * {@link RawInputs} produce):
 *
 * <pre>{@code
 * Dataset<Row> scored = Predictor.load(spark, "models/digits").transform(df);
 * }</pre>
 *
 * adds {@code prediction} (label), {@code prediction_index}, {@code probability} (of the top class),
 * {@code top_k} (array of {@code label}, {@code probability}, highest first) and, when asked,
 * {@code probabilities} (every class, in label order). It is the binding of a model directory to
 * {@link DeepClassificationModel}, which does the scoring (the network travels as one broadcast, is
 * deserialised once per executor JVM, and scores minibatches of {@code batchSize} rows per
 * partition): this class checks the directory, builds the stage from {@code model.json} and
 * {@code model.zip} (or an imported {@code model.onnx}, scored by ONNX Runtime) and maps the stage's
 * MLlib-style columns (a double class index, a probability Vector) to the labels {@code predict}
 * writes.
 */
public final class Predictor implements Serializable {
  public static final String PREDICTION = "prediction";
  public static final String PREDICTION_INDEX = "prediction_index";
  public static final String PROBABILITY = "probability";
  public static final String TOP_K = "top_k";
  public static final String PROBABILITIES = "probabilities";
  public static final StructType TOP_K_ENTRY =
      new StructType().add("label", DataTypes.StringType).add("probability", DataTypes.DoubleType);
  /** The stage's own output columns, renamed away from {@code predict}'s before the mapping. */
  private static final String INDEX_COL = "__predictor_index";
  private static final String VECTOR_COL = "__predictor_probability";
  private static final String RAW_COL = "__predictor_raw";

  private final ModelCard card;
  private final DeepClassificationModel model;
  private final boolean withProbabilities;

  private Predictor(ModelCard card, DeepClassificationModel model, boolean all) {
    this.card = card;
    this.model = model;
    this.withProbabilities = all;
  }

  /** Reads the model card and model.zip of {@code modelDir}; refuses an unfinished or corrupt model. */
  public static Predictor load(SparkSession spark, String modelDir) {
    var conf = spark.sparkContext().hadoopConfiguration();
    ModelCard card = Cards.readModel(new Path(modelDir), conf);
    String uid = "predictor_" + UUID.randomUUID().toString().substring(0, 12);
    if (OnnxSpec.KIND.equals(card.model())) {
      byte[] file = OnnxImport.readChecked(new Path(modelDir), card, conf);
      return new Predictor(card,
          defaults(new DeepClassificationModel(uid, null, InputSpec.of(card), card.labels(), file, card.onnx()), card),
          false);
    }
    Path zip = new Path(modelDir, ModelDir.MODEL);
    if (!Storage.exists(zip, conf)) {
      throw new BadInputException("model " + modelDir + " has no " + ModelDir.MODEL);
    }
    byte[] bytes = Storage.readBytes(zip, conf);
    ModelType type;
    try {
      type = ModelType.parse(card.model());
    } catch (IllegalArgumentException e) {
      throw new BadInputException(new Path(modelDir, ModelCard.FILE_NAME) + " names a model type '" + card.model()
          + "' this build does not know (mlp, cnn, lstm, transformer)");
    }
    ModelDir.checkArchive(bytes, zip.toString());
    MultiLayerNetwork net;
    try {
      net = ModelPool.load(bytes); // a corrupt zip fails here, on the driver, before any task starts
    } catch (RuntimeException e) {
      // DL4J's messages are often just an exception's class name: say what it means instead
      String detail = e.getMessage() == null || e.getMessage().contains("Exception") ? "" : ": " + e.getMessage();
      throw new BadInputException(zip + " is not a readable DL4J model: its network configuration or parameters"
          + " cannot be decoded" + detail, e);
    }
    long outputs = net.layerSize(net.getnLayers() - 1);
    if (outputs != card.labels().size()) {
      throw new BadInputException(zip + " has " + outputs + " outputs but its model.json lists " + card.labels().size()
          + " labels: the two files are not from the same model");
    }
    return new Predictor(card,
        defaults(new DeepClassificationModel(uid, type, InputSpec.of(card), card.labels(), bytes), card), false);
  }

  private static DeepClassificationModel defaults(DeepClassificationModel model, ModelCard card) {
    return model.setBatchSize(256).setTopK(Math.min(5, card.labels().size()));
  }

  public Predictor withBatchSize(int size) {
    if (size < 1) {
      throw new IllegalArgumentException("--batch-size must be >= 1, got " + size);
    }
    return new Predictor(card, model.copy(ParamMap.empty()).setBatchSize(size), withProbabilities);
  }

  public Predictor withTopK(int k) {
    if (k < 1) {
      throw new IllegalArgumentException("--top-k must be >= 1, got " + k);
    }
    return new Predictor(card, model.copy(ParamMap.empty()).setTopK(Math.min(k, card.labels().size())),
        withProbabilities);
  }

  public Predictor withProbabilities(boolean all) {
    return new Predictor(card, model, all);
  }

  public ModelCard card() {
    return card;
  }

  /** The Spark ML stage that scores: what {@code MODEL_DIR/pipeline/} ends with. */
  public DeepClassificationModel model() {
    return model;
  }

  public Dataset<Row> transform(Dataset<Row> df) {
    List<String> present = Arrays.asList(df.columns());
    ClassifierInput input = ClassifierInput.of(model.inputSpec(), card.labels());
    for (String c : input.isText() ? List.of(input.features(), input.length()) : List.of(input.features())) {
      if (!present.contains(c)) {
        throw new BadInputException("input has no column '" + c + "' that the " + card.model()
            + " model needs (columns: " + present + ")");
      }
    }
    Dataset<Row> scored = model.copy(ParamMap.empty()).setPredictionCol(INDEX_COL).setProbabilityCol(VECTOR_COL)
        .setRawPredictionCol(RAW_COL).transform(df);
    Column index = col(INDEX_COL).cast(DataTypes.IntegerType);
    Column probabilities = functions.vector_to_array(col(VECTOR_COL), "float64");
    List<Column> out = new ArrayList<>();
    for (String c : present) {
      out.add(scored.col(c));
    }
    out.add(org.apache.spark.sql.functions.array(card.labels().stream().map(org.apache.spark.sql.functions::lit).toArray(Column[]::new))
        .apply(index).as(PREDICTION));
    out.add(index.as(PREDICTION_INDEX));
    out.add(probabilities.apply(index).as(PROBABILITY));
    out.add(col(TOP_K));
    if (withProbabilities) {
      out.add(probabilities.as(PROBABILITIES));
    }
    return scored.select(out.toArray(new Column[0]));
  }

  /**
   * Every class's probability for a minibatch of {@code features} rows (the adapter's columns
   * first), flat and row after row, from the network {@code modelZip} deserialised once per JVM
   * under {@code key} and borrowed by one task at a time.
   */
  public static double[] probabilities(String key, byte[] modelZip, Batches batches, List<Row> features) {
    MultiLayerNetwork net = ModelPool.borrow(key, modelZip);
    try {
      INDArray probs = net.output(batches.features(features), false, batches.mask(features), null);
      // one bulk copy per minibatch: toDoubleMatrix() and getRow() build an NDArray (and its native
      // shape buffers) per row, which profiling showed costs more than the forward pass itself
      return probs.dup('c').data().asDouble();
    } finally {
      ModelPool.release(key, net);
    }
  }

  /**
   * The indices of the {@code k} largest of {@code p}, highest first; of equal values the lower
   * index comes first, NaN last. A selection, not a sort: k is --top-k, 5 by default.
   */
  public static int[] topIndices(double[] p, int k) {
    int[] out = new int[k];
    boolean[] taken = new boolean[p.length];
    for (int n = 0; n < k; n++) {
      int best = -1;
      for (int c = 0; c < p.length; c++) {
        // the order of sorting by -p: NaN (a diverged network) last, as Double.compare puts it
        if (!taken[c] && (best < 0 || Double.compare(-p[c], -p[best]) < 0)) {
          best = c;
        }
      }
      taken[best] = true;
      out[n] = best;
    }
    return out;
  }

  /** Deserialisations of models in this JVM so far. */
  public static int loadsInThisJvm() {
    return ModelPool.LOADS.get();
  }
}
