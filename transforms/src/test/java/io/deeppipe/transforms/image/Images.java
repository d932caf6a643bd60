package io.deeppipe.transforms.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;

/** Small images built in tests, encoded by the JDK, and hand-made malformed files. */
final class Images {
  private Images() {}

  static byte[] encode(BufferedImage img, String format) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      if (!ImageIO.write(img, format, out)) {
        throw new IllegalStateException("no writer for " + format);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code img} as a progressive JPEG (the JDK's writer, its default progression). */
  static byte[] progressiveJpeg(BufferedImage img) {
    return jpeg(new javax.imageio.IIOImage(img, null, null), true);
  }

  /** A four-channel (CMYK, Adobe) JPEG of {@code width x height}, written from a raster by the JDK's writer. */
  static byte[] cmykJpeg(int width, int height) {
    java.awt.image.WritableRaster raster = java.awt.image.Raster.createInterleavedRaster(
        java.awt.image.DataBuffer.TYPE_BYTE, width, height, 4, null);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        raster.setPixel(x, y, new int[] {x * 20, y * 40, 60, 30});
      }
    }
    return jpeg(new javax.imageio.IIOImage(raster, null, null), false);
  }

  private static byte[] jpeg(javax.imageio.IIOImage image, boolean progressive) {
    javax.imageio.ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    try (ByteArrayOutputStream out = new ByteArrayOutputStream();
        javax.imageio.stream.ImageOutputStream stream = ImageIO.createImageOutputStream(out)) {
      javax.imageio.ImageWriteParam param = writer.getDefaultWriteParam();
      if (progressive) {
        param.setProgressiveMode(javax.imageio.ImageWriteParam.MODE_DEFAULT);
      }
      writer.setOutput(stream);
      writer.write(null, image, param);
      stream.flush();
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      writer.dispose();
    }
  }

  /** An RGB image whose pixel (y, x) is given by {@code rgb[y][x]} (0xRRGGBB). */
  static BufferedImage rgb(int[][] rgb) {
    BufferedImage img = new BufferedImage(rgb[0].length, rgb.length, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < rgb.length; y++) {
      for (int x = 0; x < rgb[0].length; x++) {
        img.setRGB(x, y, rgb[y][x]);
      }
    }
    return img;
  }

  static BufferedImage gray(int[][] v) {
    BufferedImage img = new BufferedImage(v[0].length, v.length, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < v.length; y++) {
      for (int x = 0; x < v[0].length; x++) {
        img.getRaster().setSample(x, y, 0, v[y][x]);
      }
    }
    return img;
  }

  /**
   * A valid PNG signature and IHDR declaring {@code width x height} (a decompression bomb: a tiny
   * file that would need gigabytes once decoded), followed by a one-byte IDAT.
   */
  /** The start of a HEIF/HEIC file (an ISO-BMFF {@code ftyp} box): a format no decoder here reads. */
  static byte[] heifStub() {
    return new byte[] {0, 0, 0, 24, 'f', 't', 'y', 'p', 'h', 'e', 'i', 'c', 0, 0, 0, 0, 'm', 'i', 'f', '1', 'h', 'e', 'i', 'c'};
  }

  static byte[] pngDeclaring(int width, int height) {
    ByteBuffer b = ByteBuffer.allocate(8 + 25 + 13 + 12);
    b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
    ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0);
    chunk(b, "IHDR", ihdr.array());
    chunk(b, "IDAT", new byte[] {0});
    return java.util.Arrays.copyOf(b.array(), b.position());
  }

  private static void chunk(ByteBuffer b, String type, byte[] data) {
    b.putInt(data.length);
    byte[] t = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    b.put(t).put(data);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    b.putInt((int) crc.getValue());
  }

  /** {@code jpeg} with an EXIF APP1 block carrying {@code orientation}, inserted after SOI. */
  static byte[] withExifOrientation(byte[] jpeg, int orientation) {
    ByteBuffer tiff = ByteBuffer.allocate(8 + 2 + 12 + 4);
    tiff.put(new byte[] {'M', 'M', 0, 42}).putInt(8).putShort((short) 1)
        .putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0)
        .putInt(0);
    byte[] exif = ByteBuffer.allocate(6 + tiff.capacity()).put(new byte[] {'E', 'x', 'i', 'f', 0, 0}).put(tiff.array()).array();
    ByteBuffer out = ByteBuffer.allocate(jpeg.length + 4 + exif.length);
    out.put(jpeg, 0, 2).put((byte) 0xFF).put((byte) 0xE1).putShort((short) (exif.length + 2)).put(exif);
    out.put(jpeg, 2, jpeg.length - 2);
    return out.array();
  }
}
