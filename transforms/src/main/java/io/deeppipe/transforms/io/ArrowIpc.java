package io.deeppipe.transforms.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.ByteArrayReadableSeekableByteChannel;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.SpecializedGetters;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Writes a {@code Dataset<Row>} as Arrow IPC <em>file</em> format (uncompressed), one
 * {@code part-NNNNN.arrow} per partition, written by the executors themselves: nothing passes
 * through the driver. Supported column types: string, int, long, float, double, boolean, binary,
 * arrays of those, and structs of those (enough for every output of this project).
 */
public final class ArrowIpc {
  /** Rows per Arrow record batch: large enough to amortise, small enough to bound memory. */
  public static final int DEFAULT_BATCH_ROWS = 4096;

  private ArrowIpc() {}

  /** Writes {@code rows} under {@code dir}; returns the number of rows written. */
  public static long write(Dataset<Row> rows, String dir, int batchRows) {
    StructType sparkSchema = rows.schema();
    toArrowSchema(sparkSchema); // a column Arrow cannot hold is refused here, on the driver, before the job
    SerializableConfiguration conf =
        new SerializableConfiguration(rows.sparkSession().sparkContext().hadoopConfiguration());
    return internalRows(rows)
        .mapPartitions(it -> List.of(writePartition(it, dir, sparkSchema, batchRows, conf.get())).iterator())
        .collect().stream().mapToLong(Long::longValue).sum();
  }

  /**
   * The rows as Spark holds them: the writer reads each value where it is (an array of ids or an
   * image's bytes) instead of going through external {@code Row}s, which boxed every element of an
   * array and was half of the Arrow job (JFR, see BENCHMARKS.md).
   */
  private static org.apache.spark.api.java.JavaRDD<InternalRow> internalRows(Dataset<Row> rows) {
    return rows.queryExecution().toRdd().toJavaRDD();
  }

  /** One Arrow file with {@code schema} and no rows (an empty split's, so its schema is there). */
  public static void writeEmpty(Path file, StructType schema, Configuration conf) {
    try {
      new FileWriter(file, schema, DEFAULT_BATCH_ROWS, conf).close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes a partition's rows as {@code dir/part-NNNNN.arrow} (N = the partition); returns their number. */
  private static long writePartition(
      Iterator<InternalRow> it, String dir, StructType sparkSchema, int batchRows, Configuration conf)
      throws IOException {
    Path file = new Path(dir, String.format("part-%05d.arrow", TaskContext.getPartitionId()));
    try (FileWriter writer = new FileWriter(file, sparkSchema, batchRows, conf)) {
      while (it.hasNext()) {
        writer.write(it.next());
      }
      return writer.rows();
    }
  }

  /**
   * One Arrow IPC file written row by row: a record batch every {@code batchRows} rows, or sooner
   * once the batch holds {@link #MAX_BATCH_BYTES} (several files may be open in one task). The
   * rows' values are copied as they arrive, so a reused row object is fine.
   */
  public static final class FileWriter implements java.io.Closeable {
    /** A record batch's size at most, about (checked every 64 rows): bounds memory for large rows (images). */
    static final long MAX_BATCH_BYTES = 32L << 20;

    /** Variable-width bytes in a row from which a batch is planned by its first row's size ({@link #plan}). */
    static final long LARGE_ROW = 4096;

    private final BufferAllocator allocator;
    private final VectorSchemaRoot root;
    private final OutputStream out;
    private final ArrowFileWriter writer;
    private final List<FieldVector> vectors;
    private final StructField[] fields;
    private final int batchRows;
    private int limit;
    private int n;
    private long total;

    public FileWriter(Path file, StructType sparkSchema, int batchRows, Configuration conf) throws IOException {
      Schema arrowSchema = toArrowSchema(sparkSchema);
      this.allocator = new RootAllocator();
      try {
        this.root = VectorSchemaRoot.create(arrowSchema, allocator);
        this.out = file.getFileSystem(conf).create(file, true);
        this.writer = new ArrowFileWriter(root, null, Channels.newChannel(out));
        writer.start();
      } catch (IOException | RuntimeException e) {
        allocator.close();
        throw e;
      }
      this.vectors = root.getFieldVectors();
      this.fields = sparkSchema.fields();
      this.batchRows = batchRows;
      root.allocateNew();
    }

    public void write(InternalRow row) throws IOException {
      for (int c = 0; c < fields.length; c++) {
        setValue(vectors.get(c), n, row, c, fields[c].dataType());
      }
      n++;
      if (n == 1) {
        limit = plan();
      }
      if (n == limit || (n % 64 == 0 && bytes() >= MAX_BATCH_BYTES)) {
        flush();
        total += n;
        n = 0;
        root.allocateNew();
      }
    }

    /**
     * The rows this batch takes, planned from its first row. Rows of at least {@link #LARGE_ROW}
     * variable-width bytes (images) end the batch where, at the first row's size, the next would pass
     * {@link #MAX_BATCH_BYTES}, and each variable-width data buffer is allocated at that size once:
     * grown by doubling from Arrow's 32 KiB it was copied ~11 times, each time into direct memory the
     * process touched for the first time, and ended at 64 MiB — page faults and those copies were most
     * of the Arrow twin's cost (perf, BENCHMARKS.md). Smaller rows (text) keep {@code batchRows} and
     * Arrow's own growth.
     */
    private int plan() {
      long first = 0;
      for (FieldVector v : vectors) {
        if (v instanceof BaseVariableWidthVector w) {
          first += w.getOffsetBuffer().getInt(BaseVariableWidthVector.OFFSET_WIDTH);
        }
      }
      if (first < LARGE_ROW) {
        return batchRows;
      }
      int rows = (int) Math.max(1, Math.min(batchRows, MAX_BATCH_BYTES / first));
      for (FieldVector v : vectors) {
        if (v instanceof BaseVariableWidthVector w) {
          long need = (long) w.getOffsetBuffer().getInt(BaseVariableWidthVector.OFFSET_WIDTH) * rows;
          if (need > w.getDataBuffer().capacity()) {
            w.reallocDataBuffer(need);
          }
        }
      }
      return rows;
    }

    private void flush() throws IOException {
      for (FieldVector v : vectors) {
        v.setValueCount(n);
      }
      root.setRowCount(n);
      writer.writeBatch();
    }

    /**
     * The bytes the batch's {@code n} rows take. (Not {@code getBufferSize()}, which counts the value
     * count set at flush, 0 before it: the 32 MiB check never ended a batch, and a batch of 4 096
     * images of 96×96×3 grew its buffer to 128 MiB.)
     */
    private long bytes() {
      long b = 0;
      for (FieldVector v : vectors) {
        b += v.getBufferSizeFor(n);
      }
      return b;
    }

    /** Rows written so far. */
    public long rows() {
      return total + n;
    }

    /** Writes the last batch (an empty one if the file has no rows, so its schema is there) and the footer. */
    @Override
    public void close() throws IOException {
      try (allocator; root; out; writer) {
        if (n > 0 || total == 0) {
          flush();
          total += n;
          n = 0;
        }
        writer.end();
      }
    }
  }

  /** Sets {@code vector[index]} to the value at {@code ordinal} of {@code source} (a row, struct or array). */
  private static void setValue(FieldVector vector, int index, SpecializedGetters source, int ordinal, DataType type) {
    if (source.isNullAt(ordinal)) {
      if (vector instanceof StructVector struct) {
        struct.setNull(index);
      } else if (vector instanceof ListVector list) {
        list.setNull(index);
      } else {
        setNullScalar(vector, index);
      }
      return;
    }
    if (type instanceof ArrayType arrayType) {
      ListVector list = (ListVector) vector;
      ArrayData items = source.getArray(ordinal);
      int n = items.numElements();
      int start = list.startNewValue(index);
      FieldVector child = (FieldVector) list.getDataVector();
      if (child instanceof IntVector ints) { // token ids: no recursion per element
        for (int i = 0; i < n; i++) {
          if (items.isNullAt(i)) {
            ints.setNull(start + i);
          } else {
            ints.setSafe(start + i, items.getInt(i));
          }
        }
      } else {
        for (int i = 0; i < n; i++) {
          setValue(child, start + i, items, i, arrayType.elementType());
        }
      }
      list.endValue(index, n);
      return;
    }
    if (type instanceof StructType structType) {
      StructVector struct = (StructVector) vector;
      StructField[] fields = structType.fields();
      InternalRow row = source.getStruct(ordinal, fields.length);
      for (int c = 0; c < fields.length; c++) {
        setValue((FieldVector) struct.getChildByOrdinal(c), index, row, c, fields[c].dataType());
      }
      struct.setIndexDefined(index);
      return;
    }
    if (vector instanceof VarCharVector v) {
      v.setSafe(index, source.getUTF8String(ordinal).getBytes());
    } else if (vector instanceof IntVector v) {
      v.setSafe(index, source.getInt(ordinal));
    } else if (vector instanceof BigIntVector v) {
      v.setSafe(index, source.getLong(ordinal));
    } else if (vector instanceof Float4Vector v) {
      v.setSafe(index, source.getFloat(ordinal));
    } else if (vector instanceof Float8Vector v) {
      v.setSafe(index, source.getDouble(ordinal));
    } else if (vector instanceof BitVector v) {
      v.setSafe(index, source.getBoolean(ordinal) ? 1 : 0);
    } else if (vector instanceof VarBinaryVector v) {
      v.setSafe(index, source.getBinary(ordinal));
    } else {
      throw new IllegalArgumentException("unsupported Arrow vector " + vector.getClass());
    }
  }

  private static void setNullScalar(FieldVector vector, int index) {
    if (vector instanceof VarCharVector v) {
      v.setNull(index);
    } else if (vector instanceof IntVector v) {
      v.setNull(index);
    } else if (vector instanceof BigIntVector v) {
      v.setNull(index);
    } else if (vector instanceof Float4Vector v) {
      v.setNull(index);
    } else if (vector instanceof Float8Vector v) {
      v.setNull(index);
    } else if (vector instanceof BitVector v) {
      v.setNull(index);
    } else if (vector instanceof VarBinaryVector v) {
      v.setNull(index);
    }
  }

  public static Schema toArrowSchema(StructType schema) {
    List<Field> fields = new ArrayList<>();
    for (StructField f : schema.fields()) {
      fields.add(toArrowField(f.name(), f.dataType()));
    }
    return new Schema(fields);
  }

  private static Field toArrowField(String name, DataType type) {
    if (type instanceof ArrayType array) {
      return new Field(
          name,
          FieldType.nullable(ArrowType.List.INSTANCE),
          List.of(toArrowField("element", array.elementType())));
    }
    if (type instanceof StructType struct) {
      List<Field> children = new ArrayList<>();
      for (StructField f : struct.fields()) {
        children.add(toArrowField(f.name(), f.dataType()));
      }
      return new Field(name, FieldType.nullable(ArrowType.Struct.INSTANCE), children);
    }
    ArrowType arrow;
    if (type.equals(DataTypes.StringType)) {
      arrow = ArrowType.Utf8.INSTANCE;
    } else if (type.equals(DataTypes.IntegerType)) {
      arrow = new ArrowType.Int(32, true);
    } else if (type.equals(DataTypes.LongType)) {
      arrow = new ArrowType.Int(64, true);
    } else if (type.equals(DataTypes.FloatType)) {
      arrow = new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
    } else if (type.equals(DataTypes.DoubleType)) {
      arrow = new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
    } else if (type.equals(DataTypes.BooleanType)) {
      arrow = ArrowType.Bool.INSTANCE;
    } else if (type.equals(DataTypes.BinaryType)) {
      arrow = ArrowType.Binary.INSTANCE;
    } else {
      throw new IllegalArgumentException(
          "column '" + name + "' has type " + type.simpleString() + ", not writable as Arrow here");
    }
    return new Field(name, FieldType.nullable(arrow), null);
  }

  /**
   * Reads every {@code *.arrow} file under {@code dir} into column-name → value maps, in file
   * order. For tests and small reads only: it holds everything in memory.
   */
  public static List<Map<String, Object>> readAll(String dir, Configuration conf) {
    try {
      Path path = new Path(dir);
      FileSystem fs = path.getFileSystem(conf);
      List<Map<String, Object>> rows = new ArrayList<>();
      var statuses = fs.globStatus(new Path(path, "*.arrow"));
      java.util.Arrays.sort(statuses);
      for (var status : statuses) {
        byte[] bytes;
        try (InputStream in = fs.open(status.getPath())) {
          bytes = in.readAllBytes();
        }
        readFile(new ByteArrayReadableSeekableByteChannel(bytes), rows);
      }
      return rows;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void readFile(SeekableByteChannel channel, List<Map<String, Object>> rows)
      throws IOException {
    try (BufferAllocator allocator = new RootAllocator();
        ArrowFileReader reader = new ArrowFileReader(channel, allocator)) {
      VectorSchemaRoot root = reader.getVectorSchemaRoot();
      while (reader.loadNextBatch()) {
        for (int i = 0; i < root.getRowCount(); i++) {
          Map<String, Object> row = new TreeMap<>();
          for (FieldVector v : root.getFieldVectors()) {
            Object value = v.getObject(i);
            row.put(v.getName(), value instanceof org.apache.arrow.vector.util.Text t ? t.toString() : value);
          }
          rows.add(row);
        }
      }
    }
  }
}
