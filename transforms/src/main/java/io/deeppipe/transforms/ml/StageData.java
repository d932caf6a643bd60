package io.deeppipe.transforms.ml;

import java.util.List;
import java.util.function.BiFunction;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.apache.spark.ml.util.DefaultParamsWriter$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import scala.Option;

/**
 * Saves a fitted stage as MLlib's own models are saved: Spark's {@code metadata/} (class, uid,
 * Params) and what {@code fit} learned as one Parquet row under {@code data/}, so that
 * {@code PipelineModel.load} and any Spark tool read it.
 */
public final class StageData {
  public static final String DATA = "data";

  private StageData() {}

  /** A writer of {@code stage} whose learned data is the one row {@code data} of {@code schema}. */
  public static MLWriter writer(Params stage, Row data, StructType schema) {
    return new MLWriter() {
      @Override
      public void saveImpl(String path) {
        SparkSession spark = sparkSession();
        DefaultParamsWriter$.MODULE$.saveMetadata(stage, path, spark.sparkContext(), Option.empty(), Option.empty());
        spark.createDataFrame(List.of(data), schema).coalesce(1).write().parquet(path + "/" + DATA);
      }
    };
  }

  /** A reader that rebuilds the stage from its uid and data row, then sets the saved Params. */
  public static <M extends Params> MLReader<M> reader(Class<M> type, BiFunction<String, Row, M> create) {
    return new MLReader<M>() {
      @Override
      public M load(String path) {
        SparkSession spark = sparkSession();
        DefaultParamsReader.Metadata metadata =
            DefaultParamsReader$.MODULE$.loadMetadata(path, spark.sparkContext(), type.getName());
        Row row = spark.read().parquet(path + "/" + DATA).first();
        M stage = create.apply(metadata.uid(), row);
        metadata.getAndSetParams(stage, Option.empty());
        return stage;
      }
    };
  }
}
