package io.deeppipe.transforms.image;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ResizerTest {
  private static Pixels gray(int[][] v) {
    byte[] data = new byte[v.length * v[0].length];
    for (int y = 0; y < v.length; y++) {
      for (int x = 0; x < v[0].length; x++) {
        data[y * v[0].length + x] = (byte) v[y][x];
      }
    }
    return new Pixels(v.length, v[0].length, 1, data);
  }

  private static int[] values(Pixels p) {
    int[] out = new int[p.data().length];
    for (int i = 0; i < out.length; i++) {
      out[i] = p.data()[i] & 0xFF;
    }
    return out;
  }

  @Test
  void anImageAtTheTargetSizeIsNotResampled() {
    Pixels p = gray(new int[][] {{1, 2}, {3, 4}});
    for (Resizer.Mode m : Resizer.Mode.values()) {
      assertThat(Resizer.fit(p, 2, 2, m)).isSameAs(p);
    }
  }

  @Test
  void downscalingAveragesTheAreaNotNearestNeighbour() {
    Pixels p = gray(new int[][] {{0, 100, 10, 10}, {100, 0, 10, 30}, {200, 200, 0, 0}, {200, 200, 0, 255}});
    assertThat(values(Resizer.fit(p, 2, 2, Resizer.Mode.STRETCH))).containsExactly(50, 15, 200, 64);
    // 3 -> 2: each target pixel covers 1.5 source pixels
    Pixels row = gray(new int[][] {{0, 90, 180}});
    assertThat(values(Resizer.fit(row, 1, 2, Resizer.Mode.STRETCH))).containsExactly(30, 150);
  }

  @Test
  void upscalingIsBilinear() {
    Pixels p = gray(new int[][] {{0, 100}});
    assertThat(values(Resizer.fit(p, 1, 4, Resizer.Mode.STRETCH))).containsExactly(0, 25, 75, 100);
  }

  @Test
  void cropKeepsTheCentreAndPadLetterboxes() {
    Pixels wide = gray(new int[][] {{10, 20, 30, 40}, {10, 20, 30, 40}});
    assertThat(values(Resizer.fit(wide, 2, 2, Resizer.Mode.CROP))).containsExactly(20, 30, 20, 30);
    assertThat(values(Resizer.fit(wide, 1, 1, Resizer.Mode.CROP))).containsExactly(25);
    assertThat(values(Resizer.fit(wide, 4, 4, Resizer.Mode.PAD)))
        .containsExactly(0, 0, 0, 0, 10, 20, 30, 40, 10, 20, 30, 40, 0, 0, 0, 0);
    assertThat(values(Resizer.fit(wide, 2, 2, Resizer.Mode.STRETCH))).containsExactly(15, 35, 15, 35);
  }
}
