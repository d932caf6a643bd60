package io.deeppipe.models;

import io.deeppipe.transforms.ImagePreprocessorModel;
import io.deeppipe.transforms.TextPreprocessorModel;
import io.deeppipe.transforms.card.DatasetCard;
import io.deeppipe.transforms.image.ImageIngest;
import io.deeppipe.transforms.ml.Schemas;
import io.deeppipe.transforms.text.TextIngest;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.attribute.Attribute;
import org.apache.spark.ml.attribute.NominalAttribute;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructType;

/**
 * What a network reads from a DataFrame, found in its schema: the feature column ({@code token_ids}
 * + {@code length} for text, {@code image} for images) and the facts the preprocessor models wrote
 * as column metadata — vocabulary size and length, or height, width, channels and per-channel
 * mean/std — plus the labels, the nominal attribute of the label column. A missing column or fact
 * is refused with a message naming the Param and the column.
 *
 * @param features the input column (token ids or image bytes)
 * @param length the text's length column, null for images
 */
public record ClassifierInput(InputSpec spec, List<String> labels, String features, String length) {

  /**
   * Reads the input of {@code params} from {@code schema}. With {@code facts} (what fit needs) the
   * metadata must hold the labels and the input's facts; without (transformSchema, which also sees
   * the schema an unfitted preprocessor promises, with no metadata yet) only the columns and their
   * types are checked, and the spec holds just the kind.
   */
  public static ClassifierInput of(StructType schema, DeepClassifierParams params, boolean facts) {
    String features = params.isSet(params.featuresCol())
        ? params.getOrDefault(params.featuresCol())
        : Schemas.hasColumn(schema, TextIngest.TOKEN_IDS) ? TextIngest.TOKEN_IDS : ImageIngest.IMAGE;
    if (!Schemas.hasColumn(schema, features)) {
      throw new IllegalArgumentException("featuresCol " + (params.isSet(params.featuresCol()) ? "'" + features + "'"
          : "is unset and the input has neither " + TextIngest.TOKEN_IDS + " (text) nor " + ImageIngest.IMAGE
              + " (images); it") + " is not a column of the input " + Arrays.toString(schema.fieldNames()));
    }
    Metadata meta = schema.apply(features).metadata();
    if (schema.apply(features).dataType().equals(DataTypes.BinaryType)) {
      if (!facts) {
        return new ClassifierInput(new InputSpec(DatasetCard.KIND_IMAGE, 0, 0, 0, 0, 0, 0, null, null), List.of(), features, null);
      }
      List<String> labels = labels(schema, params.getLabelCol());
      require(meta, features, ImagePreprocessorModel.META_MEAN, ImagePreprocessorModel.META_STD, ImageIngest.HEIGHT,
          ImageIngest.WIDTH, ImageIngest.CHANNELS);
      double[] std = Arrays.stream(meta.getDoubleArray(ImagePreprocessorModel.META_STD)).map(d -> Math.max(d, 1e-6)).toArray();
      InputSpec spec = new InputSpec(DatasetCard.KIND_IMAGE, labels.size(), 0, 0, (int) meta.getLong(ImageIngest.HEIGHT),
          (int) meta.getLong(ImageIngest.WIDTH), (int) meta.getLong(ImageIngest.CHANNELS),
          meta.getDoubleArray(ImagePreprocessorModel.META_MEAN), std);
      return new ClassifierInput(spec, labels, features, null);
    }
    Schemas.requireColumn(schema, features, "featuresCol", DataTypes.createArrayType(DataTypes.IntegerType, false), true);
    Schemas.requireColumn(schema, TextIngest.LENGTH, "the text's length column", DataTypes.IntegerType, true);
    if (!facts) {
      return new ClassifierInput(new InputSpec(DatasetCard.KIND_TEXT, 0, 0, 0, 0, 0, 0, null, null), List.of(), features, TextIngest.LENGTH);
    }
    List<String> labels = labels(schema, params.getLabelCol());
    require(meta, features, TextPreprocessorModel.META_VOCAB_SIZE, TextPreprocessorModel.META_MAX_LENGTH);
    InputSpec spec = new InputSpec(DatasetCard.KIND_TEXT, labels.size(), (int) meta.getLong(TextPreprocessorModel.META_VOCAB_SIZE),
        (int) meta.getLong(TextPreprocessorModel.META_MAX_LENGTH), 0, 0, 0, null, null);
    return new ClassifierInput(spec, labels, features, TextIngest.LENGTH);
  }

  /** The input of a network trained on an ingested dataset: its standard columns and its card's facts. */
  public static ClassifierInput of(InputSpec spec, List<String> labels) {
    return spec.isText()
        ? new ClassifierInput(spec, labels, TextIngest.TOKEN_IDS, TextIngest.LENGTH)
        : new ClassifierInput(spec, labels, ImageIngest.IMAGE, null);
  }

  /** The labels in index order: the nominal attribute of {@code labelCol}. */
  static List<String> labels(StructType schema, String labelCol) {
    Schemas.requireColumn(schema, labelCol, "labelCol", DataTypes.IntegerType, true);
    Attribute attr = Attribute.fromStructField(schema.apply(labelCol));
    if (!(attr instanceof NominalAttribute nominal) || nominal.values().isEmpty()) {
      throw new IllegalArgumentException("labelCol '" + labelCol + "' has no labels in its metadata (a nominal"
          + " attribute, as TextPreprocessorModel and ImagePreprocessorModel write it, or StringIndexer)");
    }
    return List.of(nominal.values().get());
  }

  private static void require(Metadata meta, String column, String... keys) {
    for (String key : keys) {
      if (!meta.contains(key)) {
        throw new IllegalArgumentException("column " + column + " has no '" + key + "' in its metadata: transform the"
            + " data with the preprocessor model fitted on it (TextPreprocessorModel or ImagePreprocessorModel)");
      }
    }
  }

  public boolean isText() {
    return spec.isText();
  }

  /** The input's columns in the order {@link Batches} reads them, named as it names them. */
  public List<org.apache.spark.sql.Column> batchColumns(String labelCol) {
    var label = org.apache.spark.sql.functions.col(labelCol).as(io.deeppipe.transforms.IngestSteps.LABEL_INDEX);
    return isText()
        ? List.of(org.apache.spark.sql.functions.col(features).as(TextIngest.TOKEN_IDS),
            org.apache.spark.sql.functions.col(length), label)
        : List.of(org.apache.spark.sql.functions.col(features).as(ImageIngest.IMAGE), label);
  }
}
