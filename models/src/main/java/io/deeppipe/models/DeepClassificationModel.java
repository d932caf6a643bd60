package io.deeppipe.models;

import io.deeppipe.models.infer.Predictor;
import io.deeppipe.models.onnx.OnnxScorer;
import io.deeppipe.transforms.card.Json;
import io.deeppipe.transforms.card.OnnxSpec;
import io.deeppipe.transforms.TextPreprocessorModel;
import io.deeppipe.transforms.ml.Schemas;
import io.deeppipe.transforms.ml.StageData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.attribute.NominalAttribute;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * A trained {@link DeepClassifier}: appends {@code predictionCol} (the class index as a double, as
 * MLlib's classifiers give it, with the labels as its nominal attribute), {@code probabilityCol}
 * (every class's probability, a Vector), {@code rawPredictionCol} (their logarithms) and
 * {@code top_k} (label, probability; highest first). Rows with a {@code rejected_reason} or a null
 * input pass through with null predictions ({@code handleInvalid} keep, the default) or are left out
 * (skip). The network travels as one broadcast, is deserialised
 * once per executor JVM (keyed by its content, so transforms and copies of one model share it) and
 * scores minibatches of {@code batchSize} rows; the saved stage holds it (DL4J's model zip) in its
 * data row. A network imported from ONNX ({@code import-onnx}) is the same stage with the model file
 * and its input contract in place of the zip, scored by ONNX Runtime; its {@code network} Param is
 * unused. {@code predict} and {@code evaluate} score through this stage.
 */
public final class DeepClassificationModel extends Model<DeepClassificationModel>
    implements DeepClassifierParams, MLWritable {
  public static final String TOP_K = Predictor.TOP_K;
  private static final StructType DATA =
      new StructType()
          .add("kind", DataTypes.StringType, false)
          .add("labels", DataTypes.createArrayType(DataTypes.StringType, false), false)
          .add("vocabSize", DataTypes.IntegerType, false)
          .add("maxLength", DataTypes.IntegerType, false)
          .add("height", DataTypes.IntegerType, false)
          .add("width", DataTypes.IntegerType, false)
          .add("channels", DataTypes.IntegerType, false)
          .add("mean", DataTypes.createArrayType(DataTypes.DoubleType, false), true)
          .add("std", DataTypes.createArrayType(DataTypes.DoubleType, false), true)
          .add("network", DataTypes.BinaryType, false)
          // an imported ONNX network's input contract (model.json's onnx block, as JSON); null for DL4J
          .add("onnx", DataTypes.StringType, true);

  private final String uid;
  private final Declared declared;
  private final InputSpec spec;
  private final List<String> labels;
  private final byte[] network;
  /** The input contract of an imported ONNX network; null for a DL4J network. */
  private final OnnxSpec onnx;
  /** {@link #networkKey()}, computed once. */
  private transient String networkKey;

  public DeepClassificationModel(String uid, ModelType type, InputSpec spec, List<String> labels, byte[] network) {
    this(uid, type, spec, labels, network, null);
  }

  /**
   * A model around {@code network}: DL4J's model zip of a {@code type} network, or with {@code onnx}
   * (and {@code type} null) an ONNX model file and its input contract.
   */
  public DeepClassificationModel(String uid, ModelType type, InputSpec spec, List<String> labels, byte[] network,
      OnnxSpec onnx) {
    this.uid = uid;
    this.declared = new Declared(this);
    this.spec = spec;
    this.labels = List.copyOf(labels);
    this.network = network;
    this.onnx = onnx;
    if (type != null) {
      set(network(), type.optionName());
    }
  }

  @Override
  public String uid() {
    return uid;
  }

  @Override
  public Declared declared() {
    return declared;
  }

  public List<String> labels() {
    return labels;
  }

  public InputSpec inputSpec() {
    return spec;
  }

  /** The network as DL4J's model zip (what {@code model.zip} holds), or an imported ONNX model's file. */
  public byte[] networkZip() {
    return network.clone();
  }

  /** The input contract of an imported ONNX network, or null for a DL4J network. */
  public OnnxSpec onnx() {
    return onnx;
  }

  /**
   * What the executors' model caches know the network by: the SHA-256 of its bytes, so every
   * transform and copy of this model, and the same model loaded twice, deserialise it once per JVM.
   */
  private String networkKey() {
    if (networkKey == null) {
      networkKey = onnx != null ? onnx.sha256() : io.deeppipe.transforms.Fingerprint.sha256(network);
    }
    return networkKey;
  }

  public DeepClassificationModel setPredictionCol(String value) {
    return (DeepClassificationModel) set(predictionCol(), value);
  }

  public DeepClassificationModel setProbabilityCol(String value) {
    return (DeepClassificationModel) set(probabilityCol(), value);
  }

  public DeepClassificationModel setRawPredictionCol(String value) {
    return (DeepClassificationModel) set(rawPredictionCol(), value);
  }

  public DeepClassificationModel setTopK(int value) { return (DeepClassificationModel) set(topK(), value); }

  public DeepClassificationModel setHandleInvalid(String value) {
    return (DeepClassificationModel) set(handleInvalid(), value);
  }

  public DeepClassificationModel setBatchSize(int value) { return (DeepClassificationModel) set(batchSize(), value); }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType schema = transformSchema(dataset.schema(), true);
    ClassifierInput input = ClassifierInput.of(dataset.schema(), this, false);
    List<String> columns = Arrays.asList(dataset.columns());
    int[] inputs = input.isText()
        ? new int[] {columns.indexOf(input.features()), columns.indexOf(input.length())}
        : new int[] {columns.indexOf(input.features())};
    int rejected = columns.indexOf(TextPreprocessorModel.REJECTED_REASON);
    Broadcast<byte[]> model =
        new JavaSparkContext(dataset.sparkSession().sparkContext()).broadcast(network);
    Scorer scorer;
    if (onnx != null) {
      OnnxScorer onnxScorer = new OnnxScorer(onnx, spec, model::value);
      scorer = onnxScorer::probabilities;
    } else {
      String key = networkKey();
      Batches batches = new Batches(spec, getNetwork());
      scorer = features -> Predictor.probabilities(key, model.value(), batches, features);
    }
    Scoring scoring = new Scoring(scorer, labels, inputs, rejected, getBatchSize(), Math.min(getTopK(), labels.size()),
        getHandleInvalid().equals("skip"));
    MapPartitionsFunction<Row, Row> fn = scoring::score;
    return dataset.toDF().mapPartitions(fn, Encoders.row(schema));
  }

  /**
   * Every class's probability for a minibatch of feature rows (the input columns first), flat and
   * row after row: DL4J or ONNX Runtime, on the executors.
   */
  private interface Scorer extends java.io.Serializable {
    double[] probabilities(List<Row> features);
  }

  /** What runs on the executors: minibatches of a partition, in order, bad rows passed through. */
  private record Scoring(Scorer scorer, List<String> labels, int[] inputs, int rejected, int batchSize, int topK,
      boolean skipInvalid) implements java.io.Serializable {

    Iterator<Row> score(Iterator<Row> rows) {
      return new Iterator<>() {
        private final List<Row> ready = new ArrayList<>();
        private int next;

        @Override
        public boolean hasNext() {
          // a minibatch whose rows were all skipped (handleInvalid skip) gives nothing: take the next
          while (next >= ready.size()) {
            if (!rows.hasNext()) {
              return false;
            }
            List<Row> batch = new ArrayList<>(batchSize);
            while (rows.hasNext() && batch.size() < batchSize) {
              batch.add(rows.next());
            }
            ready.clear();
            next = 0;
            scoreBatch(batch, ready);
          }
          return true;
        }

        @Override
        public Row next() {
          if (!hasNext()) {
            throw new NoSuchElementException();
          }
          return ready.get(next++);
        }
      };
    }

    private boolean scorable(Row r) {
      if (rejected >= 0 && !r.isNullAt(rejected)) {
        return false;
      }
      for (int i : inputs) {
        if (r.isNullAt(i)) {
          return false;
        }
      }
      return true;
    }

    private void scoreBatch(List<Row> batch, List<Row> out) {
      List<Row> features = new ArrayList<>(batch.size());
      for (Row r : batch) {
        if (scorable(r)) {
          Object[] values = new Object[inputs.length];
          for (int i = 0; i < inputs.length; i++) {
            values[i] = r.get(inputs[i]);
          }
          features.add(RowFactory.create(values));
        }
      }
      double[] flat = features.isEmpty() ? new double[0] : scorer.probabilities(features);
      int classes = labels.size();
      int scored = 0;
      for (Row in : batch) {
        if (skipInvalid && !scorable(in)) {
          continue;
        }
        Object[] values = new Object[in.length() + 4];
        for (int c = 0; c < in.length(); c++) {
          values[c] = in.get(c);
        }
        if (scorable(in)) {
          double[] p = Arrays.copyOfRange(flat, scored * classes, (scored + 1) * classes);
          scored++;
          int[] order = Predictor.topIndices(p, topK);
          List<Row> top = new ArrayList<>(topK);
          for (int k = 0; k < topK; k++) {
            top.add(RowFactory.create(labels.get(order[k]), p[order[k]]));
          }
          values[in.length()] = (double) order[0];
          values[in.length() + 1] = Vectors.dense(p);
          values[in.length() + 2] = Vectors.dense(Arrays.stream(p).map(Math::log).toArray());
          values[in.length() + 3] = scala.collection.JavaConverters.asScalaBuffer(top).toSeq();
        }
        out.add(RowFactory.create(values));
      }
    }
  }

  @Override
  public StructType transformSchema(StructType schema) {
    ClassifierInput input = ClassifierInput.of(schema, this, false);
    if (input.spec().isText() != spec.isText()) {
      throw new IllegalArgumentException("featuresCol '" + input.features() + "' holds " + input.spec().kind()
          + " input; this model was trained on " + spec.kind());
    }
    if (onnx == null) {
      DeepClassifier.requireFits(getNetwork(), input.spec().kind());
    }
    return outputSchema(schema, this, labels);
  }

  static StructType outputSchema(StructType schema, DeepClassifierParams p, List<String> labels) {
    Schemas.requireAbsent(schema, List.of(p.getPredictionCol(), p.getProbabilityCol(), p.getRawPredictionCol(), TOP_K));
    NominalAttribute prediction = NominalAttribute.defaultAttr().withName(p.getPredictionCol());
    return schema
        .add(p.getPredictionCol(), DataTypes.DoubleType, true,
            (labels.isEmpty() ? prediction : prediction.withValues(labels.toArray(new String[0]))).toMetadata())
        .add(p.getProbabilityCol(), SQLDataTypes.VectorType(), true)
        .add(p.getRawPredictionCol(), SQLDataTypes.VectorType(), true)
        .add(TOP_K, DataTypes.createArrayType(Predictor.TOP_K_ENTRY), true);
  }

  @Override
  public DeepClassificationModel copy(ParamMap extra) {
    DeepClassificationModel copy =
        new DeepClassificationModel(uid, onnx == null ? getNetwork() : null, spec, labels, network, onnx);
    copy.networkKey = networkKey;
    copyValues(copy, extra);
    return (DeepClassificationModel) copy.setParent(parent());
  }

  @Override
  public MLWriter write() {
    return StageData.writer(this, RowFactory.create(spec.kind(), labels.toArray(new String[0]), spec.vocabSize(),
        spec.maxLength(), spec.height(), spec.width(), spec.channels(), boxed(spec.mean()), boxed(spec.std()), network,
        onnx == null ? null : json(onnx)), DATA);
  }

  private static String json(OnnxSpec spec) {
    try {
      return Json.mapper().writeValueAsString(spec);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static OnnxSpec onnx(String json) {
    try {
      return Json.mapper().readValue(json, OnnxSpec.class);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Double[] boxed(double[] values) {
    return values == null ? null : Arrays.stream(values).boxed().toArray(Double[]::new);
  }

  private static double[] unboxed(List<Double> values) {
    return values == null ? null : values.stream().mapToDouble(Double::doubleValue).toArray();
  }

  public static MLReader<DeepClassificationModel> read() {
    return StageData.reader(DeepClassificationModel.class, (uid, row) -> {
      List<String> labels = row.getList(1);
      InputSpec spec = new InputSpec(row.getString(0), labels.size(), row.getInt(2), row.getInt(3), row.getInt(4),
          row.getInt(5), row.getInt(6), row.isNullAt(7) ? null : unboxed(row.getList(7)),
          row.isNullAt(8) ? null : unboxed(row.getList(8)));
      // a stage saved before ONNX networks were stages has no onnx column
      OnnxSpec onnx = Arrays.asList(row.schema().fieldNames()).contains("onnx") && !row.isNullAt(10)
          ? onnx(row.getString(10)) : null;
      // the network Param is set from the saved metadata after this
      return new DeepClassificationModel(uid, onnx == null ? ModelType.MLP : null, spec, labels, (byte[]) row.get(9), onnx);
    });
  }

  public static DeepClassificationModel load(String path) {
    return read().load(path);
  }
}
