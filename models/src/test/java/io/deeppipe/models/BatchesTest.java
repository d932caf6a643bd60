package io.deeppipe.models;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

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
}
