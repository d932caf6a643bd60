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

  /**
   * The area resize computes each source pixel's coverage once per row and column instead of per
   * output pixel; its output must stay that of the per-pixel code it replaced (below, as it was),
   * byte for byte, on real photos, gray and colour, at whole, fractional and extreme scales.
   */
  @Test
  void areaDownscalingIsByteForByteThePerPixelCodeItReplaced() throws Exception {
    for (String photo : java.util.List.of("china.jpg", "flower.jpg")) {
      byte[] bytes = java.nio.file.Files.readAllBytes(io.deeppipe.transforms.testing.TestData.sklearnPhotosDir().resolve(photo));
      for (int channels : new int[] {1, 3}) {
        Pixels src = ImageDecoder.decode(bytes, channels, 100_000_000L);
        int[][] sizes = {{96, 96}, {28, 28}, {37, 53}, {224, 224}, {1, 1}, {src.height() - 1, src.width() / 3}, {300, 7}};
        for (int[] size : sizes) {
          for (Resizer.Mode mode : Resizer.Mode.values()) {
            assertThat(Resizer.fit(src, size[0], size[1], mode).data())
                .as(photo + " " + channels + " " + size[0] + "x" + size[1] + " " + mode)
                .isEqualTo(reference(src, size[0], size[1], mode).data());
          }
        }
        // a window that starts and ends inside pixels
        assertThat(Resizer.resize(src, 10.25, 3.5, 100.75, 200.3, 17, 31).data())
            .isEqualTo(referenceResize(src, 10.25, 3.5, 100.75, 200.3, 17, 31).data());
      }
    }
  }

  /**
   * Where a byte is most easily changed by summing in another order — a mean on or next to k + 0.5
   * — the area resize must still give the per-pixel code's bytes: images made to land on such
   * boundaries (whole-pixel means of two levels, flat images, 1 to 4 channels, whole and fractional
   * scales). A separable resize tried in the session of 2026-12-07 failed this without a fallback to
   * the per-pixel sums at those means (BENCHMARKS.md).
   */
  @Test
  void areaDownscalingIsByteForByteOnTiesAndFlatImages() {
    java.util.Random random = new java.util.Random(7);
    int[][] sizes = {{60, 80}, {61, 83}, {97, 64}};
    int[][] targets = {{30, 40}, {20, 20}, {15, 16}, {7, 9}, {29, 41}, {1, 3}, {12, 80}};
    int boundaries = 0;
    for (int channels = 1; channels <= 4; channels++) {
      for (int[] size : sizes) {
        for (int kind = 0; kind < 3; kind++) {
          byte[] data = new byte[size[0] * size[1] * channels];
          for (int i = 0; i < data.length; i++) {
            data[i] = (byte) switch (kind) {
              case 0 -> random.nextBoolean() ? 10 : 11; // means of whole pixels end in .5 often
              case 1 -> 77; // flat
              default -> random.nextInt(256);
            };
          }
          Pixels src = new Pixels(size[0], size[1], channels, data);
          for (int[] target : targets) {
            for (Resizer.Mode mode : Resizer.Mode.values()) {
              Pixels ours = Resizer.fit(src, target[0], target[1], mode);
              Pixels expected = reference(src, target[0], target[1], mode);
              assertThat(ours.data()).as(channels + "ch " + size[0] + "x" + size[1] + " kind " + kind + " -> "
                  + target[0] + "x" + target[1] + " " + mode).isEqualTo(expected.data());
              if (kind == 0 && mode == Resizer.Mode.STRETCH && size[0] % target[0] == 0 && size[1] % target[1] == 0) {
                for (byte b : expected.data()) {
                  boundaries += (b & 0xFF) == 11 ? 1 : 0; // 10.5 rounds up
                }
              }
            }
          }
        }
      }
    }
    assertThat(boundaries).as("outputs that sat on k + 0.5 or above it").isPositive();
  }

  /** {@link Resizer#fit} with the per-pixel area code. */
  private static Pixels reference(Pixels src, int height, int width, Resizer.Mode mode) {
    if (src.height() == height && src.width() == width) {
      return src;
    }
    return switch (mode) {
      case STRETCH -> referenceResize(src, 0, 0, src.height(), src.width(), height, width);
      case CROP -> {
        double scale = Math.max((double) height / src.height(), (double) width / src.width());
        double winH = Math.min(src.height(), height / scale);
        double winW = Math.min(src.width(), width / scale);
        yield referenceResize(src, (src.height() - winH) / 2, (src.width() - winW) / 2, winH, winW, height, width);
      }
      case PAD -> {
        double scale = Math.min((double) height / src.height(), (double) width / src.width());
        int h = Math.max(1, (int) Math.round(src.height() * scale));
        int w = Math.max(1, (int) Math.round(src.width() * scale));
        Pixels inner = referenceResize(src, 0, 0, src.height(), src.width(), h, w);
        byte[] out = new byte[height * width * src.channels()];
        for (int y = 0; y < h; y++) {
          System.arraycopy(inner.data(), y * w * src.channels(), out,
              (((height - h) / 2 + y) * width + (width - w) / 2) * src.channels(), w * src.channels());
        }
        yield new Pixels(height, width, src.channels(), out);
      }
    };
  }

  private static Pixels referenceResize(Pixels src, double top, double left, double winH, double winW, int outH, int outW) {
    double sy = winH / outH;
    double sx = winW / outW;
    if (!(sy > 1 || sx > 1)) {
      return Resizer.resize(src, top, left, winH, winW, outH, outW);
    }
    int c = src.channels();
    byte[] out = new byte[outH * outW * c];
    double[] acc = new double[c];
    for (int y = 0; y < outH; y++) {
      for (int x = 0; x < outW; x++) {
        area(src, top + y * sy, left + x * sx, Math.max(sy, 1), Math.max(sx, 1), acc);
        for (int k = 0; k < c; k++) {
          out[(y * outW + x) * c + k] = (byte) Math.min(255, Math.max(0, Math.round(acc[k])));
        }
      }
    }
    return new Pixels(outH, outW, c, out);
  }

  /** Mean of the source box [y0, y0+h) x [x0, x0+w), partial pixels weighted by coverage. */
  static void area(Pixels src, double y0, double x0, double h, double w, double[] acc) {
    java.util.Arrays.fill(acc, 0);
    double y1 = Math.min(y0 + h, src.height());
    double x1 = Math.min(x0 + w, src.width());
    double total = 0;
    for (int yy = (int) Math.floor(y0); yy < y1; yy++) {
      double wy = Math.min(yy + 1, y1) - Math.max(yy, y0);
      if (wy <= 0) {
        continue;
      }
      for (int xx = (int) Math.floor(x0); xx < x1; xx++) {
        double wx = Math.min(xx + 1, x1) - Math.max(xx, x0);
        if (wx <= 0) {
          continue;
        }
        double weight = wy * wx;
        total += weight;
        for (int k = 0; k < acc.length; k++) {
          acc[k] += weight * src.get(yy, xx, k);
        }
      }
    }
    for (int k = 0; k < acc.length; k++) {
      acc[k] /= total;
    }
  }

}
