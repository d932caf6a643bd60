package io.deeppipe.models;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

class BatchesTest {
  /** 16×16×3 images whose bytes run through all 256 values in every channel. */
  private static final InputSpec RGB =
      new InputSpec("image", 2, 0, 0, 16, 16, 3, new double[] {0.1, 0.5, 0.9}, new double[] {0.2, 0.3, 1e-6});

  private static List<Row> images(int n) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] img = new byte[RGB.pixels()];
      for (int b = 0; b < img.length; b++) {
        img[b] = (byte) (b * 7 + i * 31);
      }
      rows.add(RowFactory.create(img, 0));
    }
    return rows;
  }

  private static float expected(byte b, int channel) {
    return (float) (((b & 0xFF) / 255.0 - RGB.mean()[channel]) / RGB.std()[channel]);
  }

  @Test
  void imagePixelsAreNormalisedPerChannelExactlyInBothLayouts() {
    List<Row> rows = images(3);
    INDArray flat = new Batches(RGB, ModelType.MLP).features(rows);
    INDArray nchw = new Batches(RGB, ModelType.CNN).features(rows);
    assertThat(flat.shape()).containsExactly(3, 16 * 16 * 3);
    assertThat(nchw.shape()).containsExactly(3, 3, 16, 16);
    for (int i = 0; i < rows.size(); i++) {
      byte[] img = (byte[]) rows.get(i).get(0);
      for (int p = 0; p < 256; p++) {
        for (int c = 0; c < 3; c++) {
          float want = expected(img[p * 3 + c], c);
          assertThat(flat.getFloat(i, p * 3 + c)).isEqualTo(want);
          assertThat(nchw.getFloat(i, c, p / 16, p % 16)).isEqualTo(want);
        }
      }
    }
  }

  /** Text rows as Spark gives them: token ids a Scala sequence of boxed integers. */
  private static final InputSpec TEXT = new InputSpec("text", 3, 50, 8, 0, 0, 0, null, null);

  private static List<Row> texts(int n) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      List<Integer> ids = new ArrayList<>();
      int length = 1 + i % 8;
      for (int j = 0; j < 8; j++) {
        ids.add(j < length ? 2 + (i * 7 + j) % 48 : 0);
      }
      rows.add(RowFactory.create(scala.collection.JavaConverters.asScalaBufferConverter(ids).asScala().toSeq(), length,
          i % 3));
    }
    return rows;
  }

  @Test
  void compactRowsMakeTheMinibatchesOfTheRowsSparkGives() {
    for (Batches batches : List.of(new Batches(TEXT, ModelType.LSTM), new Batches(RGB, ModelType.MLP),
        new Batches(RGB, ModelType.CNN))) {
      boolean text = batches.columns().size() == 3;
      List<Row> rows = text ? texts(11) : images(5);
      List<Row> compact = rows.stream().map(batches::compact).toList();
      assertThat(compact.get(0).get(0)).isInstanceOf(text ? int[].class : byte[].class);
      // compacting is idempotent: a compact row is read like the row it came from
      for (List<Row> in : List.of(compact, compact.stream().map(batches::compact).toList())) {
        DataSet want = batches.toDataSet(rows);
        DataSet got = batches.toDataSet(in);
        assertThat(got.getFeatures()).isEqualTo(want.getFeatures());
        assertThat(got.getLabels()).isEqualTo(want.getLabels());
        assertThat(got.getFeaturesMaskArray()).isEqualTo(want.getFeaturesMaskArray());
      }
    }
    // the token ids really were read: the first row's ids, as floats
    DataSet text = new Batches(TEXT, ModelType.LSTM).toDataSet(texts(1));
    assertThat(text.getFeatures().toFloatVector()).containsExactly(2f, 0f, 0f, 0f, 0f, 0f, 0f, 0f);
    assertThat(text.getFeaturesMaskArray().toFloatVector()).containsExactly(1f, 0f, 0f, 0f, 0f, 0f, 0f, 0f);
  }
}
