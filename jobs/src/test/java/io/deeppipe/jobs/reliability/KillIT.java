package io.deeppipe.jobs.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.deeppipe.transforms.card.Json;
import io.deeppipe.transforms.testing.TestData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of real {@code bin/pipeline} processes (the launcher execs the JVM, and its
 * descendants are killed too) at several points of ingest-text, train and predict. Afterwards no
 * output looks complete (no card at the output path; at most hidden temporary siblings), an
 * existing output is untouched, and a rerun (or {@code --resume}) succeeds with the result of an
 * uninterrupted run. One text corpus serves all three jobs.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class KillIT {
  static final int RECORDS = 12_000;
  @TempDir static Path tmp;
  static Path corpus;
  static Path dataset;

  @BeforeAll
  static void corpus() throws IOException {
    // three labels with their own words plus shared ones: big enough that each job runs for seconds
    corpus = tmp.resolve("raw corpus.jsonl");
    Random random = new Random(7);
    String[] labels = {"alpha", "beta", "gamma"};
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < RECORDS; i++) {
      int label = random.nextInt(3);
      StringBuilder text = new StringBuilder();
      for (int w = 0; w < 12; w++) {
        text.append(random.nextInt(3) == 0 ? "shared" + random.nextInt(200) : labels[label] + random.nextInt(300))
            .append(' ');
      }
      lines.add("{\"id\": \"r" + i + "\", \"text\": \"" + text.toString().trim() + "\", \"label\": \"" + labels[label] + "\"}");
    }
    Files.write(corpus, lines, StandardCharsets.UTF_8);
    dataset = tmp.resolve("dataset");
  }

  @Test
  @Order(1)
  void ingestKilledAnywhereLeavesNothingCompleteAndARerunGivesTheSameDataset() throws Exception {
    String[] ingest = {"ingest-text", "--input", corpus.toString(), "--output", dataset.toString(), "--max-length", "16",
        "--no-arrow"};
    Path log = tmp.resolve("ingest.log");
    // after the input was read and counted, then with the train split written
    killWhen(log, ingest, p -> logContains(log, "TextIngest: read \\d+ records"));
    assertNothingComplete(dataset, "dataset.json");
    killWhen(log, ingest, p -> stagedHas(dataset, "parquet/train/_SUCCESS"));
    assertNothingComplete(dataset, "dataset.json");

    assertThat(run(log, ingest)).as(read(log)).isZero();
    JsonNode first = card(dataset.resolve("dataset.json"));
    assertThat(first.get("input_records").asLong()).isEqualTo(RECORDS);
    String before = Files.readString(dataset.resolve("dataset.json"));

    // an overwrite killed half-way leaves the existing dataset as it was
    String[] overwrite = append(ingest, "--mode", "overwrite");
    killWhen(log, overwrite, p -> stagedHas(dataset, "parquet/train/_SUCCESS"));
    assertThat(Files.readString(dataset.resolve("dataset.json"))).isEqualTo(before);
    assertThat(dataset.resolve("parquet/train")).isDirectory();

    assertThat(run(log, overwrite)).as(read(log)).isZero();
    JsonNode second = card(dataset.resolve("dataset.json"));
    assertThat(second.get("fingerprint")).isEqualTo(first.get("fingerprint"));
    assertThat(second.get("counts")).isEqualTo(first.get("counts"));
    assertThat(second.get("text").get("vocab_sha256")).isEqualTo(first.get("text").get("vocab_sha256"));
  }

  @Test
  @Order(2)
  void trainingKilledTwiceResumesToTheParametersOfAnUninterruptedRun() throws Exception {
    Path whole = tmp.resolve("model whole");
    Path cut = tmp.resolve("model cut");
    List<String> train = List.of("train", "--data", dataset.toString(), "--model", "mlp", "--epochs", "3",
        "--batch-size", "256", "--hidden", "32", "--embedding", "16", "--workers", "2", "--averaging-frequency", "5",
        "--patience", "5");
    Path log = tmp.resolve("train.log");
    assertThat(run(log, append(train, "--output", whole.toString()))).as(read(log)).isZero();

    String[] interrupted = append(train, "--output", cut.toString());
    // right after epoch 1's log line: the checkpoint of epoch 1 is being written
    killWhen(log, interrupted, p -> logContains(log, "SparkTrainer: epoch 1/3"));
    assertThat(cut.resolve("model.json")).doesNotExist();
    String[] resume = append(interrupted, "--resume");
    killWhen(log, resume, p -> logContains(log, "SparkTrainer: epoch 2/3"));
    assertThat(cut.resolve("model.json")).doesNotExist();
    assertThat(run(log, interrupted)).as("an unfinished run is not silently restarted").isEqualTo(2);
    assertThat(read(log)).contains("--resume").doesNotContain("\tat ");
    assertThat(run(log, resume)).as(read(log)).isZero();
    assertThat(read(log)).contains("resuming");

    JsonNode a = card(whole.resolve("model.json"));
    JsonNode b = card(cut.resolve("model.json"));
    assertThat(b.get("epochs").size()).isEqualTo(3);
    for (int e = 0; e < 3; e++) {
      assertThat(b.get("epochs").get(e).get("validation_accuracy")).isEqualTo(a.get("epochs").get(e).get("validation_accuracy"));
    }
    MultiLayerNetwork x = ModelSerializer.restoreMultiLayerNetwork(whole.resolve("model.zip").toFile(), false);
    MultiLayerNetwork y = ModelSerializer.restoreMultiLayerNetwork(cut.resolve("model.zip").toFile(), false);
    assertThat(y.params().equalsWithEps(x.params(), 1e-5)).as("same parameters as the uninterrupted run").isTrue();
  }

  @Test
  @Order(3)
  void predictKilledLeavesNoPredictionsAndARerunScoresEveryRecord() throws Exception {
    Path model = tmp.resolve("model whole");
    Path out = tmp.resolve("predictions");
    String[] predict = {"predict", "--model", model.toString(), "--input", corpus.toString(), "--output", out.toString()};
    Path log = tmp.resolve("predict.log");
    killWhen(log, predict, p -> logContains(log, "PredictCommand: predict with"));
    assertNothingComplete(out, "predictions.json");
    killWhen(log, predict, p -> stagedHas(out, "parquet/_SUCCESS"));
    assertNothingComplete(out, "predictions.json");

    assertThat(run(log, predict)).as(read(log)).isZero();
    JsonNode summary = card(out.resolve("predictions.json"));
    assertThat(summary.get("input_records").asLong()).isEqualTo(RECORDS);
    assertThat(summary.get("predicted").asLong()).isEqualTo(RECORDS);
    // and an existing output is not touched without --mode overwrite
    String before = Files.readString(out.resolve("predictions.json"));
    assertThat(run(log, predict)).isEqualTo(2);
    assertThat(read(log)).contains("already exists (use --mode overwrite").doesNotContain("\tat ");
    assertThat(Files.readString(out.resolve("predictions.json"))).isEqualTo(before);
  }

  // ------------------------------------------------------------------------------------------

  interface KillPoint {
    boolean reached(Process p) throws IOException;
  }

  static Process start(Path log, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(TestData.projectRoot().resolve("bin/pipeline").toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(tmp.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    pb.environment().put("DEEPPIPE_NO_BUILD", "1"); // mvn verify has just built it
    pb.environment().put("DEEPPIPE_DRIVER_MEMORY", "1g");
    pb.environment().put("SPARK_MASTER", "local[2]");
    return pb.start();
  }

  static int run(Path log, String... args) throws Exception {
    Process p = start(log, args);
    assertThat(p.waitFor(4, TimeUnit.MINUTES)).as("finished in time").isTrue();
    return p.exitValue();
  }

  /** Starts the command and kills it (SIGKILL, with every descendant) as soon as {@code point} is reached. */
  static void killWhen(Path log, String[] args, KillPoint point) throws Exception {
    Process p = start(log, args);
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    while (!point.reached(p)) {
      assertThat(p.isAlive()).as("still running before the kill point; log:\n" + read(log)).isTrue();
      assertThat(System.nanoTime()).as("kill point reached in time").isLessThan(deadline);
      Thread.sleep(20);
    }
    Stream.concat(p.descendants(), Stream.of(p.toHandle())).forEach(ProcessHandle::destroyForcibly);
    assertThat(p.waitFor(1, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as("killed, not finished").isEqualTo(137);
  }

  static boolean logContains(Path log, String regex) throws IOException {
    return java.util.regex.Pattern.compile(regex).matcher(read(log)).find();
  }

  /** Whether a hidden temporary sibling of {@code out} (where the job writes) holds {@code child}. */
  static boolean stagedHas(Path out, String child) throws IOException {
    try (Stream<Path> siblings = Files.list(out.getParent())) {
      return siblings.filter(s -> s.getFileName().toString().startsWith("." + out.getFileName() + ".tmp-"))
          .anyMatch(s -> Files.exists(s.resolve(child)));
    }
  }

  /** No complete-looking output: nothing at {@code out}; anything left over is a hidden temporary sibling. */
  static void assertNothingComplete(Path out, String card) throws IOException {
    assertThat(out.resolve(card)).doesNotExist();
    assertThat(out).doesNotExist();
    try (Stream<Path> siblings = Files.list(out.getParent())) {
      assertThat(siblings.map(s -> s.getFileName().toString()).filter(n -> n.contains(out.getFileName().toString())))
          .allMatch(n -> n.startsWith("." + out.getFileName() + ".tmp-"));
    }
  }

  static JsonNode card(Path file) throws IOException {
    assertThat(file).exists();
    return Json.mapper().readTree(file.toFile());
  }

  static String read(Path log) throws IOException {
    return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
  }

  static String[] append(String[] args, String... more) {
    return append(List.of(args), more);
  }

  static String[] append(List<String> args, String... more) {
    List<String> all = new ArrayList<>(args);
    all.addAll(List.of(more));
    return all.toArray(new String[0]);
  }
}
