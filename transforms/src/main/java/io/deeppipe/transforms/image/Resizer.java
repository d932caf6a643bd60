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
   * Downscaling by area, byte for byte what the per-pixel area code gives (ResizerTest keeps it as the
   * reference), in two steps: for each output row, the source rows under it are summed into one line of
   * weighted column sums (a loop whose samples do not depend on each other), then each output pixel
   * weighs the columns under it and divides by its coverage. That sums in another order than the
   * reference (rows first, then columns), so its mean can differ from the reference's by a few units in
   * the last place: where a mean lies within {@link #tolerance} of k + 0.5, where the two could round
   * differently, the pixel is computed again in the reference's own order ({@link #exactPixel}; ~0.4 %
   * of the pixels of the bench's photos). The resize was as costly as the decode (BENCHMARKS.md).
   */
  private static void areaResize(Pixels src, double top, double left, double sy, double sx, int outH, int outW,
      byte[] out) {
    int c = src.channels();
    int width = src.width();
    byte[] data = src.data();
    Span[] columns = new Span[outW];
    double[] columnTotal = new double[outW];
    for (int x = 0; x < outW; x++) {
      columns[x] = Span.of(left + x * sx, Math.max(sx, 1), width);
      for (double w : columns[x].weight()) {
        columnTotal[x] += w;
      }
    }
    int from = columns[0].first();
    double[] line = new double[(columns[outW - 1].first() + columns[outW - 1].weight().length - from) * c];
    double[] mean = new double[c];
    for (int y = 0; y < outH; y++) {
      Span row = Span.of(top + y * sy, Math.max(sy, 1), src.height());
      double[] rowWeight = row.weight();
      java.util.Arrays.fill(line, 0);
      double rowTotal = 0;
      for (int j = 0; j < rowWeight.length; j++) {
        double wy = rowWeight[j];
        rowTotal += wy;
        int at = ((row.first() + j) * width + from) * c;
        for (int k = 0; k < line.length; k++) {
          line[k] += wy * (data[at + k] & 0xFF);
        }
      }
      for (int x = 0; x < outW; x++) {
        double[] columnWeight = columns[x].weight();
        int at = (columns[x].first() - from) * c;
        int o = (y * outW + x) * c;
        double scale = 1 / (columnTotal[x] * rowTotal);
        double tolerance = tolerance(rowWeight.length * columnWeight.length);
        boolean safe = true;
        if (c == 3) {
          double r = 0;
          double g = 0;
          double b = 0;
          for (int i = 0; i < columnWeight.length; i++) {
            double w = columnWeight[i];
            r += w * line[at + 3 * i];
            g += w * line[at + 3 * i + 1];
            b += w * line[at + 3 * i + 2];
          }
          mean[0] = r * scale;
          mean[1] = g * scale;
          mean[2] = b * scale;
        } else {
          for (int k = 0; k < c; k++) {
            double sum = 0;
            for (int i = 0; i < columnWeight.length; i++) {
              sum += columnWeight[i] * line[at + i * c + k];
            }
            mean[k] = sum * scale;
          }
        }
        for (int k = 0; k < c; k++) {
          double q = mean[k] + 0.5;
          int rounded = (int) q; // the mean is >= 0 up to rounding error: truncation is floor here
          double fraction = q - rounded;
          safe &= fraction >= tolerance && fraction <= 1 - tolerance;
          out[o + k] = (byte) Math.min(255, rounded);
        }
        if (!safe) {
          exactPixel(data, width, c, row, columns[x], out, o);
        }
      }
    }
  }

  /**
   * How far from k + 0.5 a mean of {@code terms} weighted samples (0–255, weights >= 0) must lie for
   * both summation orders to round it alike. Each order's mean is within about (2 × terms + 10) units
   * in the last place (2^-53, relative) of the exact one; this allows ~2 000 times that.
   */
  static double tolerance(int terms) {
    return 0x1p-40 * 256 * (terms + 16);
  }

  /**
   * One output pixel of the area resize in the reference's order: for each source row under it, for
   * each source column, the weight (row weight × column weight) times the sample, summed as it comes,
   * then divided by the summed weights and rounded.
   */
  private static void exactPixel(byte[] data, int width, int c, Span row, Span column, byte[] out, int o) {
    double[] rowWeight = row.weight();
    double[] columnWeight = column.weight();
    double[] acc = new double[c];
    double total = 0;
    for (int j = 0; j < rowWeight.length; j++) {
      double wy = rowWeight[j];
      int at = ((row.first() + j) * width + column.first()) * c;
      for (int i = 0; i < columnWeight.length; i++) {
        double weight = wy * columnWeight[i];
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
