package io.deeppipe.models;

import io.deeppipe.transforms.IngestSteps;
import io.deeppipe.transforms.image.ImageIngest;
import io.deeppipe.transforms.text.TextIngest;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Turns dataset rows into network input on the executors: text rows into [batch, maxLength] token
 * ids with a [batch, maxLength] padding mask; image rows into normalised pixels
 * ({@code (v/255 - mean[c]) / std[c]}, the card's statistics), flat [batch, H·W·C] for the MLP or
 * NCHW [batch, C, H, W] for the CNN; labels one-hot. Minibatches are built from a partition's
 * iterator as it streams, never collected.
 */
public final class Batches implements Serializable {
  /** Rows held for the per-epoch shuffle of one partition: bounded, whatever the partition size. */
  public static final int SHUFFLE_BUFFER = 4096;

  private final InputSpec spec;
  private final boolean nchw;
  /** {@link #normalisedBytes()}, built on first use in each JVM (the adapter is shipped to executors). */
  private transient volatile float[][] normalised;

  public Batches(InputSpec spec, ModelType type) {
    this.spec = spec;
    this.nchw = type == ModelType.CNN;
  }

  /** The columns the adapter reads, in the order it reads them. */
  public List<String> columns() {
    return spec.isText()
        ? List.of(TextIngest.TOKEN_IDS, TextIngest.LENGTH, IngestSteps.LABEL_INDEX)
        : List.of(ImageIngest.IMAGE, IngestSteps.LABEL_INDEX);
  }

  /**
   * {@link #columns()} with the types ingest writes them in: a dataset's splits read with it skip
   * Spark's schema inference (a Spark job per split that opens a Parquet footer).
   */
  public org.apache.spark.sql.types.StructType schema() {
    org.apache.spark.sql.types.StructType s = new org.apache.spark.sql.types.StructType();
    s = spec.isText()
        ? s.add(TextIngest.TOKEN_IDS, DataTypes.createArrayType(DataTypes.IntegerType)).add(TextIngest.LENGTH,
            DataTypes.IntegerType)
        : s.add(ImageIngest.IMAGE, DataTypes.BinaryType);
    return s.add(IngestSteps.LABEL_INDEX, DataTypes.IntegerType);
  }

  /** The bytes of network input one row becomes (floats; text: token ids and mask). */
  public long bytesPerRow() {
    return 4L * (spec.isText() ? 2L * spec.maxLength() : spec.pixels());
  }

  private int labelColumn() {
    return spec.isText() ? 2 : 1;
  }

  /**
   * {@code row} ({@link #columns()} first) as a row of plain Java values that this adapter reads
   * the same way: token ids as an {@code int[]} instead of a list of boxed integers, pixels as the
   * row's own bytes. Kept in memory across epochs it costs about the bytes of the data.
   */
  public Row compact(Row row) {
    return spec.isText()
        ? RowFactory.create(tokenIds(row), row.getInt(1), row.getInt(2))
        : RowFactory.create((byte[]) row.get(0), row.getInt(1));
  }

  /** The token ids of a text row: an {@code int[]} of {@link #compact}, or the list Spark gives. */
  private static int[] tokenIds(Row row) {
    Object ids = row.get(0);
    if (ids instanceof int[] a) {
      return a;
    }
    List<Integer> list = row.getList(0);
    int[] a = new int[list.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = list.get(i);
    }
    return a;
  }

  /** Labelled minibatches of {@code batchSize} rows (the last may be smaller). */
  public Iterator<DataSet> dataSets(Iterator<Row> rows, int batchSize) {
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return rows.hasNext();
      }

      @Override
      public DataSet next() {
        if (!rows.hasNext()) {
          throw new NoSuchElementException();
        }
        List<Row> batch = new ArrayList<>(batchSize);
        while (rows.hasNext() && batch.size() < batchSize) {
          batch.add(rows.next());
        }
        return toDataSet(batch);
      }
    };
  }

  public DataSet toDataSet(List<Row> batch) {
    INDArray labels = Nd4j.zeros(DataType.FLOAT, batch.size(), spec.classes());
    for (int i = 0; i < batch.size(); i++) {
      labels.putScalar(i, batch.get(i).getInt(labelColumn()), 1f);
    }
    return new DataSet(features(batch), labels, mask(batch), null);
  }

  /** Network input for {@code batch} (rows with {@link #columns()} first). */
  public INDArray features(List<Row> batch) {
    int n = batch.size();
    if (spec.isText()) {
      int t = spec.maxLength();
      float[] ids = new float[n * t];
      for (int i = 0; i < n; i++) {
        int[] tokens = tokenIds(batch.get(i));
        for (int j = 0; j < t; j++) {
          ids[i * t + j] = tokens[j];
        }
      }
      return Nd4j.create(ids, new long[] {n, t}, 'c');
    }
    int c = spec.channels();
    int hw = spec.height() * spec.width();
    float[][] normalised = normalisedBytes();
    float[] x = new float[n * spec.pixels()];
    for (int i = 0; i < n; i++) {
      byte[] img = (byte[]) batch.get(i).get(0);
      int base = i * spec.pixels();
      for (int p = 0; p < hw; p++) {
        for (int k = 0; k < c; k++) {
          x[base + (nchw ? k * hw + p : p * c + k)] = normalised[k][img[p * c + k] & 0xFF]; // HWC -> CHW for the CNN
        }
      }
    }
    return nchw
        ? Nd4j.create(x, new long[] {n, c, spec.height(), spec.width()}, 'c')
        : Nd4j.create(x, new long[] {n, spec.pixels()}, 'c');
  }

  /** Per channel, the network input of each of the 256 byte values: {@code (v/255 - mean[c]) / std[c]}. */
  private float[][] normalisedBytes() {
    if (normalised == null) {
      float[][] table = new float[spec.channels()][256];
      for (int k = 0; k < table.length; k++) {
        for (int v = 0; v < 256; v++) {
          table[k][v] = (float) ((v / 255.0 - spec.mean()[k]) / spec.std()[k]);
        }
      }
      normalised = table;
    }
    return normalised;
  }

  /** The padding mask of a text batch ([batch, maxLength], 1 = token), null for images. */
  public INDArray mask(List<Row> batch) {
    if (!spec.isText()) {
      return null;
    }
    int t = spec.maxLength();
    float[] m = new float[batch.size() * t];
    for (int i = 0; i < batch.size(); i++) {
      int length = Math.max(1, batch.get(i).getInt(1));
      for (int j = 0; j < length && j < t; j++) {
        m[i * t + j] = 1f;
      }
    }
    return Nd4j.create(m, new long[] {batch.size(), t}, 'c');
  }

  /**
   * A seeded shuffle of a stream through a bounded buffer: the same rows, seed and order in give
   * the same order out, so Spark training and a local fit can see identical minibatches.
   */
  public static <T> Iterator<T> shuffled(Iterator<T> in, long seed) {
    Random random = new Random(seed);
    List<T> buffer = new ArrayList<>();
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return in.hasNext() || !buffer.isEmpty();
      }

      @Override
      public T next() {
        while (in.hasNext() && buffer.size() < SHUFFLE_BUFFER) {
          buffer.add(in.next());
        }
        if (buffer.isEmpty()) {
          throw new NoSuchElementException();
        }
        int i = random.nextInt(buffer.size());
        T out = buffer.get(i);
        buffer.set(i, buffer.get(buffer.size() - 1));
        buffer.remove(buffer.size() - 1);
        return out;
      }
    };
  }
}
