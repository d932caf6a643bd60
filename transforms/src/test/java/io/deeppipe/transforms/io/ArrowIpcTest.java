package io.deeppipe.transforms.io;

import static org.assertj.core.api.Assertions.assertThat;

import io.deeppipe.transforms.testing.LocalSpark;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every column type the writer supports, with nulls at every level, across record batches. */
class ArrowIpcTest {
  private final SparkSession spark = LocalSpark.session();

  @Test
  void writesEveryTypeWithNullsAtEveryLevel(@TempDir Path dir) {
    StructType entry = new StructType().add("label", DataTypes.StringType).add("p", DataTypes.DoubleType);
    StructType schema = new StructType()
        .add("s", DataTypes.StringType)
        .add("i", DataTypes.IntegerType)
        .add("l", DataTypes.LongType)
        .add("f", DataTypes.FloatType)
        .add("d", DataTypes.DoubleType)
        .add("b", DataTypes.BooleanType)
        .add("bin", DataTypes.BinaryType)
        .add("ids", DataTypes.createArrayType(DataTypes.IntegerType, true))
        .add("top", DataTypes.createArrayType(entry))
        .add("best", entry);
    List<Row> data = List.of(
        RowFactory.create("héllo 中文", 7, 1L << 40, 1.5f, -2.25, true, new byte[] {1, 2, (byte) 255},
            new int[] {5, 0, 9}, List.of(RowFactory.create("a", 0.75), RowFactory.create(null, 0.25)),
            RowFactory.create("a", 0.75)),
        RowFactory.create(null, null, null, null, null, null, null, null, null, null),
        RowFactory.create("", -1, 0L, 0f, 0.0, false, new byte[0], new Integer[] {1, null, 3}, List.of(), null));
    Dataset<Row> rows = spark.createDataFrame(
        data.stream().map(r -> {
          Object[] v = new Object[r.length()];
          for (int c = 0; c < v.length; c++) {
            Object x = r.get(c);
            v[c] = x instanceof int[] ints ? java.util.Arrays.stream(ints).boxed().toList()
                : x instanceof Integer[] boxed ? java.util.Arrays.asList(boxed) : x;
          }
          return RowFactory.create(v);
        }).toList(), schema).coalesce(1);
    String out = dir.resolve("arrow").toString();

    assertThat(ArrowIpc.write(rows, out, 2)).isEqualTo(3); // batches of two rows: the third starts a new one

    List<Map<String, Object>> back = ArrowIpc.readAll(out, spark.sparkContext().hadoopConfiguration());
    assertThat(back).hasSize(3);
    Map<String, Object> full = back.get(0);
    assertThat(full.get("s")).isEqualTo("héllo 中文");
    assertThat(full.get("i")).isEqualTo(7);
    assertThat(full.get("l")).isEqualTo(1L << 40);
    assertThat(full.get("f")).isEqualTo(1.5f);
    assertThat(full.get("d")).isEqualTo(-2.25);
    assertThat(full.get("b")).isEqualTo(true);
    assertThat((byte[]) full.get("bin")).containsExactly(1, 2, (byte) 255);
    assertThat(full.get("ids").toString()).isEqualTo("[5,0,9]");
    assertThat(full.get("top").toString()).isEqualTo("[{\"label\":\"a\",\"p\":0.75},{\"p\":0.25}]");
    assertThat(full.get("best").toString()).isEqualTo("{\"label\":\"a\",\"p\":0.75}");
    assertThat(back.get(1).values()).containsOnlyNulls();
    Map<String, Object> empty = back.get(2);
    assertThat(empty.get("s")).isEqualTo("");
    assertThat((byte[]) empty.get("bin")).isEmpty();
    assertThat(empty.get("ids").toString()).isEqualTo("[1,null,3]");
    assertThat(empty.get("top").toString()).isEqualTo("[]");
    assertThat(empty.get("best")).isNull();
  }
}
