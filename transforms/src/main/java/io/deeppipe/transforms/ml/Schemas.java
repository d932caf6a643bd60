package io.deeppipe.transforms.ml;

import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** The schema checks of {@code transformSchema}: each refusal names the Param and the column. */
public final class Schemas {
  private Schemas() {}

  public static boolean hasColumn(StructType schema, String column) {
    return Arrays.asList(schema.fieldNames()).contains(column);
  }

  /** Refuses a column named by {@code param} that is missing (when required) or not of {@code type}. */
  public static void requireColumn(StructType schema, String column, String param, DataType type, boolean required) {
    if (!hasColumn(schema, column)) {
      if (required) {
        throw new IllegalArgumentException(
            param + " '" + column + "' is not a column of the input " + Arrays.toString(schema.fieldNames()));
      }
      return;
    }
    DataType actual = schema.apply(column).dataType();
    // nullability is not the type: a column read back from Parquet says its array elements may be null
    if (!DataType.equalsStructurally(actual, type, true)) {
      throw new IllegalArgumentException(
          param + " '" + column + "' must be a " + type.simpleString() + " column, got " + actual.simpleString());
    }
  }

  /** Refuses an input that already has one of the columns a stage appends. */
  public static void requireAbsent(StructType schema, List<String> outputs) {
    for (String out : outputs) {
      if (hasColumn(schema, out)) {
        throw new IllegalArgumentException(
            "output column " + out + " already exists in the input " + Arrays.toString(schema.fieldNames()));
      }
    }
  }

  public static StructType withMetadata(StructType schema, String column, Metadata metadata) {
    StructField[] fields = schema.fields().clone();
    for (int i = 0; i < fields.length; i++) {
      if (fields[i].name().equals(column)) {
        fields[i] = new StructField(column, fields[i].dataType(), fields[i].nullable(), metadata);
      }
    }
    return new StructType(fields);
  }
}
