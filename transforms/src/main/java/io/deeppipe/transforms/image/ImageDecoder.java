package io.deeppipe.transforms.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes complete JPEGs with the JDK's ImageIO (raster copied directly), PNG, BMP, WebP and TIFF
 * (and JPEGs ImageIO declines) with OpenCV ({@link OpenCvDecoder}), GIF, damaged files and TIFFs
 * OpenCV declines with ImageIO (the JDK's own TIFF reader),
 * after checking the declared size from the header alone (ImageIO's reader, which reads no
 * pixels) so a decompression bomb is refused before a single pixel is allocated. Output: HWC uint8 with 1 (BT.601 luma) or 3 (RGB) channels; alpha is
 * composited over black; 16-bit samples are scaled to 8 bits; JPEG EXIF orientation is applied.
 */
public final class ImageDecoder {
  static {
    ImageIO.setUseCache(false); // decode in memory; never write temp files on executors
  }

  private ImageDecoder() {}

  public static Pixels decode(byte[] bytes, int channels, long maxPixels) throws RejectedImage {
    if (bytes.length == 0) {
      throw new RejectedImage(RejectedImage.ZERO_BYTES, "empty file");
    }
    ImageFormat format = ImageFormat.sniff(bytes);
    if (format == ImageFormat.UNKNOWN) {
      throw new RejectedImage(RejectedImage.NOT_AN_IMAGE, "no image signature in the first bytes");
    }
    if (!format.supported()) {
      throw new RejectedImage(RejectedImage.UNSUPPORTED_FORMAT, format.name().toLowerCase(Locale.ROOT) + " is not supported");
    }
    if (format == ImageFormat.WEBP || format == ImageFormat.TIFF) {
      Pixels pixels = webpOrTiff(format, bytes, channels, maxPixels);
      if (pixels != null) {
        return pixels;
      }
      // a TIFF OpenCV declines goes on to the JDK's TIFF reader, which decodes it or says why
    } else if ((format == ImageFormat.JPEG || format == ImageFormat.PNG) && hasEndMarker(format, bytes)) {
      // the common case without ImageIO: a complete JPEG/PNG whose header (read here, no pixels)
      // declares an allowed size, decoded by OpenCV to exactly that size. Creating an ImageIO
      // reader only to read the size cost as much as OpenCV's whole decode (bin/bench).
      long[] size = headerSize(format, bytes);
      if (size != null && size[0] > 0 && size[1] > 0 && size[0] * size[1] <= maxPixels) {
        Pixels fast = format == ImageFormat.JPEG ? jpegByImageIo(bytes, channels) : null;
        if (fast == null) {
          fast = OpenCvDecoder.decode(bytes, channels);
        }
        if (fast != null && fast.width() == size[0] && fast.height() == size[1]) {
          return format == ImageFormat.JPEG ? ExifOrientation.apply(fast, ExifOrientation.of(bytes)) : fast;
        }
      }
    }
    BufferedImage image;
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw new RejectedImage(RejectedImage.UNSUPPORTED_FORMAT, "no decoder for " + format);
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        long w = reader.getWidth(0);
        long h = reader.getHeight(0);
        if (w <= 0 || h <= 0) {
          throw new RejectedImage(RejectedImage.CORRUPT, "header declares " + w + "x" + h);
        }
        if (w * h > maxPixels) {
          throw new RejectedImage(
              RejectedImage.TOO_MANY_PIXELS, "header declares " + w + "x" + h + " > --max-pixels " + maxPixels);
        }
        if (format != ImageFormat.GIF && format != ImageFormat.TIFF && hasEndMarker(format, bytes)) {
          // complete JPEG/PNG/BMP files go to OpenCV; GIF (which it lacks), TIFFs it already declined
          // and files without their end marker stay with ImageIO, whose warnings and errors tell
          // truncated from corrupt
          Pixels fast = OpenCvDecoder.decode(bytes, channels);
          if (fast != null) {
            return format == ImageFormat.JPEG ? ExifOrientation.apply(fast, ExifOrientation.of(bytes)) : fast;
          }
        }
        String[] warning = new String[1];
        reader.addIIOReadWarningListener(
            (IIOReadWarningListener) (source, message) -> warning[0] = warning[0] == null ? message : warning[0]);
        image = reader.read(0);
        if (warning[0] != null) {
          throw new RejectedImage(RejectedImage.TRUNCATED, warning[0]);
        }
      } finally {
        reader.dispose();
      }
    } catch (RejectedImage e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      String reason = looksTruncated(e, format, bytes) ? RejectedImage.TRUNCATED : RejectedImage.CORRUPT;
      throw new RejectedImage(reason, e.getClass().getSimpleName() + ": " + e.getMessage());
    } catch (OutOfMemoryError e) {
      throw new RejectedImage(RejectedImage.TOO_MANY_PIXELS, "out of memory decoding");
    }
    if (image == null) {
      throw new RejectedImage(RejectedImage.CORRUPT, "decoder returned no image");
    }
    Pixels pixels = toPixels(image, channels);
    return switch (format) {
      case JPEG -> ExifOrientation.apply(pixels, ExifOrientation.of(bytes));
      case TIFF -> ExifOrientation.apply(pixels, ExifOrientation.ofTiff(bytes));
      default -> pixels;
    };
  }

  /**
   * WebP and TIFF by OpenCV's {@code imdecode} (its bundled libwebp and libtiff), after the size
   * their header declares is checked: a WebP is decoded here or rejected, a TIFF that OpenCV cannot
   * decode (an unusual compression or sample format) returns null for ImageIO's TIFF reader to try.
   * So does a TIFF with an orientation tag: OpenCV's TIFF decoder turns some sample formats and not
   * others, the JDK's reader turns none, and the tag is then applied as a JPEG's EXIF one is.
   * Multi-page TIFFs give their first page.
   */
  private static Pixels webpOrTiff(ImageFormat format, byte[] bytes, int channels, long maxPixels) throws RejectedImage {
    long[] size = headerSize(format, bytes);
    if (size == null) {
      if (format == ImageFormat.TIFF) {
        return null;
      }
      throw new RejectedImage(hasEndMarker(format, bytes) ? RejectedImage.CORRUPT : RejectedImage.TRUNCATED,
          "no VP8, VP8L or VP8X header where a WebP has it");
    }
    if (size[0] <= 0 || size[1] <= 0) {
      throw new RejectedImage(RejectedImage.CORRUPT, "header declares " + size[0] + "x" + size[1]);
    }
    if (size[0] * size[1] > maxPixels) {
      throw new RejectedImage(RejectedImage.TOO_MANY_PIXELS,
          "header declares " + size[0] + "x" + size[1] + " > --max-pixels " + maxPixels);
    }
    if (format == ImageFormat.TIFF && ExifOrientation.ofTiff(bytes) != 1) {
      return null;
    }
    if (format == ImageFormat.WEBP && isAnimatedWebp(bytes)) {
      throw new RejectedImage(RejectedImage.UNSUPPORTED_FORMAT, "animated webp is not supported");
    }
    Pixels pixels = OpenCvDecoder.decode(bytes, channels);
    if (pixels != null && pixels.width() == size[0] && pixels.height() == size[1]) {
      return pixels;
    }
    if (format == ImageFormat.TIFF) {
      return null;
    }
    throw new RejectedImage(hasEndMarker(format, bytes) ? RejectedImage.CORRUPT : RejectedImage.TRUNCATED,
        pixels == null ? "libwebp cannot decode it" : "decoded size differs from the header's");
  }

  /** VP8X's animation flag: OpenCV 4.5.5 decodes still WebP only. */
  private static boolean isAnimatedWebp(byte[] b) {
    return b.length > 20 && b[12] == 'V' && b[13] == 'P' && b[14] == '8' && b[15] == 'X' && (b[20] & 0x02) != 0;
  }

  /**
   * {width, height} from a PNG's IHDR, a JPEG's start-of-frame segment, a WebP's first chunk or a
   * TIFF's first directory, or null when the header is not where a well-formed file has it (the
   * caller then takes ImageIO's path, which tells why, or for WebP rejects the file).
   */
  static long[] headerSize(ImageFormat format, byte[] b) {
    if (format == ImageFormat.WEBP) {
      return webpSize(b);
    }
    if (format == ImageFormat.TIFF) {
      return tiffSize(b);
    }
    if (format == ImageFormat.PNG) {
      if (b.length < 24 || b[12] != 'I' || b[13] != 'H' || b[14] != 'D' || b[15] != 'R') {
        return null;
      }
      return new long[] {u32(b, 16), u32(b, 20)};
    }
    int i = 2; // after SOI
    while (i + 3 < b.length) {
      if ((b[i] & 0xFF) != 0xFF) {
        return null;
      }
      int marker = b[i + 1] & 0xFF;
      if (marker == 0xFF) { // fill byte
        i++;
        continue;
      }
      if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) { // no length
        i += 2;
        continue;
      }
      if (marker == 0xD9 || marker == 0xDA) { // image data before any frame header
        return null;
      }
      int length = ((b[i + 2] & 0xFF) << 8) | (b[i + 3] & 0xFF);
      boolean sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
      if (sof) {
        if (i + 8 >= b.length || length < 7) {
          return null;
        }
        long h = ((b[i + 5] & 0xFF) << 8) | (b[i + 6] & 0xFF);
        long w = ((b[i + 7] & 0xFF) << 8) | (b[i + 8] & 0xFF);
        return new long[] {w, h};
      }
      if (length < 2) {
        return null;
      }
      i += 2 + length;
    }
    return null;
  }

  /**
   * {width, height} of a WebP's canvas: from the VP8X chunk (24-bit sizes), else the lossless
   * (VP8L) or lossy (VP8) bitstream's header (14-bit sizes); null when the first chunk is none of them.
   */
  private static long[] webpSize(byte[] b) {
    if (b.length < 30) {
      return null;
    }
    String chunk = new String(b, 12, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
    return switch (chunk) {
      case "VP8X" -> new long[] {1 + u24le(b, 24), 1 + u24le(b, 27)};
      case "VP8L" -> {
        if ((b[20] & 0xFF) != 0x2F) {
          yield null;
        }
        long bits = u24le(b, 21) | ((long) (b[24] & 0xFF) << 24);
        yield new long[] {1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)};
      }
      case "VP8 " -> {
        if ((b[23] & 0xFF) != 0x9D || (b[24] & 0xFF) != 0x01 || (b[25] & 0xFF) != 0x2A) {
          yield null;
        }
        yield new long[] {u24le(b, 26) & 0x3FFF, u24le(b, 28) & 0x3FFF};
      }
      default -> null;
    };
  }

  /**
   * {width, height} from the ImageWidth and ImageLength tags of a TIFF's first directory (the page
   * OpenCV decodes), or null when the directory or either tag is not readable.
   */
  private static long[] tiffSize(byte[] b) {
    if (b.length < 8) {
      return null;
    }
    boolean big = b[0] == 'M';
    long ifd = big ? u32(b, 4) : u32le(b, 4);
    if (ifd < 8 || ifd + 2 > b.length) {
      return null;
    }
    int at = (int) ifd;
    int entries = big ? ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF) : (b[at] & 0xFF) | ((b[at + 1] & 0xFF) << 8);
    long width = -1;
    long height = -1;
    for (int i = 0; i < entries && at + 2 + (i + 1) * 12 <= b.length; i++) {
      int e = at + 2 + i * 12;
      int tag = big ? ((b[e] & 0xFF) << 8) | (b[e + 1] & 0xFF) : (b[e] & 0xFF) | ((b[e + 1] & 0xFF) << 8);
      int type = big ? ((b[e + 2] & 0xFF) << 8) | (b[e + 3] & 0xFF) : (b[e + 2] & 0xFF) | ((b[e + 3] & 0xFF) << 8);
      if (tag != 256 && tag != 257) {
        continue;
      }
      long value;
      if (type == 3) { // SHORT, left-justified in the value field
        value = big ? ((b[e + 8] & 0xFF) << 8) | (b[e + 9] & 0xFF) : (b[e + 8] & 0xFF) | ((b[e + 9] & 0xFF) << 8);
      } else if (type == 4) { // LONG
        value = big ? u32(b, e + 8) : u32le(b, e + 8);
      } else {
        return null;
      }
      if (tag == 256) {
        width = value;
      } else {
        height = value;
      }
    }
    return width < 0 || height < 0 ? null : new long[] {width, height};
  }

  private static long u24le(byte[] b, int at) {
    return (b[at] & 0xFF) | ((b[at + 1] & 0xFF) << 8) | ((b[at + 2] & 0xFF) << 16);
  }

  private static long u32le(byte[] b, int at) {
    return u24le(b, at) | ((long) (b[at + 3] & 0xFF) << 24);
  }

  private static long u32(byte[] b, int at) {
    return ((long) (b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
  }

  /** A decode failure caused by missing bytes rather than wrong ones. */
  private static boolean looksTruncated(Throwable e, ImageFormat format, byte[] bytes) {
    if (format != ImageFormat.BMP) {
      return !hasEndMarker(format, bytes); // complete length with bad content inside is corruption
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = String.valueOf(t.getMessage());
      if (t instanceof java.io.EOFException || m.contains("end of") || m.contains("EOF") || m.contains("Premature")) {
        return true;
      }
    }
    return false;
  }

  /** Whether the file ends the way a complete file of its format ends (PNG IEND, JPEG EOI, GIF trailer). */
  private static boolean hasEndMarker(ImageFormat format, byte[] b) {
    int n = b.length;
    return switch (format) {
      case PNG -> n >= 12 && b[n - 8] == 'I' && b[n - 7] == 'E' && b[n - 6] == 'N' && b[n - 5] == 'D';
      case JPEG -> {
        for (int i = n - 2; i >= Math.max(0, n - 64); i--) {
          if ((b[i] & 0xFF) == 0xFF && (b[i + 1] & 0xFF) == 0xD9) {
            yield true;
          }
        }
        yield false;
      }
      case GIF -> n > 0 && b[n - 1] == 0x3B;
      case WEBP -> n >= 12 && 8 + u32le(b, 4) <= n; // the RIFF header's size of the whole file
      default -> true;
    };
  }

  /**
   * A complete 8-bit gray or YCbCr JPEG by the JDK's decoder (native libjpeg), which decoded real
   * photos about twice as fast as OpenCV 4.5.5's imdecode (BENCHMARKS.md). A colour JPEG is decoded
   * straight into an R, G, B raster of our own: libjpeg hands the reader R, G, B scanlines, which it
   * copies whole into such a raster, where into its default B, G, R image it stores them sample by
   * sample (and the B, G, R then had to be swapped back) — ~40 % of a photo's decode. Null for
   * anything else — CMYK/YCCK, an ICC-profiled or exotic type, a decoder warning or error — which
   * then takes OpenCV's path (and, failing that, ImageIO's, which says why).
   */
  static Pixels jpegByImageIo(byte[] bytes, int channels) {
    Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName("jpeg");
    if (!readers.hasNext()) {
      return null;
    }
    ImageReader reader = readers.next();
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
      reader.setInput(in, true, true);
      boolean[] warned = new boolean[1];
      reader.addIIOReadWarningListener((IIOReadWarningListener) (source, message) -> warned[0] = true);
      int type = reader.getImageTypes(0).next().getBufferedImageType();
      if (type == BufferedImage.TYPE_3BYTE_BGR) {
        int w = reader.getWidth(0);
        int h = reader.getHeight(0);
        byte[] rgb = new byte[Math.multiplyExact(Math.multiplyExact(w, h), 3)];
        ImageReadParam param = reader.getDefaultReadParam();
        param.setDestination(new BufferedImage(RGB, Raster.createInterleavedRaster(
            new DataBufferByte(rgb, rgb.length), w, h, w * 3, 3, new int[] {0, 1, 2}, null), false, null));
        reader.read(0, param);
        return warned[0] ? null : channels == 3 ? new Pixels(h, w, 3, rgb) : rgbToLuma(rgb, h, w);
      }
      if (type != BufferedImage.TYPE_BYTE_GRAY) {
        return null;
      }
      BufferedImage image = reader.read(0);
      return warned[0] ? null : gray8(image, channels);
    } catch (IOException | RuntimeException e) {
      return null;
    } finally {
      reader.dispose();
    }
  }

  /** Opaque sRGB over interleaved R, G, B bytes: the layout libjpeg's scanlines are copied from. */
  private static final ColorModel RGB = new ComponentColorModel(
      ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false, ColorModel.OPAQUE, DataBuffer.TYPE_BYTE);

  /** A decoded TYPE_BYTE_GRAY image's own bytes, or null for a raster laid out otherwise. */
  private static Pixels gray8(BufferedImage image, int channels) {
    int w = image.getWidth();
    int h = image.getHeight();
    Raster raster = image.getRaster();
    if (image.getType() != BufferedImage.TYPE_BYTE_GRAY
        || !(raster.getDataBuffer() instanceof DataBufferByte buffer)
        || !(raster.getSampleModel() instanceof java.awt.image.PixelInterleavedSampleModel model)
        || model.getScanlineStride() != w || model.getPixelStride() != 1
        || raster.getSampleModelTranslateX() != 0 || raster.getSampleModelTranslateY() != 0
        || buffer.getNumBanks() != 1 || buffer.getOffset() != 0) {
      return null;
    }
    return packed8(buffer.getData(), h, w, 1, channels);
  }

  /** R, G, B samples to BT.601 luma. */
  private static Pixels rgbToLuma(byte[] rgb, int h, int w) {
    byte[] out = new byte[h * w];
    for (int p = 0; p < out.length; p++) {
      out[p] = (byte) luma(rgb[p * 3] & 0xFF, rgb[p * 3 + 1] & 0xFF, rgb[p * 3 + 2] & 0xFF);
    }
    return new Pixels(h, w, 1, out);
  }

  /**
   * Packed 8-bit gray ({@code bands} 1) or B, G, R ({@code bands} 3) samples to HWC gray or RGB:
   * copied (gray), reordered in place (BGR to RGB) or reduced to BT.601 luma — the values the
   * general conversions give for opaque pixels, without their per-sample work.
   */
  static Pixels packed8(byte[] raw, int h, int w, int bands, int channels) {
    int n = h * w;
    // every loop runs to an array's own length: bounded by n * 3 instead, the JIT kept a range check
    // on each access and the B, G, R swap took ~4x as long (~0.35 ms a photo, a third of its decode)
    // (a longer buffer is cut to the image; a shorter one fails below, as it always has)
    byte[] src = raw.length > n * bands ? java.util.Arrays.copyOf(raw, n * bands) : raw;
    if (bands == channels) {
      if (bands == 3) {
        for (int p = 0; p + 2 < src.length; p += 3) {
          byte b = src[p];
          src[p] = src[p + 2];
          src[p + 2] = b;
        }
      }
      return new Pixels(h, w, channels, src);
    }
    byte[] out = new byte[n * channels];
    if (bands == 1) { // gray to RGB
      for (int p = 0; p < src.length; p++) {
        out[p * 3] = out[p * 3 + 1] = out[p * 3 + 2] = src[p];
      }
    } else { // BGR to luma
      for (int p = 0; p < out.length; p++) {
        out[p] = (byte) luma(src[p * 3 + 2] & 0xFF, src[p * 3 + 1] & 0xFF, src[p * 3] & 0xFF);
      }
    }
    return new Pixels(h, w, channels, out);
  }

  /** Converts any BufferedImage (gray, RGB, RGBA, palette, 16-bit) to HWC uint8. */
  static Pixels toPixels(BufferedImage image, int channels) {
    int w = image.getWidth();
    int h = image.getHeight();
    byte[] out = new byte[w * h * channels];
    Raster raster = image.getRaster();
    boolean gray = image.getColorModel().getNumColorComponents() == 1
        && image.getColorModel().getColorSpace().getType() == java.awt.color.ColorSpace.TYPE_GRAY
        && !(image.getColorModel() instanceof java.awt.image.IndexColorModel);
    boolean alpha = image.getColorModel().hasAlpha();
    if (gray) {
      int bits = image.getColorModel().getComponentSize(0);
      int[] row = new int[w * raster.getNumBands()];
      int bands = raster.getNumBands();
      for (int y = 0; y < h; y++) {
        raster.getPixels(0, y, w, 1, row);
        for (int x = 0; x < w; x++) {
          int v = scaleTo8(row[x * bands], bits);
          if (alpha && bands > 1) {
            v = v * scaleTo8(row[x * bands + 1], image.getColorModel().getComponentSize(1)) / 255;
          }
          for (int c = 0; c < channels; c++) {
            out[(y * w + x) * channels + c] = (byte) v;
          }
        }
      }
      return new Pixels(h, w, channels, out);
    }
    int[] argb = new int[w];
    for (int y = 0; y < h; y++) {
      image.getRGB(0, y, w, 1, argb, 0, w);
      for (int x = 0; x < w; x++) {
        int p = argb[x];
        int a = alpha ? (p >>> 24) : 255;
        int r = ((p >> 16) & 0xFF) * a / 255;
        int g = ((p >> 8) & 0xFF) * a / 255;
        int b = (p & 0xFF) * a / 255;
        int base = (y * w + x) * channels;
        if (channels == 1) {
          out[base] = (byte) luma(r, g, b);
        } else {
          out[base] = (byte) r;
          out[base + 1] = (byte) g;
          out[base + 2] = (byte) b;
        }
      }
    }
    return new Pixels(h, w, channels, out);
  }

  /** ITU-R BT.601 luma, rounded. */
  public static int luma(int r, int g, int b) {
    return (int) Math.round(0.299 * r + 0.587 * g + 0.114 * b);
  }

  private static int scaleTo8(int v, int bits) {
    if (bits == 8) {
      return v;
    }
    int max = (1 << bits) - 1;
    return (int) Math.round(v * 255.0 / max);
  }
}
