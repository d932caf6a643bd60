package io.deeppipe.transforms.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ImageDecoderTest {
  private static final long MAX = 100_000_000L;

  @Test
  void rgbToGrayscaleUsesBt601Luma() throws Exception {
    byte[] png = Images.encode(Images.rgb(new int[][] {{0xFF0000, 0x00FF00}, {0x0000FF, 0xFFFFFF}}), "png");
    Pixels gray = ImageDecoder.decode(png, 1, MAX);
    assertThat(gray.height()).isEqualTo(2);
    assertThat(gray.width()).isEqualTo(2);
    // round(0.299*255)=76, round(0.587*255)=150, round(0.114*255)=29
    assertThat(new int[] {gray.get(0, 0, 0), gray.get(0, 1, 0), gray.get(1, 0, 0), gray.get(1, 1, 0)})
        .containsExactly(76, 150, 29, 255);
    Pixels rgb = ImageDecoder.decode(png, 3, MAX);
    assertThat(Arrays.copyOf(rgb.data(), 6)).containsExactly((byte) 255, 0, 0, 0, (byte) 255, 0);
  }

  @Test
  void grayPaletteRgbaAnd16BitPngsDecode() throws Exception {
    Pixels g = ImageDecoder.decode(Images.encode(Images.gray(new int[][] {{0, 128, 255}}), "png"), 3, MAX);
    assertThat(g.data()).containsExactly(0, 0, 0, (byte) 128, (byte) 128, (byte) 128, (byte) 255, (byte) 255, (byte) 255);

    IndexColorModel palette = new IndexColorModel(8, 2, new byte[] {0, (byte) 200}, new byte[] {0, 10}, new byte[] {0, 20});
    BufferedImage indexed = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_INDEXED, palette);
    indexed.getRaster().setSample(1, 0, 0, 1);
    assertThat(ImageDecoder.decode(Images.encode(indexed, "png"), 3, MAX).data()).containsExactly(0, 0, 0, (byte) 200, 10, 20);

    BufferedImage rgba = new BufferedImage(2, 1, BufferedImage.TYPE_INT_ARGB);
    rgba.setRGB(0, 0, 0xFF102030);
    rgba.setRGB(1, 0, 0x00FFFFFF); // fully transparent white: black after compositing on black
    assertThat(ImageDecoder.decode(Images.encode(rgba, "png"), 3, MAX).data()).containsExactly(0x10, 0x20, 0x30, 0, 0, 0);

    BufferedImage deep = new BufferedImage(2, 1, BufferedImage.TYPE_USHORT_GRAY);
    deep.getRaster().setSample(0, 0, 0, 65535);
    deep.getRaster().setSample(1, 0, 0, 32896); // 128.5 of 255 in 16 bits
    assertThat(ImageDecoder.decode(Images.encode(deep, "png"), 1, MAX).data()).containsExactly((byte) 255, (byte) 128);
  }

  @Test
  void openCvDecodesLosslessFilesExactlyAsImageIoDoes() throws Exception {
    java.util.Random r = new java.util.Random(3);
    int[][] rgb = new int[9][7];
    int[][] gray = new int[9][7];
    for (int y = 0; y < 9; y++) {
      for (int x = 0; x < 7; x++) {
        rgb[y][x] = r.nextInt(1 << 24);
        gray[y][x] = r.nextInt(256);
      }
    }
    BufferedImage rgba = new BufferedImage(7, 9, BufferedImage.TYPE_INT_ARGB);
    BufferedImage deep = new BufferedImage(7, 9, BufferedImage.TYPE_USHORT_GRAY);
    for (int y = 0; y < 9; y++) {
      for (int x = 0; x < 7; x++) {
        rgba.setRGB(x, y, r.nextInt());
        deep.getRaster().setSample(x, y, 0, r.nextInt(65536));
      }
    }
    for (Object[] c : new Object[][] {
        {Images.rgb(rgb), "png"}, {Images.gray(gray), "png"}, {rgba, "png"}, {deep, "png"}, {Images.rgb(rgb), "bmp"}}) {
      byte[] bytes = Images.encode((BufferedImage) c[0], (String) c[1]);
      for (int channels : new int[] {1, 3}) {
        Pixels fast = OpenCvDecoder.decode(bytes, channels);
        assertThat(fast).as("OpenCV decodes " + c[1]).isNotNull();
        Pixels reference = ImageDecoder.toPixels(javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(bytes)), channels);
        assertThat(fast.data()).as(c[1] + " " + ((BufferedImage) c[0]).getType() + " x" + channels).isEqualTo(reference.data());
      }
    }
  }

  @Test
  void gifBmpAndJpegDecode() throws Exception {
    BufferedImage img = Images.rgb(new int[][] {{0x808080, 0x808080}, {0x808080, 0x808080}});
    for (String format : new String[] {"gif", "bmp", "jpeg"}) {
      Pixels p = ImageDecoder.decode(Images.encode(img, format), 1, MAX);
      assertThat(p.get(1, 1, 0)).as(format).isBetween(124, 132);
    }
  }

  @Test
  void jpegExifOrientationIsApplied() throws Exception {
    int[][] rgb = new int[16][32];
    for (int[] row : rgb) {
      Arrays.fill(row, 0, 16, 0xFF0000);
      Arrays.fill(row, 16, 32, 0x0000FF);
    }
    byte[] jpeg = Images.encode(Images.rgb(rgb), "jpeg");
    Pixels stored = ImageDecoder.decode(jpeg, 3, MAX);
    assertThat(stored.height()).isEqualTo(16);
    Pixels turned = ImageDecoder.decode(Images.withExifOrientation(jpeg, 6), 3, MAX);
    // orientation 6: turn 90 degrees clockwise; the red left half ends on top
    assertThat(turned.height()).isEqualTo(32);
    assertThat(turned.width()).isEqualTo(16);
    assertThat(turned.get(2, 8, 0)).isGreaterThan(200);
    assertThat(turned.get(29, 8, 2)).isGreaterThan(200);
    assertThat(ExifOrientation.of(Images.withExifOrientation(jpeg, 3))).isEqualTo(3);
    assertThat(ExifOrientation.of(jpeg)).isEqualTo(1);
  }

  @Test
  void badFilesAreRejectedWithTheirOwnReason() {
    byte[] png = Images.encode(Images.gray(new int[64][64]), "png");
    byte[] jpeg = Images.encode(Images.rgb(new int[64][64]), "jpeg");
    assertReason(new byte[0], "zero_bytes");
    assertReason("this is not an image, whatever its name".getBytes(), "not_an_image");
    assertReason(Arrays.copyOf(png, png.length / 2), "truncated");
    assertReason(Arrays.copyOf(jpeg, jpeg.length / 2), "truncated");
    assertReason(Images.heifStub(), "unsupported_format");
    assertReason(Images.pngDeclaring(100_000, 100_000), "too_many_pixels");
    byte[] corrupt = png.clone();
    Arrays.fill(corrupt, 40, corrupt.length - 20, (byte) 0x55);
    assertReason(corrupt, "corrupt");
  }

  @Test
  void theBombIsRefusedFromItsHeaderWithoutAllocatingIt() {
    long before = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
    assertReason(Images.pngDeclaring(60_000, 60_000), "too_many_pixels");
    long after = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
    assertThat(after - before).isLessThan(512L << 20); // 3.6 G pixels were never allocated
  }

  private static void assertReason(byte[] bytes, String reason) {
    assertThatThrownBy(() -> ImageDecoder.decode(bytes, 3, MAX))
        .isInstanceOf(RejectedImage.class)
        .satisfies(e -> assertThat(((RejectedImage) e).reason()).as(e.getMessage()).isEqualTo(reason));
  }

  /**
   * Complete JPEGs take ImageIO's decoder with a direct raster copy: exactly the pixels of
   * ImageIO.read + the general BufferedImage conversion, for real colour photos and a gray JPEG,
   * into 3 and 1 channels (also odd sizes, a crop and a progressive JPEG, which its R, G, B
   * destination must not change); a JPEG it warns about, and a CMYK one, are left to the other paths.
   */
  @Test
  void jpegsDecodedByImageIoWithADirectCopyMatchTheGeneralConversion() throws Exception {
    java.nio.file.Path photos = io.deeppipe.transforms.testing.TestData.sklearnPhotosDir();
    java.util.List<byte[]> jpegs = new java.util.ArrayList<>(java.util.List.of(
        java.nio.file.Files.readAllBytes(photos.resolve("china.jpg")),
        java.nio.file.Files.readAllBytes(photos.resolve("flower.jpg")),
        Images.encode(Images.gray(new int[][] {{0, 60, 120}, {180, 240, 255}}), "jpg")));
    for (byte[] jpeg : jpegs) {
      BufferedImage reference = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(jpeg));
      for (int channels : new int[] {1, 3}) {
        Pixels fast = ImageDecoder.jpegByImageIo(jpeg, channels);
        assertThat(fast).isNotNull();
        assertThat(fast.data()).isEqualTo(ImageDecoder.toPixels(reference, channels).data());
        assertThat(ImageDecoder.decode(jpeg, channels, MAX).data()).isEqualTo(fast.data());
      }
    }
    // odd sizes (a raster row of 3 × 13 bytes), a crop of a real photo, and a progressive JPEG
    BufferedImage noisy = new BufferedImage(13, 7, BufferedImage.TYPE_INT_RGB);
    java.util.Random random = new java.util.Random(7);
    for (int y = 0; y < 7; y++) {
      for (int x = 0; x < 13; x++) {
        noisy.setRGB(x, y, random.nextInt(1 << 24));
      }
    }
    BufferedImage photo = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(jpegs.get(1)));
    jpegs.add(Images.encode(noisy, "jpg"));
    jpegs.add(Images.encode(photo.getSubimage(101, 37, 211, 153), "jpg"));
    jpegs.add(Images.progressiveJpeg(photo));
    for (byte[] jpeg : jpegs.subList(3, jpegs.size())) {
      BufferedImage reference = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(jpeg));
      for (int channels : new int[] {1, 3}) {
        Pixels fast = ImageDecoder.jpegByImageIo(jpeg, channels);
        assertThat(fast).isNotNull();
        assertThat(fast.width()).isEqualTo(reference.getWidth());
        assertThat(fast.data()).isEqualTo(ImageDecoder.toPixels(reference, channels).data());
      }
    }
    // a four-channel (CMYK) JPEG is not the JDK reader's: declined here, decoded by the other paths
    byte[] cmyk = Images.cmykJpeg(9, 5);
    assertThat(ImageDecoder.jpegByImageIo(cmyk, 3)).isNull();
    Pixels other = ImageDecoder.decode(cmyk, 3, MAX);
    assertThat(other.width()).isEqualTo(9);
    assertThat(other.height()).isEqualTo(5);
    byte[] damaged = jpegs.get(0).clone();
    for (int i = damaged.length / 2; i < damaged.length / 2 + 64; i++) {
      damaged[i] = (byte) 0xFF; // marker soup in the middle of the entropy-coded data
    }
    Pixels declined = ImageDecoder.jpegByImageIo(damaged, 3);
    assertThat(declined).as("a JPEG the JDK decoder warns about or fails on is left to the other paths").isNull();
  }

  /** The header sizes read without ImageIO are the ones ImageIO's reader declares. */
  @Test
  void headerSizeAgreesWithImageIo() throws Exception {
    java.util.List<byte[]> files = new java.util.ArrayList<>();
    java.nio.file.Path photos = io.deeppipe.transforms.testing.TestData.sklearnPhotosDir();
    files.add(java.nio.file.Files.readAllBytes(photos.resolve("china.jpg")));
    files.add(java.nio.file.Files.readAllBytes(photos.resolve("flower.jpg")));
    BufferedImage rgb = new BufferedImage(13, 7, BufferedImage.TYPE_INT_RGB);
    BufferedImage gray = new BufferedImage(5, 11, BufferedImage.TYPE_BYTE_GRAY);
    for (String f : new String[] {"png", "jpg"}) {
      files.add(Images.encode(rgb, f));
      files.add(Images.encode(gray, f));
    }
    for (byte[] b : files) {
      try (var in = javax.imageio.ImageIO.createImageInputStream(new java.io.ByteArrayInputStream(b))) {
        var reader = javax.imageio.ImageIO.getImageReaders(in).next();
        reader.setInput(in);
        assertThat(ImageDecoder.headerSize(ImageFormat.sniff(b), b))
            .containsExactly(reader.getWidth(0), reader.getHeight(0));
        reader.dispose();
      }
    }
    assertThat(ImageDecoder.headerSize(ImageFormat.JPEG, new byte[] {(byte) 0xFF, (byte) 0xD8, 0, 0, 0})).isNull();
  }
}
