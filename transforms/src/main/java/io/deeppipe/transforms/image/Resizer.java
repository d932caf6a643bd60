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
    double[] acc = new double[c];
    for (int y = 0; y < outH; y++) {
      for (int x = 0; x < outW; x++) {
        if (sy > 1 || sx > 1) {
          area(src, top + y * sy, left + x * sx, Math.max(sy, 1), Math.max(sx, 1), acc);
        } else {
          bilinear(src, top + (y + 0.5) * sy - 0.5, left + (x + 0.5) * sx - 0.5, acc);
        }
        for (int k = 0; k < c; k++) {
          out[(y * outW + x) * c + k] = (byte) Math.min(255, Math.max(0, Math.round(acc[k])));
        }
      }
    }
    return new Pixels(outH, outW, c, out);
  }

  /** Mean of the source box [y0, y0+h) x [x0, x0+w), partial pixels weighted by coverage. */
  private static void area(Pixels src, double y0, double x0, double h, double w, double[] acc) {
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
