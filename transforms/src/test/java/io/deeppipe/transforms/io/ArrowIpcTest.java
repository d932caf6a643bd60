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
  /**
   * Rows of images are batched by the first row's size: each batch as many rows as fit 32 MiB, its
   * data buffer allocated once; later rows larger than the first still fit (the buffer grows) and the
   * size check still ends their batch; small rows keep batchRows. Every row reads back as written.
   */
  @Test
  void largeRowsAreBatchedByTheFirstRowsSizeAndReadBackWhole(@TempDir Path dir) throws Exception {
    StructType schema = new StructType().add("id", DataTypes.StringType).add("image", DataTypes.BinaryType);
    var conf = spark.sparkContext().hadoopConfiguration();
    java.util.function.IntFunction<byte[]> image = i -> {
      byte[] b = new byte[i % 3 == 2 ? 40_000 : 20_000]; // every third row twice the first's size
      for (int k = 0; k < b.length; k++) {
        b[k] = (byte) (i * 31 + k);
      }
      return b;
    };
    org.apache.hadoop.fs.Path images = new org.apache.hadoop.fs.Path(dir.resolve("images.arrow").toString());
    try (ArrowIpc.FileWriter writer = new ArrowIpc.FileWriter(images, schema, ArrowIpc.DEFAULT_BATCH_ROWS, conf)) {
      for (int i = 0; i < 3000; i++) {
        writer.write(new org.apache.spark.sql.catalyst.expressions.GenericInternalRow(
            new Object[] {org.apache.spark.unsafe.types.UTF8String.fromString("r" + (10000 + i)), image.apply(i)}));
      }
    }
    List<Integer> batches = new java.util.ArrayList<>();
    int row = 0;
    try (var allocator = new org.apache.arrow.memory.RootAllocator();
        var reader = new org.apache.arrow.vector.ipc.ArrowFileReader(
            java.nio.file.Files.newByteChannel(dir.resolve("images.arrow")), allocator)) {
      while (reader.loadNextBatch()) {
        var root = reader.getVectorSchemaRoot();
        batches.add(root.getRowCount());
        var bytes = (org.apache.arrow.vector.VarBinaryVector) root.getVector("image");
        var ids = (org.apache.arrow.vector.VarCharVector) root.getVector("id");
        long batchBytes = 0;
        for (int i = 0; i < root.getRowCount(); i++, row++) {
          assertThat(ids.getObject(i).toString()).isEqualTo("r" + (10000 + row));
          assertThat(bytes.get(i)).isEqualTo(image.apply(row));
          batchBytes += bytes.get(i).length;
        }
        // at most 32 MiB and the 63 rows before the next check
        assertThat(batchBytes).isLessThanOrEqualTo((32L << 20) + 63 * 40_000);
      }
    }
    assertThat(row).isEqualTo(3000);
    // a first row of 20 006 bytes plans 32 MiB / 20 006 = 1 677 rows, one of 40 006 bytes 838; with
    // every third row twice as large, the 32 MiB check (every 64 rows) may end a batch before its plan
    assertThat(batches).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(1677)).hasSizeGreaterThan(2);

    org.apache.hadoop.fs.Path uniform = new org.apache.hadoop.fs.Path(dir.resolve("uniform.arrow").toString());
    org.apache.hadoop.fs.Path small = new org.apache.hadoop.fs.Path(dir.resolve("small.arrow").toString());
    try (ArrowIpc.FileWriter big = new ArrowIpc.FileWriter(uniform, schema, ArrowIpc.DEFAULT_BATCH_ROWS, conf);
        ArrowIpc.FileWriter text = new ArrowIpc.FileWriter(small, schema, 1000, conf)) {
      for (int i = 0; i < 3000; i++) {
        big.write(new org.apache.spark.sql.catalyst.expressions.GenericInternalRow(
            new Object[] {org.apache.spark.unsafe.types.UTF8String.fromString("r" + (10000 + i)), new byte[20_000]}));
        text.write(new org.apache.spark.sql.catalyst.expressions.GenericInternalRow(
            new Object[] {org.apache.spark.unsafe.types.UTF8String.fromString("r" + i), new byte[100]}));
      }
    }
    assertThat(batchRows(dir.resolve("uniform.arrow"))).containsExactly(1677, 1323);
    assertThat(batchRows(dir.resolve("small.arrow"))).containsExactly(1000, 1000, 1000);
  }

  private static List<Integer> batchRows(Path file) throws Exception {
    List<Integer> batches = new java.util.ArrayList<>();
    try (var allocator = new org.apache.arrow.memory.RootAllocator();
        var reader = new org.apache.arrow.vector.ipc.ArrowFileReader(java.nio.file.Files.newByteChannel(file), allocator)) {
      while (reader.loadNextBatch()) {
        batches.add(reader.getVectorSchemaRoot().getRowCount());
      }
    }
    return batches;
  }

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
