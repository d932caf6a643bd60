package io.deeppipe.jobs.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.deeppipe.jobs.Cli;
import io.deeppipe.jobs.reliability.BadInputs.Case;
import io.deeppipe.jobs.reliability.BadInputs.Corpus;
import io.deeppipe.transforms.card.Json;
import io.deeppipe.transforms.testing.LocalSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@link BadInputs} corpus through every job that reads raw data, as the CLI runs it: each job
 * exits 0 within its timeout, the counts in its card add up to the input, and every bad record or
 * file is in {@code rejected/} with its own specific reason; good ones (with spaces and non-ASCII
 * in their paths) are in the output. An input with no usable record at all exits 2 and publishes
 * nothing.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class BadInputCorpusTest {
  @TempDir static Path tmp;
  static SparkSession spark;
  static Corpus jsonl;
  static Corpus csv;
  static Corpus text;
  static Corpus folder;
  static Corpus manifest;

  @BeforeAll
  static void corpus() throws Exception {
    spark = LocalSpark.session();
    Path in = tmp.resolve("bad inputs ünï");
    jsonl = BadInputs.jsonLines(in);
    csv = BadInputs.csv(in);
    text = BadInputs.plainText(in);
    folder = BadInputs.imageFolder(in);
    manifest = BadInputs.manifest(folder);
  }

  @Test
  void ingestTextAccountsForEveryBadRecordInEachFormat() throws Exception {
    for (Corpus c : List.of(jsonl, csv, text)) {
      Path out = tmp.resolve("datasets/" + c.input().getFileName());
      Cli r = Cli.run("ingest-text", "--input", c.input().toString(), "--output", out.toString());
      assertThat(r.code()).as(r.describe()).isZero();
      JsonNode card = card(out.resolve("dataset.json"));
      assertAccounted(c, card, out, "dataset");
      assertThat(card.get("duplicates_removed").asLong()).as(c.input().toString()).isEqualTo(c.count(BadInputs.DUPLICATE));
      assertKept(c, out, "text");
    }
  }

  @Test
  void ingestImagesAccountsForEveryBadFileInAFolderAndAManifest() throws Exception {
    for (Corpus c : List.of(folder, manifest)) {
      Path out = tmp.resolve("datasets/images-" + c.input().getFileName());
      String flag = Files.isDirectory(c.input()) ? "--input" : "--manifest";
      Cli r = Cli.run("ingest-images", flag, c.input().toString(), "--output", out.toString(), "--size", "28x28",
          "--channels", "1");
      assertThat(r.code()).as(r.describe()).isZero();
      JsonNode card = card(out.resolve("dataset.json"));
      assertAccounted(c, card, out, "dataset");
      assertThat(card.get("duplicates_removed").asLong()).isEqualTo(c.count(BadInputs.DUPLICATE));
      assertKept(c, out, "image");
      assertThat(card.get("labels").toString()).isEqualTo("[\"digit 0\",\"digit 1\",\"digit 2\"]");
    }
  }

  @Test
  void predictOnRawTextAndImagesAccountsForEveryBadRecord() throws Exception {
    TrainedModels.root();
    record Run(Corpus corpus, Path model, String flag) {}
    for (Run run : List.of(
        new Run(jsonl, TrainedModels.textModel(), "--input"),
        new Run(csv, TrainedModels.textModel(), "--input"),
        new Run(text, TrainedModels.textModel(), "--input"),
        new Run(folder, TrainedModels.imageModel(), "--input"),
        new Run(manifest, TrainedModels.imageModel(), "--manifest"))) {
      Corpus c = run.corpus().forPredict();
      Path out = tmp.resolve("predictions/" + c.input().getFileName());
      Cli r = Cli.run("predict", "--model", run.model().toString(), run.flag(), c.input().toString(), "--output",
          out.toString());
      assertThat(r.code()).as(r.describe()).isZero();
      JsonNode summary = card(out.resolve("predictions.json"));
      assertThat(summary.get("input_records").asLong()).as(c.input().toString()).isEqualTo(c.inputRecords());
      assertThat(summary.get("predicted").asLong()).isEqualTo(c.count(BadInputs.ACCEPTED));
      assertThat(summary.get("rejected").asLong()).isEqualTo(c.rejected().size());
      assertThat(reasons(summary)).isEqualTo(c.rejectedByReason());
      assertRejectedRows(c, out);
    }
  }

  @Test
  void anInputWithNoUsableRecordExits2AndPublishesNothing() throws Exception {
    Path allBad = Files.writeString(tmp.resolve("all bad.jsonl"), "not json\n{\"id\": 1}\n[1]\n");
    Path empty = Files.write(tmp.resolve("empty.jsonl"), new byte[0]);
    Path badImages = Files.createDirectories(tmp.resolve("bad images/x"));
    Files.write(badImages.resolve("a.png"), new byte[0]);
    Files.writeString(badImages.resolve("b.png"), "text");
    TrainedModels.root();
    List<String[]> runs = List.of(
        new String[] {"ingest-text", "--input", allBad.toString()},
        new String[] {"ingest-text", "--input", empty.toString()},
        new String[] {"ingest-images", "--input", badImages.getParent().toString()},
        new String[] {"predict", "--model", TrainedModels.textModel().toString(), "--input", allBad.toString()},
        new String[] {"predict", "--model", TrainedModels.imageModel().toString(), "--input",
            badImages.getParent().toString()});
    int i = 0;
    for (String[] args : runs) {
      Path out = tmp.resolve("unusable-" + i++);
      List<String> all = new ArrayList<>(List.of(args));
      all.addAll(List.of("--output", out.toString()));
      Cli r = Cli.run(all.toArray(new String[0]));
      assertThat(r.code()).as(r.describe()).isEqualTo(2);
      assertThat(r.err()).contains("no usable record").contains(args[args.length - 1]).doesNotContain("\tat ");
      assertThat(out).doesNotExist();
    }
    try (var left = Files.list(tmp)) {
      assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".unusable"));
    }
  }

  // ------------------------------------------------------------------------------------------

  static JsonNode card(Path file) throws Exception {
    assertThat(file).exists();
    return Json.mapper().readTree(file.toFile());
  }

  static Map<String, Long> reasons(JsonNode card) {
    Map<String, Long> m = new TreeMap<>();
    card.get("rejected_by_reason").fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asLong()));
    return m;
  }

  /** Counts of a dataset card against the corpus, and each bad case in rejected/ with its reason. */
  static void assertAccounted(Corpus c, JsonNode card, Path out, String what) {
    String as = what + " of " + c.input() + ": " + BadInputs.describe(c);
    JsonNode counts = card.get("counts");
    long kept = counts.get("train").asLong() + counts.get("validation").asLong() + counts.get("test").asLong();
    assertThat(card.get("input_records").asLong()).as(as).isEqualTo(c.inputRecords());
    assertThat(kept).as(as + "; kept: " + keptRows(out)).isEqualTo(c.count(BadInputs.ACCEPTED));
    assertThat(counts.get("rejected").asLong()).as(as).isEqualTo(c.rejected().size());
    assertThat(reasons(card)).as(as).isEqualTo(c.rejectedByReason());
    assertRejectedRows(c, out);
  }

  static List<String> keptRows(Path out) {
    List<String> rows = new ArrayList<>();
    for (String split : List.of("train", "validation", "test")) {
      spark.read().parquet(out.resolve("parquet/" + split).toString()).collectAsList()
          .forEach(r -> rows.add(r.getString(0) + " " + r.get(r.fieldIndex(r.schema().fieldNames()[3]))));
    }
    return rows;
  }

  /** Every rejected case has a row in rejected/ that names it (by source or record) with its reason. */
  static void assertRejectedRows(Corpus c, Path out) {
    List<Row> rows = new ArrayList<>(spark.read().parquet(out.resolve("rejected").toString()).collectAsList());
    assertThat(rows).hasSize(c.rejected().size());
    for (Case k : c.rejected()) {
      Row match = rows.stream()
          .filter(r -> r.<String>getAs("reason").equals(k.reason()) && matches(r, k))
          .findFirst()
          .orElse(null);
      assertThat(match).as("%s (%s) in %s/rejected with reason %s; rows: %s", k.marker(), k.why(), out, k.reason(), rows)
          .isNotNull();
      rows.remove(match);
    }
  }

  private static boolean matches(Row r, Case k) {
    String source = r.getAs("source");
    String record = r.getAs("record");
    if (k.marker().startsWith("file:")) {
      return source != null && source.endsWith("/" + k.marker().substring(5));
    }
    return source != null && source.endsWith("/" + k.marker()) || record != null && record.contains(k.marker());
  }

  /** Every accepted case is in a split (text: by id, or the start of its text; images: by source path). */
  static void assertKept(Corpus c, Path out, String kind) {
    List<Row> rows = new ArrayList<>();
    for (String split : List.of("train", "validation", "test")) {
      rows.addAll(spark.read().parquet(out.resolve("parquet/" + split).toString()).collectAsList());
    }
    for (Case k : c.cases()) {
      if (k.reason().equals(BadInputs.ACCEPTED) && !k.marker().startsWith("file:")) {
        assertThat(rows).as("%s (%s) kept in the %s dataset %s", k.marker(), k.why(), kind, out)
            .anyMatch(r -> kind.equals("text")
                ? r.<String>getAs("id").equals(k.marker()) || r.<String>getAs("text").startsWith(k.marker())
                : r.<String>getAs("source").endsWith("/" + k.marker()));
      }
    }
  }
}
