package io.deeppipe.transforms.image;

import java.nio.charset.StandardCharsets;

/**
 * Recognises an image format from its first bytes, never from the file name: a text file named
 * {@code .jpg} is not an image, and a HEIF named {@code .png} is an unsupported format.
 */
public enum ImageFormat {
  JPEG(true),
  PNG(true),
  GIF(true),
  BMP(true),
  WEBP(true),
  TIFF(true),
  HEIF(false),
  SVG(false),
  ICO(false),
  PSD(false),
  UNKNOWN(false);

  private final boolean supported;

  ImageFormat(boolean supported) {
    this.supported = supported;
  }

  public boolean supported() {
    return supported;
  }

  public static ImageFormat sniff(byte[] b) {
    if (starts(b, 0xFF, 0xD8, 0xFF)) {
      return JPEG;
    }
    if (starts(b, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
      return PNG;
    }
    if (starts(b, 'G', 'I', 'F', '8')) {
      return GIF;
    }
    if (starts(b, 'B', 'M') && b.length >= 26) {
      return BMP;
    }
    if (starts(b, 'R', 'I', 'F', 'F') && b.length >= 12 && b[8] == 'W' && b[9] == 'E' && b[10] == 'B' && b[11] == 'P') {
      return WEBP;
    }
    if (starts(b, 'I', 'I', 42, 0) || starts(b, 'M', 'M', 0, 42)) {
      return TIFF;
    }
    if (b.length >= 12 && b[4] == 'f' && b[5] == 't' && b[6] == 'y' && b[7] == 'p') {
      return HEIF;
    }
    if (starts(b, 0, 0, 1, 0)) {
      return ICO;
    }
    if (starts(b, '8', 'B', 'P', 'S')) {
      return PSD;
    }
    String head = new String(b, 0, Math.min(b.length, 256), StandardCharsets.ISO_8859_1).stripLeading();
    if (head.startsWith("<svg") || head.startsWith("<?xml") && head.contains("<svg")) {
      return SVG;
    }
    return UNKNOWN;
  }

  private static boolean starts(byte[] b, int... magic) {
    if (b.length < magic.length) {
      return false;
    }
    for (int i = 0; i < magic.length; i++) {
      if ((b[i] & 0xFF) != magic[i]) {
        return false;
      }
    }
    return true;
  }
}
