package io.deeppipe.transforms;

import static org.apache.spark.sql.functions.col;

import io.deeppipe.transforms.image.ImageIngest;
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
 * Learns what image files decide for a model: the per-channel mean and standard deviation of
 * pixel/255 and the sorted label set, over the images it is fitted on that decode. Takes the shape
 * of Spark's {@code binaryFile} source ({@code path}, {@code content}) plus an optional string
 * {@code label}. {@code ingest-images} fits it on the train split (labels from all kept rows).
 */
public final class ImagePreprocessor extends Estimator<ImagePreprocessorModel>
    implements ImagePreprocessorParams, DefaultParamsWritable {
  private final String uid;
  private final Declared declared;

  public ImagePreprocessor() {
    this(Identifiable$.MODULE$.randomUID("imagePreprocessor"));
  }

  public ImagePreprocessor(String uid) {
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

  public ImagePreprocessor setSize(int height, int width) {
    set(height(), height);
    return (ImagePreprocessor) set(width(), width);
  }

  public ImagePreprocessor setChannels(int value) { return (ImagePreprocessor) set(channels(), value); }

  public ImagePreprocessor setLabelCol(String value) { return (ImagePreprocessor) set(labelCol(), value); }

  @Override
  public ImagePreprocessorModel fit(Dataset<?> dataset) {
    transformSchema(dataset.schema(), true);
    // decode with the model's own transform (no statistics yet), then learn from the good rows
    Dataset<Row> good =
        model(new double[2][getChannels()], List.of()).transform(dataset)
            .filter(col(TextPreprocessorModel.REJECTED_REASON).isNull())
            .cache();
    try {
      return model(ImageIngest.meanStd(good, getChannels()), IngestSteps.labels(good, getLabelCol()));
    } finally {
      good.unpersist();
    }
  }

  /** The model with these Params and what fit learns: {@code stats} = [means, stds] per channel. */
  public ImagePreprocessorModel model(double[][] stats, List<String> labels) {
    ImagePreprocessorModel model = new ImagePreprocessorModel(uid, stats[0], stats[1], labels);
    copyValues(model, extractParamMap());
    return (ImagePreprocessorModel) model.setParent(this);
  }

  @Override
  public StructType transformSchema(StructType schema) {
    return ImagePreprocessorModel.outputSchema(schema, this);
  }

  @Override
  public ImagePreprocessor copy(ParamMap extra) {
    return (ImagePreprocessor) defaultCopy(extra);
  }

  public static MLReader<ImagePreprocessor> read() {
    return new DefaultParamsReader<>();
  }

  public static ImagePreprocessor load(String path) {
    return read().load(path);
  }
}
