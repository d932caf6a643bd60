package io.deeppipe.transforms.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deeppipe.transforms.SplitAssigner.SplitFractions;
import io.deeppipe.transforms.card.BadInputException;
import io.deeppipe.transforms.card.DatasetCard;
import io.deeppipe.transforms.io.ArrowIpc;
import io.deeppipe.transforms.testing.LocalSpark;
import io.deeppipe.transforms.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageIngestTest {
  private static final int PER_DIGIT = 30;
  private final SparkSession spark = LocalSpark.session();
  @TempDir static Path shared;
  static Path tree;
  static Map<Integer, List<byte[]>> digits;

  static ImageIngestOptions options(String input, String manifest, String output, int h, int w, int channels) {
    return new ImageIngestOptions(input, manifest, output, false, h, w, channels, Resizer.Mode.CROP, 100_000_000L,
        true, SplitFractions.parse("0.8,0.1,0.1"), 42, true, 32);
  }

  /** Real MNIST PNGs, plus one exact copy and a bad file of every kind, in an ImageFolder tree. */
  @BeforeAll
  static void tree() throws Exception {
    tree = TestData.writeMnistPngs(shared.resolve("mnist tree"), PER_DIGIT);
    digits = TestData.mnist(PER_DIGIT);
    Files.copy(tree.resolve("3/3-0.png"), tree.resolve("3/copy of 3-0.png"));
    Path bad = Files.createDirectories(tree.resolve("7"));
    Files.write(bad.resolve("empty.png"), new byte[0]);
    byte[] png = Files.readAllBytes(tree.resolve("7/7-0.png"));
    Files.write(bad.resolve("truncated.png"), Arrays.copyOf(png, png.length / 2));
    Files.writeString(bad.resolve("notes.jpg"), "not an image at all");
    Files.write(bad.resolve("bomb.png"), Images.pngDeclaring(200_000, 200_000));
    Files.write(bad.resolve("photo.heic"), Images.heifStub());
    Files.copy(tree.resolve("5/5-1.png"), tree.resolve("5/ünïcödé 名前.png"));
    Files.delete(tree.resolve("5/5-1.png"));
  }

  @Test
  void mnistTreeIngestsPixelExactWithEveryBadFileAccounted() throws Exception {
    String out = shared.resolve("mnist-ds").toString();
    DatasetCard card = ImageIngest.run(spark, options(tree.toString(), null, out, 28, 28, 1));

    assertThat(card.kind()).isEqualTo("image");
    assertThat(card.rejectedByReason()).as("reasons").hasSize(5);
    assertThat(card.inputRecords()).isEqualTo(10 * PER_DIGIT + 1 + 5);
    assertThat(card.duplicatesRemoved()).isEqualTo(1);
    assertThat(card.rejectedByReason())
        .containsOnly(Map.entry("zero_bytes", 1L), Map.entry("truncated", 1L), Map.entry("not_an_image", 1L),
            Map.entry("too_many_pixels", 1L), Map.entry("unsupported_format", 1L));
    assertThat(card.count("train") + card.count("validation") + card.count("test")).isEqualTo(10L * PER_DIGIT);
    assertThat(card.labels()).containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
    assertThat(card.image().mean().get(0)).isBetween(0.08, 0.2);
    assertThat(card.image().std().get(0)).isBetween(0.25, 0.4);

    Map<String, Row> byId = new HashMap<>();
    for (String split : List.of("train", "validation", "test")) {
      spark.read().parquet(out + "/parquet/" + split).collectAsList().forEach(r -> byId.put(r.getString(0), r));
    }
    assertThat(byId).hasSize(10 * PER_DIGIT).containsKey("5/ünïcödé 名前.png").containsKey("3/3-0.png")
        .doesNotContainKey("3/copy of 3-0.png");
    // a PNG already at the target size comes back pixel for pixel
    Row four = byId.get("4/4-7.png");
    assertThat((byte[]) four.getAs("image")).isEqualTo(digits.get(4).get(7));
    assertThat(four.<String>getAs("label")).isEqualTo("4");
    assertThat(four.<Integer>getAs("label_index")).isEqualTo(4);
    assertThat(four.<Integer>getAs("height")).isEqualTo(28);
    assertThat(four.<String>getAs("source")).endsWith("mnist tree/4/4-7.png");
    assertThat(four.<String>getAs("sha256")).hasSize(64);

    List<Map<String, Object>> arrow = ArrowIpc.readAll(out + "/arrow/train", spark.sparkContext().hadoopConfiguration());
    assertThat(arrow).hasSize((int) card.count("train"));
    for (Map<String, Object> a : arrow) {
      assertThat((byte[]) a.get("image")).isEqualTo((byte[]) byId.get((String) a.get("id")).getAs("image"));
    }
    List<Row> rejected = spark.read().parquet(out + "/rejected").collectAsList();
    assertThat(rejected).extracting(r -> r.getString(0)).allMatch(s -> s.contains("mnist tree/7/"));
  }

  @Test
  void realJpegPhotosAreCroppedToSizeWithThreeChannels() throws Exception {
    Path photos = Files.createDirectories(shared.resolve("photos/scenes"));
    for (String name : List.of("china.jpg", "flower.jpg")) {
      Files.copy(TestData.sklearnPhotosDir().resolve(name), photos.resolve(name));
    }
    String out = shared.resolve("photos-ds").toString();
    ImageIngestOptions o = new ImageIngestOptions(shared.resolve("photos").toString(), null, out, false, 64, 48, 3,
        Resizer.Mode.CROP, 100_000_000L, true, SplitFractions.parse("1,0,0"), 42, false, 32);
    DatasetCard card = ImageIngest.run(spark, o);
    assertThat(card.count("train")).isEqualTo(2);
    List<Row> rows = spark.read().parquet(out + "/parquet/train").collectAsList();
    for (Row r : rows) {
      byte[] img = r.getAs("image");
      assertThat(img).hasSize(64 * 48 * 3);
      assertThat(r.<Integer>getAs("width")).isEqualTo(48);
      // a real photo: many distinct values, not a flat or black image
      assertThat(new java.util.HashSet<>(java.util.Arrays.asList(box(img))).size()).isGreaterThan(100);
    }
    assertThat(card.image().mean()).hasSize(3);
    // per channel, over every byte of the train images (exact sums; the first pass adds up each
    // image's, no job reads them again): what the card holds
    long[] sum = new long[3];
    long[] squares = new long[3];
    for (Row r : rows) {
      byte[] img = r.getAs("image");
      for (int i = 0; i < img.length; i++) {
        int v = img[i] & 0xFF;
        sum[i % 3] += v;
        squares[i % 3] += v * v;
      }
    }
    double pixels = rows.size() * 64 * 48;
    for (int c = 0; c < 3; c++) {
      double mean = sum[c] / (255.0 * pixels);
      assertThat(card.image().mean().get(c)).isEqualTo(Math.round(mean * 1e6) / 1e6);
      double std = Math.sqrt(squares[c] / (255.0 * 255.0 * pixels) - mean * mean);
      assertThat(card.image().std().get(c)).isEqualTo(Math.round(std * 1e6) / 1e6);
      assertThat(card.image().std().get(c)).isGreaterThan(0.05); // a photo, not a flat image
    }
    // nothing rejected: rejected/ is the empty table, with its columns
    Dataset<Row> rejected = spark.read().parquet(out + "/rejected");
    assertThat(rejected.columns()).containsExactly("source", "record", "reason");
    assertThat(rejected.count()).isZero();
    assertThat(Path.of(out, "arrow")).doesNotExist();
    // the photo decoded at full size then cropped equals what the decoder and resizer give directly
    Pixels direct = Resizer.fit(
        ImageDecoder.decode(Files.readAllBytes(photos.resolve("china.jpg")), 3, 100_000_000L), 64, 48, Resizer.Mode.CROP);
    Row china = rows.stream().filter(r -> r.getString(0).endsWith("china.jpg")).findFirst().orElseThrow();
    assertThat((byte[]) china.getAs("image")).isEqualTo(direct.data());
  }

  @Test
  void manifestRowsWithMissingFilesOrLabelsAreRejected() throws Exception {
    Path dir = Files.createDirectories(shared.resolve("manifest"));
    Path manifest = dir.resolve("images.csv");
    String absolute = tree.resolve("1/1-0.png").toString();
    Files.writeString(manifest, String.join("\n",
        "path,label",
        absolute + ",one",
        "../mnist tree/2/2-0.png,two",
        "../mnist tree/2/2-1.png,",
        "../mnist tree/2/does-not-exist.png,two",
        "../mnist tree/2,two",
        "\"unterminated,two",
        ""));
    String out = shared.resolve("manifest-ds").toString();
    DatasetCard card = ImageIngest.run(spark, options(null, manifest.toString(), out, 28, 28, 1));
    assertThat(card.inputRecords()).isEqualTo(6);
    assertThat(card.labels()).containsExactly("one", "two");
    assertThat(card.count("train") + card.count("validation") + card.count("test")).isEqualTo(2);
    assertThat(card.rejectedByReason())
        .containsOnly(Map.entry("missing_label", 1L), Map.entry("missing_file", 1L), Map.entry("unreadable", 1L),
            Map.entry("malformed_manifest", 1L));
  }

  @Test
  void optionsAndInputsAreValidatedWithTheValueInTheMessage() {
    assertThatThrownBy(() -> options(null, null, "o", 28, 28, 1)).hasMessageContaining("--input DIR or --manifest");
    assertThatThrownBy(() -> options("a", "b", "o", 28, 28, 1)).hasMessageContaining("exclude each other");
    assertThatThrownBy(() -> options("a", null, "o", 28, 28, 2)).hasMessage("--channels must be 1 or 3, got 2");
    assertThatThrownBy(() -> options("a", null, "o", 0, 28, 1)).hasMessageContaining("got 0x28");
    assertThatThrownBy(() -> ImageIngestOptions.parseSize("28by28")).hasMessageContaining("'28by28'");
    assertThatThrownBy(() -> ImageIngest.run(spark, options(shared.resolve("none").toString(), null, shared.resolve("x").toString(), 28, 28, 1)))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("does not exist");
  }

  private static Byte[] box(byte[] b) {
    Byte[] out = new Byte[b.length];
    for (int i = 0; i < b.length; i++) {
      out[i] = b[i];
    }
    return out;
  }

  /**
   * The write runs in tasks of a fair size, not in the decode's partitions (up to 2 000 files a task,
   * small images): a multiple of the cores, each task at most 128 MiB of images.
   */
  @Test
  void imagesAreWrittenInAFewTasksPerCoreSizedByTheirBytes() {
    int cores = spark.sparkContext().defaultParallelism();
    assertThat(ImageIngest.writePartitions(spark, 0)).isEqualTo(cores);
    assertThat(ImageIngest.writePartitions(spark, 9756L * 28 * 28)).isEqualTo(cores); // MNIST: 7.6 MB
    assertThat(ImageIngest.writePartitions(spark, cores * (128L << 20))).isEqualTo(cores);
    assertThat(ImageIngest.writePartitions(spark, cores * (128L << 20) + 1)).isEqualTo(2 * cores);
    assertThat(ImageIngest.writePartitions(spark, 1000L * cores * (128L << 20))).isEqualTo(1000 * cores);
    // decoding: at most 2 000 files a task, as many tasks per core
    assertThat(cores).as("LocalSpark's local[2]").isEqualTo(2);
    assertThat(ImageIngest.tasks(spark, 9756, ImageIngest.FILES_PER_TASK)).isEqualTo(6); // 3 rounds of 1 626 files
    assertThat(ImageIngest.tasks(spark, 1, ImageIngest.FILES_PER_TASK)).isEqualTo(cores);
  }
}
