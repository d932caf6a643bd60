package io.deeppipe.transforms;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.when;

import io.deeppipe.transforms.image.ImageIngest;
import io.deeppipe.transforms.image.RejectedImage;
import io.deeppipe.transforms.image.Resizer;
import io.deeppipe.transforms.ml.Schemas;
import io.deeppipe.transforms.ml.StageData;
import java.util.List;
import org.apache.spark.ml.Model;
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
 * A fitted {@link ImagePreprocessor}: file bytes in {@code inputCol} → {@code image} (HWC uint8,
 * exactly height x width x channels), {@code height}, {@code width}, {@code channels},
 * {@code label_index}, {@code source} (the path) and {@code rejected_reason}, appended to the
 * input's columns. A file that does not decode keeps its row with the reason (corrupt, truncated,
 * too_many_pixels, ...). The per-channel mean/std learned by fit travel as metadata of
 * {@code image} (never baked into the bytes), the labels as the nominal attribute of
 * {@code label_index}.
 */
public final class ImagePreprocessorModel extends Model<ImagePreprocessorModel>
    implements ImagePreprocessorParams, MLWritable {
  /** Metadata keys of {@code image}. */
  public static final String META_MEAN = "mean";
  public static final String META_STD = "std";
  private static final StructType DATA =
      new StructType()
          .add("mean", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
          .add("std", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
          .add("labels", DataTypes.createArrayType(DataTypes.StringType, false), false);
  private static final List<String> OUTPUTS =
      List.of(ImageIngest.IMAGE, ImageIngest.HEIGHT, ImageIngest.WIDTH, ImageIngest.CHANNELS, IngestSteps.LABEL_INDEX,
          Outcomes.SOURCE, TextPreprocessorModel.REJECTED_REASON);

  private final String uid;
  private final Declared declared;
  private final double[] mean;
  private final double[] std;
  private final List<String> labels;

  public ImagePreprocessorModel(String uid, double[] mean, double[] std, List<String> labels) {
    this.uid = uid;
    this.declared = new Declared(this);
    this.mean = mean.clone();
    this.std = std.clone();
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

  /** Per-channel mean of pixel/255 over the fitted images. */
  public double[] mean() {
    return mean.clone();
  }

  /** Per-channel standard deviation of pixel/255 over the fitted images. */
  public double[] std() {
    return std.clone();
  }

  public List<String> labels() {
    return labels;
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType schema = transformSchema(dataset.schema(), true);
    int height = getHeight();
    int width = getWidth();
    int channels = getChannels();
    Resizer.Mode mode = getResizeMode();
    long maxPixels = getMaxPixels();
    StructType decoded = new StructType()
        .add(ImageIngest.IMAGE, DataTypes.BinaryType)
        .add(TextPreprocessorModel.REJECTED_REASON, DataTypes.StringType);
    UserDefinedFunction decode =
        udf((byte[] content) -> {
          if (content == null) {
            return RowFactory.create(null, RejectedImage.MISSING_FILE);
          }
          try {
            return RowFactory.create(ImageIngest.decodeAndFit(content, height, width, channels, mode, maxPixels), null);
          } catch (RejectedImage e) {
            return RowFactory.create(null, e.reason());
          }
        }, decoded);
    String tmp = "decoded__" + uid;
    Column good = col(tmp + "." + TextPreprocessorModel.REJECTED_REASON).isNull();
    Column label = IngestSteps.labelOf(dataset.schema(), getLabelCol());
    return dataset.toDF()
        .withColumn(tmp, decode.apply(col(getInputCol())))
        .withColumn(ImageIngest.IMAGE, col(tmp + "." + ImageIngest.IMAGE), schema.apply(ImageIngest.IMAGE).metadata())
        .withColumn(ImageIngest.HEIGHT, when(good, lit(height)))
        .withColumn(ImageIngest.WIDTH, when(good, lit(width)))
        .withColumn(ImageIngest.CHANNELS, when(good, lit(channels)))
        .withColumn(IngestSteps.LABEL_INDEX, when(good, IngestSteps.labelIndex(labels, label)),
            schema.apply(IngestSteps.LABEL_INDEX).metadata())
        .withColumn(Outcomes.SOURCE, col(getPathCol()))
        .withColumn(TextPreprocessorModel.REJECTED_REASON, col(tmp + "." + TextPreprocessorModel.REJECTED_REASON))
        .drop(tmp);
  }

  @Override
  public StructType transformSchema(StructType schema) {
    MetadataBuilder image = new MetadataBuilder()
        .putLong(ImageIngest.HEIGHT, getHeight())
        .putLong(ImageIngest.WIDTH, getWidth())
        .putLong(ImageIngest.CHANNELS, getChannels())
        .putDoubleArray(META_MEAN, mean)
        .putDoubleArray(META_STD, std);
    return Schemas.withMetadata(
        Schemas.withMetadata(outputSchema(schema, this), ImageIngest.IMAGE, image.build()),
        IngestSteps.LABEL_INDEX, TextPreprocessorModel.labelMetadata(labels));
  }

  static StructType outputSchema(StructType schema, ImagePreprocessorParams p) {
    Schemas.requireColumn(schema, p.getInputCol(), "inputCol", DataTypes.BinaryType, true);
    Schemas.requireColumn(schema, p.getPathCol(), "pathCol", DataTypes.StringType, true);
    Schemas.requireColumn(schema, p.getLabelCol(), "labelCol", DataTypes.StringType, false);
    Schemas.requireAbsent(schema, OUTPUTS);
    return schema
        .add(ImageIngest.IMAGE, DataTypes.BinaryType, true)
        .add(ImageIngest.HEIGHT, DataTypes.IntegerType, true)
        .add(ImageIngest.WIDTH, DataTypes.IntegerType, true)
        .add(ImageIngest.CHANNELS, DataTypes.IntegerType, true)
        .add(IngestSteps.LABEL_INDEX, DataTypes.IntegerType, true)
        .add(Outcomes.SOURCE, DataTypes.StringType, true)
        .add(TextPreprocessorModel.REJECTED_REASON, DataTypes.StringType, true);
  }

  @Override
  public ImagePreprocessorModel copy(ParamMap extra) {
    ImagePreprocessorModel copy = new ImagePreprocessorModel(uid, mean, std, labels);
    copyValues(copy, extra);
    return (ImagePreprocessorModel) copy.setParent(parent());
  }

  @Override
  public MLWriter write() {
    return StageData.writer(this, RowFactory.create(boxed(mean), boxed(std), labels.toArray(new String[0])), DATA);
  }

  private static Double[] boxed(double[] values) {
    return java.util.Arrays.stream(values).boxed().toArray(Double[]::new);
  }

  private static double[] unboxed(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).toArray();
  }

  public static MLReader<ImagePreprocessorModel> read() {
    return StageData.reader(ImagePreprocessorModel.class,
        (uid, row) -> new ImagePreprocessorModel(uid, unboxed(row.getList(0)), unboxed(row.getList(1)), row.getList(2)));
  }

  public static ImagePreprocessorModel load(String path) {
    return read().load(path);
  }
}
