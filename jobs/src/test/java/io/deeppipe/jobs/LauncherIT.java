package io.deeppipe.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.deeppipe.transforms.testing.TestData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bin/pipeline as a user runs it: a real process, its exit codes and what it prints. */
class LauncherIT {
  record Run(int code, String out) {}

  static Run launch(Path workdir, List<String> env, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(TestData.projectRoot().resolve("bin/pipeline").toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(workdir.toFile()).redirectErrorStream(true);
    pb.environment().put("DEEPPIPE_NO_BUILD", "1"); // mvn verify has just built it
    pb.environment().put("DEEPPIPE_DRIVER_MEMORY", "1g");
    for (String kv : env) {
      String[] p = kv.split("=", 2);
      pb.environment().put(p[0], p[1]);
    }
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(10, TimeUnit.MINUTES)).isTrue();
    return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  @Test
  void exitCodesAreHonest(@TempDir Path tmp) throws Exception {
    assertThat(launch(tmp, List.of(), "--help").code()).isZero();
    Run bad = launch(tmp, List.of(), "ingest-text", "--input", "x.jsonl", "--output", "o", "--max-length", "0");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.out()).contains("--max-length must be in 1..100000, got 0");
    Run missing = launch(tmp, List.of(), "ingest-images", "--input", tmp.resolve("none").toString(), "--output", "o");
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.out()).contains("does not exist");
    assertThat(launch(tmp, List.of(), "predict").code()).isEqualTo(2);
    assertThat(tmp.resolve("o")).doesNotExist();
    // an output that cannot be created (its parent is a file) is refused before any work: 2, naming it
    Path blocker = Files.writeString(tmp.resolve("blocker"), "a file, not a directory");
    Path in = Files.writeString(tmp.resolve("in.txt"), "hello\n");
    Run blocked = launch(tmp, List.of(), "ingest-text", "--input", in.toString(), "--output", blocker.resolve("out").toString());
    assertThat(blocked.code()).as(blocked.out()).isEqualTo(2);
    assertThat(blocked.out()).contains(blocker.toString(), "is a file, not a directory");
    // a runtime failure is 1, never 0: a damaged compressed input is only found out while Spark reads it
    java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
    try (var out = new java.util.zip.GZIPOutputStream(gz)) {
      for (int i = 0; i < 2000; i++) {
        out.write(("{\"text\": \"record " + i + " of a corpus whose file was cut short\"}\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
    }
    byte[] whole = gz.toByteArray();
    Path damaged = Files.write(tmp.resolve("cut.jsonl.gz"), java.util.Arrays.copyOf(whole, whole.length / 2));
    Run failed = launch(tmp, List.of(), "ingest-text", "--input", damaged.toString(), "--format", "jsonl",
        "--output", tmp.resolve("from-damaged").toString());
    assertThat(failed.code()).as(failed.out()).isEqualTo(1);
    assertThat(tmp.resolve("from-damaged")).doesNotExist();
  }

  @Test
  void quickstartRunsTheWholeChainAndPrintsWhereOutputsAre(@TempDir Path tmp) throws Exception {
    Path qs = tmp.resolve("qs");
    Run r = launch(tmp, List.of(), "quickstart", "--workdir", qs.toString());
    assertThat(r.code()).as(r.out()).isZero();
    assertThat(r.out()).contains("quickstart outputs under " + qs, "test accuracy: MNIST digits (mlp) ");
    for (String card : List.of("datasets/languages/dataset.json", "datasets/mnist/dataset.json",
        "models/mnist-mlp/model.json", "models/languages-transformer/model.json", "evaluations/mnist/metrics.json",
        "evaluations/languages/metrics.json", "predictions/mnist-raw/predictions.json",
        "predictions/languages-test/predictions.json")) {
      assertThat(qs.resolve(card)).as(card).exists();
    }
    assertThat(Files.readString(qs.resolve("datasets/mnist/dataset.json"))).contains("\"input_records\" : 3000");
    assertThat(Files.readString(qs.resolve("predictions/mnist-raw/predictions.json"))).contains("\"predicted\" : 3000");
    double digits = io.deeppipe.transforms.card.Json.mapper()
        .readTree(qs.resolve("evaluations/mnist/metrics.json").toFile()).get("accuracy").asDouble();
    assertThat(digits).isGreaterThan(0.85);
    // logs a user can read: known-harmless library noise silenced in conf/log4j2.properties, the one
    // session reused by every command, and one progress line per epoch
    assertThat(r.out()).doesNotContain("DifferentialFunction", "Using an existing Spark session", "NativeCodeLoader");
    List<String> epochs = r.out().lines().filter(l -> l.matches(".* epoch \\d+/\\d+: .*"))
        .map(l -> l.replaceAll(".* (epoch \\d+/\\d+): .*", "$1")).toList();
    assertThat(epochs).as("two trainings, one line per epoch").contains("epoch 1/15", "epoch 1/25")
        .doesNotHaveDuplicates();
    double languages = io.deeppipe.transforms.card.Json.mapper()
        .readTree(qs.resolve("evaluations/languages/metrics.json").toFile()).get("accuracy").asDouble();
    assertThat(languages).as("12 languages, chance is 0.083").isGreaterThan(0.4);
    // the quickstart ends with the catalog of its own outputs: all eight, none unreadable, with lineage
    assertThat(r.out()).contains("catalog      " + qs.resolve("catalog/index.html"));
    var catalog = io.deeppipe.transforms.card.Json.mapper().readTree(qs.resolve("catalog/catalog.json").toFile());
    assertThat(catalog.get("items").size()).isEqualTo(8);
    assertThat(catalog.get("unreadable").asInt()).isZero();
    assertThat(catalog.get("edges").toString()).contains("model_fingerprint", "dataset_fingerprint");
    assertThat(qs.resolve("catalog/index.html")).exists();
    Run inspect = launch(tmp, List.of(), "inspect", qs.resolve("models/mnist-mlp").toString());
    assertThat(inspect.code()).isZero();
    assertThat(inspect.out()).contains("type         mlp", "labels       10 [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]", "input shape  [784]");
  }

  @Test
  void aRerunWithOverwriteGivesTheSameDataset(@TempDir Path tmp) throws Exception {
    Path in = tmp.resolve("in.jsonl");
    Files.writeString(in, "{\"text\": \"hello world\", \"label\": \"en\"}\n{\"text\": \"bonjour\", \"label\": \"fr\"}\n");
    Path out = tmp.resolve("ds");
    assertThat(launch(tmp, List.of(), "ingest-text", "--input", in.toString(), "--output", out.toString()).code()).isZero();
    String first = Files.readString(out.resolve("dataset.json"));
    Run again = launch(tmp, List.of(), "ingest-text", "--input", in.toString(), "--output", out.toString());
    assertThat(again.code()).isEqualTo(2);
    assertThat(Files.readString(out.resolve("dataset.json"))).isEqualTo(first);
    assertThat(launch(tmp, List.of(), "ingest-text", "--input", in.toString(), "--output", out.toString(),
        "--mode", "overwrite").code()).isZero();
    assertThat(fingerprint(Files.readString(out.resolve("dataset.json")))).isEqualTo(fingerprint(first));
  }

  /**
   * Class-data sharing as bin/pipeline does it (in a folder of this test's own): a first run records
   * the classes it loads, a second starts building the archive in the background, and a third —
   * once the archive is there — loads Spark's classes from it and ingests the same dataset.
   */
  @Test
  void laterRunsStartFromAClassDataArchive(@TempDir Path tmp) throws Exception {
    Path cds = tmp.resolve("cds");
    List<String> env = List.of("DEEPPIPE_CDS_DIR=" + cds);
    Path in = tmp.resolve("in.jsonl");
    Files.writeString(in, "{\"text\": \"hello world\", \"label\": \"en\"}\n{\"text\": \"bonjour\", \"label\": \"fr\"}\n");
    Run first = launch(tmp, env, "ingest-text", "--input", in.toString(), "--output", tmp.resolve("a").toString());
    assertThat(first.code()).as(first.out()).isZero();
    try (var lists = Files.list(cds)) {
      assertThat(lists.map(p -> p.getFileName().toString())).anyMatch(n -> n.matches("classes\\.\\d+\\.lst"));
    }
    Run second = launch(tmp, env, "ingest-text", "--input", in.toString(), "--output", tmp.resolve("b").toString());
    assertThat(second.code()).as(second.out()).isZero();
    Path archive = cds.resolve("pipeline.jsa");
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    while (!Files.exists(archive) && System.nanoTime() < deadline) {
      Thread.sleep(1000);
    }
    assertThat(archive).as(Files.exists(cds.resolve("dump.log")) ? Files.readString(cds.resolve("dump.log")) : "").exists();
    Path loaded = tmp.resolve("class-load.txt");
    Run third = launch(tmp, List.of(env.get(0), "JAVA_OPTS=-Xshare:on -Xlog:class+load=info:file=" + loaded),
        "ingest-text", "--input", in.toString(), "--output", tmp.resolve("c").toString());
    assertThat(third.code()).as(third.out()).isZero();
    assertThat(third.out()).doesNotContain("[warning]", "[cds");
    assertThat(Files.readString(loaded)).contains("org.apache.spark.SparkContext source: shared objects file");
    assertThat(fingerprint(Files.readString(tmp.resolve("c/dataset.json"))))
        .isEqualTo(fingerprint(Files.readString(tmp.resolve("a/dataset.json"))));
  }

  private static String fingerprint(String card) {
    int i = card.indexOf("\"fingerprint\"");
    return card.substring(i, card.indexOf('\n', i));
  }
}
