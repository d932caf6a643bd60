package io.deeppipe.transforms.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * WebP and TIFF files written by independent tools — Debian's {@code webp} (cwebp, dwebp, img2webp) and
 * {@code libtiff-tools} (ppm2tiff, raw2tiff, tiffcp, tiffset), installed by bin/test — from known
 * pixels, decoded back: lossless WebP and every TIFF pixel for pixel, lossy WebP within a tolerance,
 * damaged files and header bombs rejected with their reason.
 */
class WebpAndTiffTest {
  private static final long MAX = 100_000_000L;
  private static final int W = 48;
  private static final int H = 32;
  @TempDir static Path dir;
  /** The source image: smooth gradients with deterministic noise, RGB, row-major. */
  static byte[] rgb;
  static byte[] gray;
  static short[] gray16;
  static Path ppm;
  /** The source with its alpha ramp composited over black: what a decoder must give for alpha.png. */
  static byte[] overBlack;

  @BeforeAll
  static void sources() throws IOException {
    java.util.Random random = new java.util.Random(7);
    rgb = new byte[W * H * 3];
    gray = new byte[W * H];
    gray16 = new short[W * H];
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        int p = y * W + x;
        rgb[p * 3] = (byte) (x * 5 + random.nextInt(20));
        rgb[p * 3 + 1] = (byte) (y * 7 + x);
        rgb[p * 3 + 2] = (byte) (x * y);
        gray[p] = (byte) (x * 3 + y * 2 + random.nextInt(9));
        gray16[p] = (short) (x * 1300 + y * 700 + random.nextInt(100));
      }
    }
    ByteBuffer header = ByteBuffer.wrap(("P6\n" + W + " " + H + "\n255\n").getBytes(StandardCharsets.US_ASCII));
    ppm = dir.resolve("source.ppm");
    Files.write(ppm, concat(header.array(), rgb));
    Files.write(dir.resolve("gray.raw"), gray);
    ByteBuffer le16 = ByteBuffer.allocate(W * H * 2).order(ByteOrder.nativeOrder());
    for (short s : gray16) {
      le16.putShort(s);
    }
    Files.write(dir.resolve("gray16.raw"), le16.array());
    // the source with alpha rising from 0 (left) to 255 (right), as a PNG for cwebp
    java.awt.image.BufferedImage argb = new java.awt.image.BufferedImage(W, H, java.awt.image.BufferedImage.TYPE_INT_ARGB);
    overBlack = new byte[W * H * 3];
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        int p = y * W + x;
        int a = x * 255 / (W - 1);
        int r = rgb[p * 3] & 0xFF;
        int g = rgb[p * 3 + 1] & 0xFF;
        int b = rgb[p * 3 + 2] & 0xFF;
        argb.setRGB(x, y, (a << 24) | (r << 16) | (g << 8) | b);
        overBlack[p * 3] = (byte) (r * a / 255);
        overBlack[p * 3 + 1] = (byte) (g * a / 255);
        overBlack[p * 3 + 2] = (byte) (b * a / 255);
      }
    }
    javax.imageio.ImageIO.write(argb, "png", dir.resolve("alpha.png").toFile());
  }

  @Test
  void losslessWebpDecodesPixelExact() throws Exception {
    byte[] webp = tool("lossless.webp", "cwebp", "-quiet", "-lossless", ppm.toString(), "-o", "lossless.webp");
    assertThat(new String(webp, 12, 4, StandardCharsets.ISO_8859_1)).isEqualTo("VP8L");
    assertThat(decode(webp, 3).data()).isEqualTo(rgb);
    assertThat(decode(webp, 1).data()).isEqualTo(luma(rgb));
  }

  @Test
  void lossyWebpDecodesWithinTolerance() throws Exception {
    byte[] webp = tool("lossy.webp", "cwebp", "-quiet", "-q", "90", ppm.toString(), "-o", "lossy.webp");
    assertThat(new String(webp, 12, 4, StandardCharsets.ISO_8859_1)).isEqualTo("VP8 ");
    Pixels p = decode(webp, 3);
    // against libwebp's own reference decoder (dwebp): the same pixels, up to rounding
    tool("lossy.ppm", "dwebp", "-quiet", "lossy.webp", "-ppm", "-o", "lossy.ppm");
    byte[] ppmBytes = Files.readAllBytes(dir.resolve("lossy.ppm"));
    byte[] reference = Arrays.copyOfRange(ppmBytes, ppmBytes.length - W * H * 3, ppmBytes.length);
    int maxDiff = 0;
    double fromSource = 0;
    for (int i = 0; i < rgb.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs((p.data()[i] & 0xFF) - (reference[i] & 0xFF)));
      fromSource += Math.abs((p.data()[i] & 0xFF) - (rgb[i] & 0xFF));
    }
    assertThat(maxDiff).as("largest difference from dwebp").isLessThanOrEqualTo(2);
    assertThat(fromSource / rgb.length).as("mean absolute error against the source").isLessThan(16.0);
  }

  @Test
  void webpWithAlphaIsCompositedOverBlack() throws Exception {
    byte[] webp = tool("alpha.webp", "cwebp", "-quiet", "-lossless", "-exact", "alpha.png", "-o", "alpha.webp");
    assertThat(new String(webp, 12, 4, StandardCharsets.ISO_8859_1)).isEqualTo("VP8L");
    assertThat(decode(webp, 3).data()).isEqualTo(overBlack);
  }

  @Test
  void tiffsDecodePixelExact() throws Exception {
    for (String compression : List.of("none", "lzw", "zip", "packbits")) {
      String name = "rgb-" + compression + ".tif";
      byte[] tiff = tool(name, "ppm2tiff", "-c", compression, ppm.toString(), name);
      assertThat(decode(tiff, 3).data()).as(name).isEqualTo(rgb);
    }
    byte[] bigEndian = tool("rgb-mm.tif", "tiffcp", "-B", "-c", "lzw", "rgb-none.tif", "rgb-mm.tif");
    assertThat(bigEndian[0]).isEqualTo((byte) 'M');
    assertThat(decode(bigEndian, 3).data()).isEqualTo(rgb);

    byte[] grayTiff = tool("gray.tif", "raw2tiff", "-w", "" + W, "-l", "" + H, "-d", "byte", "-p", "minisblack",
        "-b", "1", "-c", "none", "gray.raw", "gray.tif");
    assertThat(decode(grayTiff, 1).data()).isEqualTo(gray);

    byte[] deep = tool("gray16.tif", "raw2tiff", "-w", "" + W, "-l", "" + H, "-d", "short", "-p", "minisblack",
        "-b", "1", "-c", "zip", "gray16.raw", "gray16.tif");
    byte[] expected = new byte[W * H];
    for (int i = 0; i < expected.length; i++) {
      expected[i] = (byte) Math.round((gray16[i] & 0xFFFF) * 255.0 / 65535);
    }
    assertThat(decode(deep, 1).data()).isEqualTo(expected);

    byte[] multiPage = tool("pages.tif", "tiffcp", "rgb-lzw.tif", "gray.tif", "pages.tif");
    assertThat(decode(multiPage, 3).data()).as("first page").isEqualTo(rgb);
  }

  @Test
  void tiffOrientationTagIsApplied() throws Exception {
    for (int orientation : new int[] {3, 6}) {
      String name = "turned-" + orientation + ".tif";
      tool(name, "ppm2tiff", "-c", "lzw", ppm.toString(), name);
      byte[] turned = tool(name, "tiffset", "-s", "274", "" + orientation, name);
      Pixels expected = ExifOrientation.apply(new Pixels(H, W, 3, rgb.clone()), orientation);
      Pixels p = decode(turned, 3);
      assertThat(p.width()).as(name).isEqualTo(expected.width());
      assertThat(p.data()).as(name).isEqualTo(expected.data());
    }
  }

  @Test
  void damagedWebpAndTiffAreRejected() throws Exception {
    byte[] webp = tool("cut.webp", "cwebp", "-quiet", "-q", "90", ppm.toString(), "-o", "cut.webp");
    assertReason(Arrays.copyOf(webp, webp.length / 2), RejectedImage.TRUNCATED);
    byte[] garbled = webp.clone();
    Arrays.fill(garbled, 30, garbled.length, (byte) 0x55);
    assertReason(garbled, RejectedImage.CORRUPT);
    assertReason("RIFF\0\0\0\0WEBPVP8 ".getBytes(StandardCharsets.ISO_8859_1), RejectedImage.CORRUPT);
    tool("frame.webp", "cwebp", "-quiet", "-lossless", ppm.toString(), "-o", "frame.webp");
    byte[] animated = tool("animated.webp", "img2webp", "-loop", "0", "frame.webp", "-lossy", "cut.webp", "-o", "animated.webp");
    assertReason(animated, RejectedImage.UNSUPPORTED_FORMAT);

    byte[] tiff = tool("cut.tif", "ppm2tiff", "-c", "lzw", ppm.toString(), "cut.tif");
    assertReason(Arrays.copyOf(tiff, tiff.length / 2), RejectedImage.CORRUPT);
    byte[] noDirectory = {'I', 'I', 42, 0, 8, 0, 0, 0};
    assertReason(noDirectory, RejectedImage.CORRUPT);
  }

  @Test
  void headerBombsAreRefusedWithoutAllocating() throws Exception {
    byte[] webp = tool("bomb.webp", "cwebp", "-quiet", "-lossless", ppm.toString(), "-o", "bomb.webp");
    // VP8L header after its 0x2F signature: 14 bits width - 1, 14 bits height - 1 (16384 x 16384)
    int bits = 0x3FFF | (0x3FFF << 14) | ((webp[24] & 0xF0) << 24);
    ByteBuffer.wrap(webp, 21, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(bits);
    byte[] tiff = tool("bomb.tif", "ppm2tiff", "-c", "none", ppm.toString(), "bomb.tif");
    setTiffSize(tiff, 100_000, 100_000);
    long before = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
    assertReason(webp, RejectedImage.TOO_MANY_PIXELS);
    assertReason(tiff, RejectedImage.TOO_MANY_PIXELS);
    long after = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
    assertThat(after - before).isLessThan(256L << 20);
  }

  @Test
  void headerSizesAgreeWithTheDecodedImages() throws Exception {
    byte[] lossy = tool("size.webp", "cwebp", "-quiet", ppm.toString(), "-o", "size.webp");
    byte[] extended = tool("lossy-alpha.webp", "cwebp", "-quiet", "-alpha_q", "50", "alpha.png", "-o", "lossy-alpha.webp");
    assertThat(new String(extended, 12, 4, StandardCharsets.ISO_8859_1)).isEqualTo("VP8X");
    assertThat(ImageDecoder.headerSize(ImageFormat.WEBP, lossy)).containsExactly(W, H);
    assertThat(ImageDecoder.headerSize(ImageFormat.WEBP, extended)).containsExactly(W, H);
    assertThat(decode(extended, 3).width()).isEqualTo(W);
  }

  /** Rewrites a little-endian TIFF's ImageWidth and ImageLength tags as LONG values. */
  private static void setTiffSize(byte[] tiff, long width, long height) {
    ByteBuffer b = ByteBuffer.wrap(tiff).order(tiff[0] == 'M' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
    int ifd = b.getInt(4);
    int n = b.getShort(ifd);
    for (int i = 0; i < n; i++) {
      int e = ifd + 2 + i * 12;
      int tag = b.getShort(e);
      if (tag == 256 || tag == 257) {
        b.putShort(e + 2, (short) 4).putInt(e + 4, 1).putInt(e + 8, (int) (tag == 256 ? width : height));
      }
    }
  }

  private static Pixels decode(byte[] bytes, int channels) throws RejectedImage {
    return ImageDecoder.decode(bytes, channels, MAX);
  }

  private static void assertReason(byte[] bytes, String reason) {
    assertThatThrownBy(() -> ImageDecoder.decode(bytes, 3, MAX))
        .isInstanceOf(RejectedImage.class)
        .satisfies(e -> assertThat(((RejectedImage) e).reason()).as(e.getMessage()).isEqualTo(reason));
  }

  private static byte[] luma(byte[] rgb) {
    byte[] out = new byte[rgb.length / 3];
    for (int p = 0; p < out.length; p++) {
      out[p] = (byte) ImageDecoder.luma(rgb[p * 3] & 0xFF, rgb[p * 3 + 1] & 0xFF, rgb[p * 3 + 2] & 0xFF);
    }
    return out;
  }

  /** Runs a command-line tool in the fixture folder and returns the file it wrote. */
  private static byte[] tool(String output, String... command) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(command));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", cmd) + " (Debian webp / libtiff-tools, installed by bin/test): " + log)
        .isZero();
    return Files.readAllBytes(dir.resolve(output));
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
