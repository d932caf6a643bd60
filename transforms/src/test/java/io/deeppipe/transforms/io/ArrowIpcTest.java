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

  /**
   * Parquet and its Arrow twins in one write: partitioned, several files per partition and task
   * ({@code maxRecordsPerFile}), across record batches; every Parquet file has a twin with the same
   * rows, and the counts by directory add up.
   */
  @Test
  void parquetAndArrowInOneWriteHoldTheSameRows(@TempDir Path dir) throws Exception {
    List<Row> data = new java.util.ArrayList<>();
    for (int i = 0; i < 200; i++) {
      data.add(RowFactory.create("r" + i, i % 3 == 0 ? "a" : i % 3 == 1 ? "b" : "c",
          java.util.stream.IntStream.range(0, i % 7).boxed().toList(), i % 11 == 0 ? null : new byte[] {(byte) i}));
    }
    StructType schema = new StructType().add("id", DataTypes.StringType).add("part", DataTypes.StringType)
        .add("ids", DataTypes.createArrayType(DataTypes.IntegerType, false))
        .add("bin", DataTypes.BinaryType);
    Dataset<Row> rows = spark.createDataFrame(data, schema).repartition(2);
    String out = dir.resolve("parquet").toString();

    Map<String, Long> counts = ParquetAndArrow.write(
        rows.write().option("maxRecordsPerFile", 30).partitionBy("part"), out, true, false, 8);

    assertThat(counts).containsOnly(Map.entry("part=a", 67L), Map.entry("part=b", 67L), Map.entry("part=c", 66L));
    var conf = spark.sparkContext().hadoopConfiguration();
    for (String part : List.of("a", "b", "c")) {
      org.apache.hadoop.fs.Path partDir = new org.apache.hadoop.fs.Path(out, "part=" + part);
      List<org.apache.hadoop.fs.Path> parquet = Storage.list(partDir, ".parquet", conf);
      List<org.apache.hadoop.fs.Path> arrow = Storage.list(partDir, ".arrow", conf);
      assertThat(parquet).hasSizeGreaterThan(2); // 30 rows a file at most
      assertThat(arrow).hasSameSizeAs(parquet);
      List<String> fromParquet = new java.util.ArrayList<>();
      for (Row r : spark.read().schema(new StructType().add(schema.apply("id")).add(schema.apply("ids")).add(schema.apply("bin")))
          .option("pathGlobFilter", "*.parquet").parquet(partDir.toString()).collectAsList()) {
        byte[] bin = (byte[]) r.get(2);
        fromParquet.add(r.getString(0) + " " + r.getList(1) + " " + (bin == null ? null : java.util.Arrays.toString(bin)));
      }
      java.nio.file.Path arrowDir = java.nio.file.Files.createDirectories(dir.resolve("arrow-" + part));
      for (org.apache.hadoop.fs.Path file : arrow) {
        java.nio.file.Files.copy(java.nio.file.Path.of(file.toUri()), arrowDir.resolve(file.getName()));
      }
      List<String> fromArrow = new java.util.ArrayList<>();
      for (Map<String, Object> r : ArrowIpc.readAll(arrowDir.toString(), conf)) {
        assertThat(r).doesNotContainKey("part"); // the partition column lives in the directory name
        byte[] bin = (byte[]) r.get("bin");
        fromArrow.add(r.get("id") + " " + r.get("ids").toString().replace(",", ", ") + " "
            + (bin == null ? null : java.util.Arrays.toString(bin)));
      }
      fromParquet.sort(null);
      fromArrow.sort(null);
      assertThat(fromArrow).hasSize(counts.get("part=" + part).intValue()).isEqualTo(fromParquet);
    }
  }

  /**
   * Two-level lists: arrays of non-null primitives are written as {@code repeated int32 array}
   * (what the footer says), read back identically by Spark's vectorized and row readers; a schema
   * with an array that may hold nulls keeps the standard three-level layout. Arrow off: Parquet only,
   * rows still counted by directory.
   */
  @Test
  void twoLevelListsReadBackTheSameRowsAndArrowCanBeOff(@TempDir Path dir) throws Exception {
    List<Row> data = new java.util.ArrayList<>();
    for (int i = 0; i < 50; i++) {
      data.add(RowFactory.create("r" + i, i % 2 == 0 ? "a" : "b", java.util.stream.IntStream.range(0, i % 9).boxed().toList(),
          i % 5 == 0 ? null : List.of((double) i, 0.5)));
    }
    StructType schema = new StructType().add("id", DataTypes.StringType).add("part", DataTypes.StringType)
        .add("ids", DataTypes.createArrayType(DataTypes.IntegerType, false))
        .add("ds", DataTypes.createArrayType(DataTypes.DoubleType, false));
    Dataset<Row> rows = spark.createDataFrame(data, schema).repartition(2);
    var conf = spark.sparkContext().hadoopConfiguration();

    String twoLevel = dir.resolve("two").toString();
    Map<String, Long> counts = ParquetAndArrow.write(rows.write().partitionBy("part"), twoLevel, false, true, 8);

    assertThat(counts).containsOnly(Map.entry("part=a", 25L), Map.entry("part=b", 25L));
    assertThat(Storage.list(new org.apache.hadoop.fs.Path(twoLevel, "part=a"), ".arrow", conf)).isEmpty();
    String footer = footerSchema(new org.apache.hadoop.fs.Path(twoLevel, "part=a"), conf);
    assertThat(footer).contains("repeated int32 array;").contains("repeated double array;").doesNotContain("element");
    List<String> expected = data.stream().map(r -> r.getString(0) + " " + r.get(2) + " " + r.get(3))
        .sorted().toList();
    for (String vectorized : List.of("true", "false")) {
      spark.conf().set("spark.sql.parquet.enableVectorizedReader", vectorized);
      spark.conf().set("spark.sql.parquet.enableNestedColumnVectorizedReader", vectorized);
      try {
        List<String> back = spark.read().parquet(twoLevel).collectAsList().stream()
            .map(r -> r.getString(0) + " " + r.getList(1) + " " + (r.isNullAt(2) ? null : r.getList(2))).sorted().toList();
        assertThat(back).as("vectorized reader " + vectorized).isEqualTo(expected);
      } finally {
        spark.conf().unset("spark.sql.parquet.enableVectorizedReader");
        spark.conf().unset("spark.sql.parquet.enableNestedColumnVectorizedReader");
      }
    }

    String nullable = dir.resolve("three").toString();
    ParquetAndArrow.write(rows.withColumn("ids", org.apache.spark.sql.functions.transform(
        rows.col("ids"), x -> org.apache.spark.sql.functions.when(x.gt(3), x))).write().partitionBy("part"), nullable, true, true, 8);
    assertThat(footerSchema(new org.apache.hadoop.fs.Path(nullable, "part=a"), conf)).contains("repeated group list")
        .contains("element");
    assertThat(Storage.list(new org.apache.hadoop.fs.Path(nullable, "part=a"), ".arrow", conf)).isNotEmpty();
  }

  private static String footerSchema(org.apache.hadoop.fs.Path partDir, org.apache.hadoop.conf.Configuration conf)
      throws java.io.IOException {
    org.apache.hadoop.fs.Path file = Storage.list(partDir, ".parquet", conf).get(0);
    try (var reader = org.apache.parquet.hadoop.ParquetFileReader.open(
        org.apache.parquet.hadoop.util.HadoopInputFile.fromPath(file, conf))) {
      return reader.getFooter().getFileMetaData().getSchema().toString();
    }
  }
}
