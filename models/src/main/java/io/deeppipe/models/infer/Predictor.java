package io.deeppipe.models.infer;

import io.deeppipe.models.Batches;
import io.deeppipe.models.InputSpec;
import io.deeppipe.models.ModelType;
import io.deeppipe.models.onnx.OnnxImport;
import io.deeppipe.models.onnx.OnnxScorer;
import io.deeppipe.models.train.ModelDir;
import io.deeppipe.transforms.card.BadInputException;
import io.deeppipe.transforms.card.Cards;
import io.deeppipe.transforms.card.ModelCard;
import io.deeppipe.transforms.card.OnnxSpec;
import io.deeppipe.transforms.io.Storage;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
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
 * {@code probabilities} (every class, in label order). The model travels as one broadcast, is
 * deserialised once per executor JVM, and scores minibatches of {@code batchSize} rows per partition.
 * An imported ONNX model ({@code model.json} kind {@code onnx}) is scored the same way by ONNX
 * Runtime ({@link OnnxScorer}).
 */
public final class Predictor implements Serializable {
  public static final String PREDICTION = "prediction";
  public static final String PREDICTION_INDEX = "prediction_index";
  public static final String PROBABILITY = "probability";
  public static final String TOP_K = "top_k";
  public static final String PROBABILITIES = "probabilities";
  public static final StructType TOP_K_ENTRY =
      new StructType().add("label", DataTypes.StringType).add("probability", DataTypes.DoubleType);

  private final ModelCard card;
  private final Broadcast<byte[]> model;
  private final String key;
  private final int batchSize;
  private final int topK;
  private final boolean withProbabilities;
  /** Set for an imported ONNX model, which ONNX Runtime scores instead of DL4J. */
  private final OnnxScorer onnx;

  private Predictor(ModelCard card, Broadcast<byte[]> model, String key, int batchSize, int topK, boolean all) {
    this.card = card;
    this.model = model;
    this.onnx = OnnxSpec.KIND.equals(card.model()) ? new OnnxScorer(card, model::value) : null;
    this.key = key;
    this.batchSize = batchSize;
    this.topK = topK;
    this.withProbabilities = all;
  }

  /** Reads the model card and model.zip of {@code modelDir}; refuses an unfinished or corrupt model. */
  public static Predictor load(SparkSession spark, String modelDir) {
    var conf = spark.sparkContext().hadoopConfiguration();
    ModelCard card = Cards.readModel(new Path(modelDir), conf);
    if (OnnxSpec.KIND.equals(card.model())) {
      byte[] file = OnnxImport.readChecked(new Path(modelDir), card, conf);
      Broadcast<byte[]> broadcast = new JavaSparkContext(spark.sparkContext()).broadcast(file);
      return new Predictor(card, broadcast, UUID.randomUUID().toString(), 256, Math.min(5, card.labels().size()), false);
    }
    Path zip = new Path(modelDir, ModelDir.MODEL);
    if (!Storage.exists(zip, conf)) {
      throw new BadInputException("model " + modelDir + " has no " + ModelDir.MODEL);
    }
    byte[] bytes = Storage.readBytes(zip, conf);
    try {
      ModelType.parse(card.model());
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
    Broadcast<byte[]> broadcast = new JavaSparkContext(spark.sparkContext()).broadcast(bytes);
    return new Predictor(card, broadcast, UUID.randomUUID().toString(), 256, Math.min(5, card.labels().size()), false);
  }

  public Predictor withBatchSize(int size) {
    if (size < 1) {
      throw new IllegalArgumentException("--batch-size must be >= 1, got " + size);
    }
    return new Predictor(card, model, key, size, topK, withProbabilities);
  }

  public Predictor withTopK(int k) {
    if (k < 1) {
      throw new IllegalArgumentException("--top-k must be >= 1, got " + k);
    }
    return new Predictor(card, model, key, batchSize, Math.min(k, card.labels().size()), withProbabilities);
  }

  public Predictor withProbabilities(boolean all) {
    return new Predictor(card, model, key, batchSize, topK, all);
  }

  public ModelCard card() {
    return card;
  }

  public Batches batches() {
    return new Batches(InputSpec.of(card), ModelType.parse(card.model()));
  }

  public StructType outputSchema(StructType input) {
    StructType out = input
        .add(PREDICTION, DataTypes.StringType)
        .add(PREDICTION_INDEX, DataTypes.IntegerType)
        .add(PROBABILITY, DataTypes.DoubleType)
        .add(TOP_K, DataTypes.createArrayType(TOP_K_ENTRY));
    return withProbabilities ? out.add(PROBABILITIES, DataTypes.createArrayType(DataTypes.DoubleType)) : out;
  }

  public Dataset<Row> transform(Dataset<Row> df) {
    Batches batches = onnx == null ? batches() : null;
    List<String> present = Arrays.asList(df.columns());
    int[] inputs = (onnx == null ? batches.columns() : onnx.columns()).stream()
        .filter(c -> !c.equals(io.deeppipe.transforms.IngestSteps.LABEL_INDEX))
        .mapToInt(c -> {
          if (!present.contains(c)) {
            throw new BadInputException("input has no column '" + c + "' that the " + card.model()
                + " model needs (columns: " + present + ")");
          }
          return present.indexOf(c);
        })
        .toArray();
    StructType schema = outputSchema(df.schema());
    MapPartitionsFunction<Row, Row> fn = rows -> score(rows, batches, inputs);
    return df.mapPartitions(fn, Encoders.row(schema));
  }

  /** Scores lazily, one minibatch at a time: a partition is never held in memory whole. */
  private Iterator<Row> score(Iterator<Row> rows, Batches batches, int[] inputs) {
    return new Iterator<>() {
      private final List<Row> ready = new ArrayList<>();
      private int next;

      @Override
      public boolean hasNext() {
        if (next < ready.size()) {
          return true;
        }
        if (!rows.hasNext()) {
          return false;
        }
        ready.clear();
        next = 0;
        List<Row> batch = new ArrayList<>(batchSize);
        while (rows.hasNext() && batch.size() < batchSize) {
          batch.add(rows.next());
        }
        scoreBatch(batch, batches, inputs, ready);
        return true;
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new java.util.NoSuchElementException();
        }
        return ready.get(next++);
      }
    };
  }

  private void scoreBatch(List<Row> batch, Batches batches, int[] inputs, List<Row> out) {
    List<Row> features = new ArrayList<>(batch.size());
    for (Row r : batch) {
      Object[] values = new Object[inputs.length];
      for (int i = 0; i < inputs.length; i++) {
        values[i] = r.get(inputs[i]);
      }
      features.add(RowFactory.create(values));
    }
    double[] flat = onnx != null ? onnx.probabilities(features) : dl4jProbabilities(features, batches);
    int classes = card.labels().size();
    List<String> labels = card.labels();
    for (int i = 0; i < batch.size(); i++) {
      double[] p = Arrays.copyOfRange(flat, i * classes, (i + 1) * classes);
      int[] order = topIndices(p, topK);
      List<Row> top = new ArrayList<>(topK);
      for (int k = 0; k < topK; k++) {
        top.add(RowFactory.create(labels.get(order[k]), p[order[k]]));
      }
      Row in = batch.get(i);
      int extra = withProbabilities ? 5 : 4;
      Object[] values = new Object[in.length() + extra];
      for (int c = 0; c < in.length(); c++) {
        values[c] = in.get(c);
      }
      values[in.length()] = labels.get(order[0]);
      values[in.length() + 1] = order[0];
      values[in.length() + 2] = p[order[0]];
      values[in.length() + 3] = scala.collection.JavaConverters.asScalaBuffer(top).toSeq();
      if (withProbabilities) {
        List<Double> all = new ArrayList<>(p.length);
        for (double v : p) {
          all.add(v);
        }
        values[in.length() + 4] = scala.collection.JavaConverters.asScalaBuffer(all).toSeq();
      }
      out.add(RowFactory.create(values));
    }
  }

  private double[] dl4jProbabilities(List<Row> features, Batches batches) {
    return probabilities(key, model.value(), batches, features);
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
