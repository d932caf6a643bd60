package io.deeppipe.transforms.image;

/**
 * Reads the EXIF orientation tag (0x0112) of a JPEG, which ImageIO ignores: cameras store the
 * sensor's pixels and a tag saying how to turn them. Returns 1 (as stored) when absent or unreadable.
 */
public final class ExifOrientation {
  private ExifOrientation() {}

  public static int of(byte[] jpeg) {
    try {
      int pos = 2;
      while (pos + 4 <= jpeg.length) {
        if ((jpeg[pos] & 0xFF) != 0xFF) {
          return 1;
        }
        int marker = jpeg[pos + 1] & 0xFF;
        int length = u16(jpeg, pos + 2, true);
        if (marker == 0xDA || marker == 0xD9) {
          return 1; // start of scan: no EXIF before the pixels
        }
        if (marker == 0xE1 && length >= 8 && matches(jpeg, pos + 4, "Exif")) {
          return fromTiff(jpeg, pos + 10, pos + 2 + length);
        }
        pos += 2 + length;
      }
    } catch (ArrayIndexOutOfBoundsException e) {
      // a malformed EXIF block does not make the image unusable
    }
    return 1;
  }

  /** The orientation tag of a TIFF file's first directory: TIFF is the structure EXIF borrows. */
  public static int ofTiff(byte[] tiff) {
    try {
      return fromTiff(tiff, 0, tiff.length);
    } catch (ArrayIndexOutOfBoundsException e) {
      return 1;
    }
  }

  private static int fromTiff(byte[] b, int tiff, int end) {
    boolean bigEndian = b[tiff] == 'M';
    int ifd = tiff + u32(b, tiff + 4, bigEndian);
    int entries = u16(b, ifd, bigEndian);
    for (int i = 0; i < entries; i++) {
      int entry = ifd + 2 + i * 12;
      if (entry + 12 > end) {
        break;
      }
      if (u16(b, entry, bigEndian) == 0x0112) {
        int value = u16(b, entry + 8, bigEndian);
        return value >= 1 && value <= 8 ? value : 1;
      }
    }
    return 1;
  }

  private static boolean matches(byte[] b, int pos, String text) {
    for (int i = 0; i < text.length(); i++) {
      if (b[pos + i] != text.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static int u16(byte[] b, int pos, boolean bigEndian) {
    int a = b[pos] & 0xFF;
    int c = b[pos + 1] & 0xFF;
    return bigEndian ? (a << 8) | c : (c << 8) | a;
  }

  private static int u32(byte[] b, int pos, boolean bigEndian) {
    return bigEndian
        ? (u16(b, pos, true) << 16) | u16(b, pos + 2, true)
        : (u16(b, pos + 2, false) << 16) | u16(b, pos, false);
  }

  /** Applies an EXIF orientation (1..8) to HWC pixels. */
  public static Pixels apply(Pixels p, int orientation) {
    if (orientation <= 1 || orientation > 8) {
      return p;
    }
    boolean swap = orientation >= 5;
    int h = swap ? p.width() : p.height();
    int w = swap ? p.height() : p.width();
    int c = p.channels();
    byte[] out = new byte[p.data().length];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int sx;
        int sy;
        switch (orientation) {
          case 2 -> { sx = p.width() - 1 - x; sy = y; }
          case 3 -> { sx = p.width() - 1 - x; sy = p.height() - 1 - y; }
          case 4 -> { sx = x; sy = p.height() - 1 - y; }
          case 5 -> { sx = y; sy = x; }
          case 6 -> { sx = y; sy = p.height() - 1 - x; }
          case 7 -> { sx = p.width() - 1 - y; sy = p.height() - 1 - x; }
          default -> { sx = p.width() - 1 - y; sy = x; }
        }
        System.arraycopy(p.data(), (sy * p.width() + sx) * c, out, (y * w + x) * c, c);
      }
    }
    return new Pixels(h, w, c, out);
  }
}
