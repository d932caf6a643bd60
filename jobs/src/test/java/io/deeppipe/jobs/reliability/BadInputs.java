package io.deeppipe.jobs.reliability;

import io.deeppipe.transforms.testing.TestData;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import javax.imageio.ImageIO;

/**
 * The bad-input corpus: broken files and records of every kind the jobs must survive, written at
 * test time, each with the outcome it must have. To add a case, add one {@link Case} line to the
 * corpus it belongs to: {@code marker} is a string found in the record (text) or the file path
 * (images) that identifies it in {@code rejected/}; {@code reason} is the rejected reason, or
 * {@link #ACCEPTED} / {@link #DUPLICATE}. The tests derive every count from these lists.
 *
 * <p>Paths deliberately contain spaces and non-ASCII characters: they must be accepted normally.
 */
public final class BadInputs {
  public static final String ACCEPTED = "accepted";
  public static final String DUPLICATE = "duplicate";
  /** Longer than ingest-text's default --max-chars (1 000 000). */
  static final int HUGE_CHARS = 1_000_100;

  private BadInputs() {}

  /** One input record or file and what must become of it. */
  public record Case(String marker, String reason, String why) {}

  /** A corpus on disk: what to pass as input, and every record's expected outcome. */
  public record Corpus(Path input, List<Case> cases) {
    public long inputRecords() {
      return cases.size();
    }

    public long count(String reason) {
      return cases.stream().filter(c -> c.reason().equals(reason)).count();
    }

    /** Expected {@code rejected_by_reason}. */
    public Map<String, Long> rejectedByReason() {
      Map<String, Long> m = new TreeMap<>();
      for (Case c : cases) {
        if (!c.reason().equals(ACCEPTED) && !c.reason().equals(DUPLICATE)) {
          m.merge(c.reason(), 1L, Long::sum);
        }
      }
      return m;
    }

    public List<Case> rejected() {
      return cases.stream().filter(c -> !c.reason().equals(ACCEPTED) && !c.reason().equals(DUPLICATE)).toList();
    }

    /** The same corpus as {@code predict} sees it: no length limits, no de-duplication, labels optional. */
    public Corpus forPredict() {
      List<Case> out = new ArrayList<>();
      for (Case c : cases) {
        String r = switch (c.reason()) {
          case DUPLICATE, "too_long", "too_short", "missing_label" -> ACCEPTED;
          default -> c.reason();
        };
        out.add(new Case(c.marker(), r, c.why()));
      }
      return new Corpus(input, out);
    }
  }

  // ---------------------------------------------------------------- text

  /** JSON Lines: every kind of broken record, in a folder and a file name with spaces and non-ASCII. */
  public static Corpus jsonLines(Path root) throws IOException {
    Path dir = Files.createDirectories(root.resolve("json lines ünï 名前"));
    List<Case> cases = new ArrayList<>();
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    line(b, cases, "{\"id\": \"g-en\", \"text\": \"the quick brown fox jumps\", \"label\": \"en\"}", "g-en", ACCEPTED, "good");
    line(b, cases, "{\"id\": \"g-fr\", \"text\": \"le renard brun saute\", \"label\": \"fr\"}", "g-fr", ACCEPTED, "good");
    line(b, cases, "{\"id\": \"g-zh\", \"text\": \"快速的棕色狐狸\", \"label\": \"zh\"}", "g-zh", ACCEPTED, "good, CJK");
    line(b, cases, "{\"id\": \"g-ü 名\", \"text\": \"grüße aus 東京\", \"label\": \"de\"}", "g-ü 名", ACCEPTED, "non-ASCII id");
    line(b, cases, "{\"id\": \"g-num\", \"text\": 12345, \"label\": \"en\"}", "g-num", ACCEPTED, "a number as text");
    // cleans to the text of g-en; the smaller id ("dup" < "g-en") is kept, g-en counts as the duplicate
    line(b, cases, "{\"id\": \"dup\", \"text\": \"the  quick   brown fox jumps\", \"label\": \"en\"}", "dup", ACCEPTED, "kept of two");
    cases.set(0, new Case("g-en", DUPLICATE, "same cleaned text as 'dup'"));
    line(b, cases, "{\"id\": \"bad-unterminated\", \"text\": \"no end", "bad-unterminated", "malformed_json", "truncated object");
    line(b, cases, "[\"bad-array\", 1, 2]", "bad-array", "malformed_json", "an array, not an object");
    line(b, cases, "\"bad-string\"", "bad-string", "malformed_json", "a bare string");
    line(b, cases, "bad-notjson,text,label", "bad-notjson", "malformed_json", "a CSV line in a .jsonl");
    line(b, cases, "{\"id\": \"no-text\", \"label\": \"en\"}", "no-text", "missing_text", "no text field");
    line(b, cases, "{\"id\": \"null-text\", \"text\": null}", "null-text", "missing_text", "text null");
    line(b, cases, "{\"id\": \"empty-text\", \"text\": \"\"}", "empty-text", "missing_text", "empty record");
    line(b, cases, "{\"id\": \"blank-text\", \"text\": \"   \"}", "blank-text", "missing_text", "spaces only");
    line(b, cases, "{\"id\": \"tab-text\", \"text\": \" \\t\\n \"}", "tab-text", "empty_after_cleaning",
        "tabs and newlines: not blank to Spark's trim, empty once cleaned");
    line(b, cases, "{\"id\": \"ctl-only\", \"text\": \"\\u0007\\u001b[0m\\u0000\"}", "ctl-only", "empty_after_cleaning", "control characters only");
    b.write("{\"id\": \"bad-utf8\", \"text\": \"caf".getBytes(StandardCharsets.UTF_8));
    b.write(new byte[] {(byte) 0xE9, (byte) 0xC3, (byte) 0x28});
    b.write("\", \"label\": \"fr\"}\n".getBytes(StandardCharsets.UTF_8));
    cases.add(new Case("bad-utf8", "invalid_utf8", "Latin-1 and broken UTF-8 bytes"));
    line(b, cases, "{\"id\": \"huge\", \"text\": \"" + "x".repeat(HUGE_CHARS) + "\", \"label\": \"en\"}", "huge", "too_long",
        "a 1 MB record");
    b.write("\n   \n".getBytes(StandardCharsets.UTF_8)); // blank lines separate records, they are none
    Files.write(dir.resolve("records ünï 名前.jsonl"), b.toByteArray());
    // a PNG under a .jsonl name: each of its lines is a record, and none is JSON
    byte[] png = png(gray(8, 8, 0x55));
    Files.write(dir.resolve("really a png.jsonl"), png);
    binaryLines(cases, "really a png.jsonl", png, "malformed_json");
    Files.write(dir.resolve("zero bytes.jsonl"), new byte[0]); // no record at all, and no failure
    return new Corpus(dir, cases);
  }

  /** CSV with a header: quoted fields, a multi-line field, wrong field counts, invalid UTF-8. */
  public static Corpus csv(Path root) throws IOException {
    Path dir = Files.createDirectories(root.resolve("csv ünï"));
    List<Case> cases = new ArrayList<>();
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write("id,text,label\n".getBytes(StandardCharsets.UTF_8));
    line(b, cases, "c-en,\"hello, world\",en", "c-en", ACCEPTED, "quoted comma");
    line(b, cases, "c-fr,\"bonjour\nle monde\",fr", "c-fr", ACCEPTED, "multi-line field");
    line(b, cases, "c-zh,你好世界,zh", "c-zh", ACCEPTED, "CJK");
    line(b, cases, "c-many,too,many,fields", "c-many", "malformed_csv", "more fields than the header");
    line(b, cases, "c-empty,,en", "c-empty", "missing_text", "empty text field");
    line(b, cases, "c-ctl,\"\u0007\u0007\",en", "c-ctl", "empty_after_cleaning", "control characters only");
    b.write("c-utf8,caf".getBytes(StandardCharsets.UTF_8));
    b.write(new byte[] {(byte) 0xE9});
    b.write(",fr\n".getBytes(StandardCharsets.UTF_8));
    cases.add(new Case("c-utf8", "invalid_utf8", "a Latin-1 byte"));
    line(b, cases, "c-huge," + "y".repeat(HUGE_CHARS) + ",en", "c-huge", "too_long", "a 1 MB field");
    Files.write(dir.resolve("table with spaces.csv"), b.toByteArray());
    return new Corpus(dir, cases);
  }

  /** Plain text, one record per line; blank lines and a zero-byte file are no records. */
  public static Corpus plainText(Path root) throws IOException {
    Path dir = Files.createDirectories(root.resolve("plain text ünï"));
    List<Case> cases = new ArrayList<>();
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    line(b, cases, "t-one a line of plain text", "t-one", ACCEPTED, "good");
    line(b, cases, "t-two 日本語のテキスト", "t-two", ACCEPTED, "CJK");
    line(b, cases, "t-three a line of plain text", "t-three", ACCEPTED, "good");
    b.write("t-utf8 caf".getBytes(StandardCharsets.UTF_8));
    b.write(new byte[] {(byte) 0xE9, '\n'});
    cases.add(new Case("t-utf8", "invalid_utf8", "a Latin-1 byte"));
    b.write("\u0007\u0007\u0007\n".getBytes(StandardCharsets.UTF_8));
    cases.add(new Case("\u0007\u0007\u0007", "empty_after_cleaning", "control characters only"));
    line(b, cases, "t-huge " + "z".repeat(HUGE_CHARS), "t-huge", "too_long", "a 1 MB line");
    b.write("\n\n  \n".getBytes(StandardCharsets.UTF_8));
    Files.write(dir.resolve("lines ünï 名前.txt"), b.toByteArray());
    Files.write(dir.resolve("empty.txt"), new byte[0]); // zero bytes: no record
    return new Corpus(dir, cases);
  }

  /**
   * The records Spark's line reader makes of a binary file: each line (split at CR, LF or CRLF) that
   * is not empty or spaces only, marked by the file's name.
   */
  private static void binaryLines(List<Case> cases, String file, byte[] bytes, String reason) {
    int start = 0;
    for (int i = 0; i <= bytes.length; i++) {
      boolean end = i == bytes.length || bytes[i] == '\n' || bytes[i] == '\r';
      if (!end) {
        continue;
      }
      boolean blank = true;
      for (int k = start; k < i; k++) {
        blank &= bytes[k] == ' ';
      }
      if (!blank) {
        cases.add(new Case("file:" + file, reason, "a line of a binary file"));
      }
      if (i < bytes.length && bytes[i] == '\r' && i + 1 < bytes.length && bytes[i + 1] == '\n') {
        i++;
      }
      start = i + 1;
    }
  }

  private static void line(ByteArrayOutputStream b, List<Case> cases, String record, String marker, String reason, String why)
      throws IOException {
    b.write((record + "\n").getBytes(StandardCharsets.UTF_8));
    cases.add(new Case(marker, reason, why));
  }

  // ---------------------------------------------------------------- images

  /**
   * An ImageFolder tree of real MNIST digits (two per class for three classes) and one broken file
   * of every kind, in folders and file names with spaces and non-ASCII characters.
   */
  public static Corpus imageFolder(Path root) throws IOException {
    Path dir = Files.createDirectories(root.resolve("image folder ünï 名前"));
    List<Case> cases = new ArrayList<>();
    Map<Integer, List<byte[]>> digits = TestData.mnist(3);
    for (int d = 0; d < 3; d++) {
      Path label = Files.createDirectories(dir.resolve("digit " + d));
      for (int i = 0; i < 2; i++) {
        String name = i == 0 ? "zahl " + d + " ünï.png" : "数字 " + d + ".png";
        Files.write(label.resolve(name), png(mnistImage(digits.get(d).get(i))));
        cases.add(new Case("digit " + d + "/" + name, ACCEPTED, "a real digit, non-ASCII name with spaces"));
      }
    }
    Path bad = dir.resolve("digit 1");
    byte[] good = Files.readAllBytes(dir.resolve("digit 0/zahl 0 ünï.png"));
    addFile(cases, bad, "copy of zahl 0.png", good, DUPLICATE, "an exact copy of another file");
    addFile(cases, bad, "a png named.jpg", png(mnistImage(digits.get(1).get(2))), ACCEPTED, "format is sniffed, not named");
    addFile(cases, bad, "zero bytes.png", new byte[0], "zero_bytes", "an empty file");
    addFile(cases, bad, "truncated.png", Arrays.copyOf(good, good.length / 2), "truncated", "the first half of a PNG");
    byte[] jpeg = jpeg(mnistImage(digits.get(2).get(0)));
    addFile(cases, bad, "truncated.jpg", Arrays.copyOf(jpeg, jpeg.length * 2 / 3), "truncated", "two thirds of a JPEG");
    addFile(cases, bad, "corrupt.png", corruptPng(good), "corrupt", "complete length, garbage image data");
    addFile(cases, bad, "notes.png", "these are notes, not pixels\n".getBytes(StandardCharsets.UTF_8), "not_an_image",
        "text under an image name");
    addFile(cases, bad, "header bomb.png", pngHeader(200_000, 200_000), "too_many_pixels",
        "a 60-byte PNG declaring 200000x200000");
    addFile(cases, bad, "deflate bomb.png", zeroPng(12_000, 12_000), "too_many_pixels",
        "a real 144-megapixel PNG of ~150 KB");
    addFile(cases, bad, "photo.heic", new byte[] {0, 0, 0, 24, 'f', 't', 'y', 'p', 'h', 'e', 'i', 'c', 0, 0, 0, 0},
        "unsupported_format", "HEIF");
    addFile(cases, bad, "photo.webp", "RIFF\0\0\0\0WEBPVP8 ".getBytes(StandardCharsets.ISO_8859_1), "corrupt",
        "a WebP header without its bitstream header");
    addFile(cases, bad, "scan.tif", new byte[] {'I', 'I', 42, 0, 8, 0, 0, 0}, "corrupt", "a TIFF header without its directory");
    return new Corpus(dir, cases);
  }

  /**
   * A {@code path,label} manifest over the folder corpus: its rows, plus rows naming missing files,
   * lacking labels, or with the wrong number of fields.
   */
  public static Corpus manifest(Corpus folder) throws IOException {
    Path dir = folder.input().getParent();
    String prefix = folder.input().getFileName() + "/";
    List<Case> cases = new ArrayList<>();
    StringBuilder csv = new StringBuilder("path,label\n");
    for (Case c : folder.cases()) {
      String label = c.marker().substring(0, c.marker().indexOf('/'));
      csv.append('"').append(prefix).append(c.marker()).append("\",").append(label).append('\n');
      cases.add(new Case(prefix + c.marker(), c.reason(), c.why()));
    }
    csv.append('"').append(prefix).append("digit 0/no such file.png\",digit 0\n");
    cases.add(new Case("no such file.png", "missing_file", "a path to nothing"));
    csv.append(",digit 0\n");
    cases.add(new Case("file:manifest ünï.csv", "missing_file", "an empty path"));
    csv.append('"').append(prefix).append("digit 2/数字 2.png\",\n");
    cases.add(new Case(prefix + "digit 2/数字 2.png,", "missing_label", "no label"));
    csv.append('"').append(prefix).append("digit 0/zahl 0 ünï.png\",digit 0,surplus\n");
    cases.add(new Case("surplus", "malformed_manifest", "three fields"));
    Path file = dir.resolve("manifest ünï.csv");
    Files.writeString(file, csv.toString(), StandardCharsets.UTF_8);
    return new Corpus(file, cases);
  }

  private static void addFile(List<Case> cases, Path dir, String name, byte[] bytes, String reason, String why)
      throws IOException {
    Files.write(dir.resolve(name), bytes);
    cases.add(new Case(dir.getFileName() + "/" + name, reason, why));
  }

  static BufferedImage mnistImage(byte[] pixels) {
    BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
    img.getRaster().setDataElements(0, 0, 28, 28, pixels);
    return img;
  }

  static BufferedImage gray(int w, int h, int value) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.getRaster().setSample(x, y, 0, value);
      }
    }
    return img;
  }

  static byte[] png(BufferedImage img) {
    return encode(img, "png");
  }

  static byte[] jpeg(BufferedImage img) {
    return encode(img, "jpeg");
  }

  private static byte[] encode(BufferedImage img, String format) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      if (!ImageIO.write(img, format, out)) {
        throw new IllegalStateException("no ImageIO writer for " + format);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The PNG with its image data (IDAT) overwritten, length and end marker intact. */
  static byte[] corruptPng(byte[] png) {
    byte[] b = png.clone();
    int idat = indexOf(b, "IDAT".getBytes(StandardCharsets.US_ASCII));
    for (int i = idat + 4; i < b.length - 12; i++) {
      b[i] = (byte) (i * 31);
    }
    return b;
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new IllegalArgumentException("not found");
  }

  /** A PNG signature and IHDR declaring {@code w x h}, and a one-byte IDAT: nothing to decode. */
  static byte[] pngHeader(int w, int h) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
    chunk(out, "IHDR", ihdr(w, h));
    chunk(out, "IDAT", new byte[] {0});
    chunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }

  /** A valid 8-bit gray PNG of {@code w x h} black pixels: deflate makes it ~1/1000 of its pixels. */
  static byte[] zeroPng(int w, int h) {
    ByteArrayOutputStream idat = new ByteArrayOutputStream();
    try (OutputStream z = new DeflaterOutputStream(idat, new Deflater(9), 1 << 16)) {
      byte[] row = new byte[w + 1]; // filter byte 0 + w zero samples
      for (int y = 0; y < h; y++) {
        z.write(row);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
    chunk(out, "IHDR", ihdr(w, h));
    chunk(out, "IDAT", idat.toByteArray());
    chunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }

  private static byte[] ihdr(int w, int h) {
    return ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 0).put((byte) 0).put((byte) 0)
        .put((byte) 0).array();
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
    byte[] t = type.getBytes(StandardCharsets.US_ASCII);
    out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
    out.writeBytes(t);
    out.writeBytes(data);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }

  /** Reasons of a corpus as a readable table, for failure messages. */
  static String describe(Corpus c) {
    Map<String, List<String>> by = new LinkedHashMap<>();
    c.cases().forEach(k -> by.computeIfAbsent(k.reason(), r -> new ArrayList<>()).add(k.marker()));
    return by.toString();
  }
}
