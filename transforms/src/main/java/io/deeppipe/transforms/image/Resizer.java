package io.deeppipe.transforms.image;


/**
 * Brings HWC uint8 pixels to the target size. Downscaling averages every source pixel under each
 * target pixel (area, as OpenCV's INTER_AREA), upscaling interpolates bilinearly; an image already at
 * the target size is returned untouched. {@code crop} scales the shorter side and centre-crops;
 * {@code pad} letterboxes on black; {@code stretch} ignores the aspect ratio.
 */
public final class Resizer {
  private Resizer() {}

  public enum Mode {
    STRETCH,
    CROP,
    PAD;

    public static Mode parse(String value) {
      return io.deeppipe.transforms.Choices.parse(Mode.class, "--resize-mode", value);
    }

    public String optionName() {
      return io.deeppipe.transforms.Choices.name(this);
    }
  }

  public static Pixels fit(Pixels src, int height, int width, Mode mode) {
    if (src.height() == height && src.width() == width) {
      return src;
    }
    return switch (mode) {
      case STRETCH -> resize(src, 0, 0, src.height(), src.width(), height, width);
      case CROP -> {
        // the largest centred source window with the target's aspect ratio
        double scale = Math.max((double) height / src.height(), (double) width / src.width());
        double winH = Math.min(src.height(), height / scale);
        double winW = Math.min(src.width(), width / scale);
        double top = (src.height() - winH) / 2;
        double left = (src.width() - winW) / 2;
        yield resize(src, top, left, winH, winW, height, width);
      }
      case PAD -> {
        double scale = Math.min((double) height / src.height(), (double) width / src.width());
        int h = Math.max(1, (int) Math.round(src.height() * scale));
        int w = Math.max(1, (int) Math.round(src.width() * scale));
        Pixels inner = resize(src, 0, 0, src.height(), src.width(), h, w);
        byte[] out = new byte[height * width * src.channels()];
        int top = (height - h) / 2;
        int left = (width - w) / 2;
        for (int y = 0; y < h; y++) {
          System.arraycopy(inner.data(), y * w * src.channels(), out,
              ((top + y) * width + left) * src.channels(), w * src.channels());
        }
        yield new Pixels(height, width, src.channels(), out);
      }
    };
  }

  /** Resamples the source window (top, left, winH, winW in source pixels) to outH x outW. */
  static Pixels resize(Pixels src, double top, double left, double winH, double winW, int outH, int outW) {
    int c = src.channels();
    byte[] out = new byte[outH * outW * c];
    double sy = winH / outH;
    double sx = winW / outW;
    if (sy > 1 || sx > 1) {
      areaResize(src, top, left, sy, sx, outH, outW, out);
      return new Pixels(outH, outW, c, out);
    }
    double[] acc = new double[c];
    for (int y = 0; y < outH; y++) {
      for (int x = 0; x < outW; x++) {
        bilinear(src, top + (y + 0.5) * sy - 0.5, left + (x + 0.5) * sx - 0.5, acc);
        for (int k = 0; k < c; k++) {
          out[(y * outW + x) * c + k] = (byte) Math.min(255, Math.max(0, Math.round(acc[k])));
        }
      }
    }
    return new Pixels(outH, outW, c, out);
  }

  /**
   * The source pixels under one output row or column of an area resize and their coverage
   * weights, in source order: what the per-pixel area code this replaced computed per output pixel
   * (ResizerTest keeps it as the reference), computed once per row
   * and once per column. The pixels are {@code first, first + 1, …}: every pixel from the floor of
   * the start to the last one before the end has a positive weight (it starts before the end, and
   * ends after the start), and no other pixel has one.
   */
  private record Span(int first, double[] weight) {
    static Span of(double start, double length, int limit) {
      double end = Math.min(start + length, limit);
      int first = (int) Math.floor(start);
      double[] weight = new double[Math.max(0, (int) Math.ceil(end) - first)];
      for (int k = 0; k < weight.length; k++) {
        int i = first + k;
        weight[k] = Math.min(i + 1, end) - Math.max(i, start);
      }
      return new Span(first, weight);
    }
  }

  /**
   * Downscaling by area with exactly the arithmetic of that per-pixel code (the same products, sums in
   * the same order, the same rounding), without recomputing each source pixel's coverage per
   * output pixel or going through {@link Pixels#get}: the resize was as costly as the decode. The
   * column weights are laid out flat, three channels sum into locals (each channel's sum still in
   * source order, so the result is bit for bit the general loop's), and every array index in the
   * inner loop is its counter times a constant plus an offset, so the JIT checks the bounds once per
   * loop instead of once per sample (indices read from a table cost ~15 % more, BENCHMARKS.md).
   */
  private static void areaResize(Pixels src, double top, double left, double sy, double sx, int outH, int outW,
      byte[] out) {
    int c = src.channels();
    int width = src.width();
    byte[] data = src.data();
    int[] columnStart = new int[outW + 1];
    int[] columnFirst = new int[outW];
    Span[] columns = new Span[outW];
    for (int x = 0; x < outW; x++) {
      columns[x] = Span.of(left + x * sx, Math.max(sx, 1), width);
      columnFirst[x] = columns[x].first();
      columnStart[x + 1] = columnStart[x] + columns[x].weight().length;
    }
    double[] columnWeight = new double[columnStart[outW]];
    for (int x = 0; x < outW; x++) {
      System.arraycopy(columns[x].weight(), 0, columnWeight, columnStart[x], columns[x].weight().length);
    }
    double[] acc = new double[c];
    for (int y = 0; y < outH; y++) {
      Span row = Span.of(top + y * sy, Math.max(sy, 1), src.height());
      double[] rowWeight = row.weight();
      for (int x = 0; x < outW; x++) {
        int from = columnStart[x];
        int n = columnStart[x + 1] - from;
        int o = (y * outW + x) * c;
        if (c == 3) {
          double r = 0;
          double g = 0;
          double b = 0;
          double total = 0;
          for (int j = 0; j < rowWeight.length; j++) {
            double wy = rowWeight[j];
            int at = ((row.first() + j) * width + columnFirst[x]) * 3;
            for (int i = 0; i < n; i++) {
              double weight = wy * columnWeight[from + i];
              total += weight;
              r += weight * (data[at + 3 * i] & 0xFF);
              g += weight * (data[at + 3 * i + 1] & 0xFF);
              b += weight * (data[at + 3 * i + 2] & 0xFF);
            }
          }
          out[o] = toByte(r / total);
          out[o + 1] = toByte(g / total);
          out[o + 2] = toByte(b / total);
        } else {
          java.util.Arrays.fill(acc, 0);
          double total = 0;
          for (int j = 0; j < rowWeight.length; j++) {
            double wy = rowWeight[j];
            int at = ((row.first() + j) * width + columnFirst[x]) * c;
            for (int i = 0; i < n; i++) {
              double weight = wy * columnWeight[from + i];
              total += weight;
              for (int k = 0; k < c; k++) {
                acc[k] += weight * (data[at + i * c + k] & 0xFF);
              }
            }
          }
          for (int k = 0; k < c; k++) {
            out[o + k] = toByte(acc[k] / total);
          }
        }
      }
    }
  }

  private static byte toByte(double v) {
    return (byte) Math.min(255, Math.max(0, Math.round(v)));
  }

  private static void bilinear(Pixels src, double y, double x, double[] acc) {
    y = Math.max(0, Math.min(src.height() - 1, y));
    x = Math.max(0, Math.min(src.width() - 1, x));
    int y0 = (int) Math.floor(y);
    int x0 = (int) Math.floor(x);
    int y1 = Math.min(y0 + 1, src.height() - 1);
    int x1 = Math.min(x0 + 1, src.width() - 1);
    double fy = y - y0;
    double fx = x - x0;
    for (int k = 0; k < acc.length; k++) {
      double top = src.get(y0, x0, k) * (1 - fx) + src.get(y0, x1, k) * fx;
      double bottom = src.get(y1, x0, k) * (1 - fx) + src.get(y1, x1, k) * fx;
      acc[k] = top * (1 - fy) + bottom * fy;
    }
  }
}
