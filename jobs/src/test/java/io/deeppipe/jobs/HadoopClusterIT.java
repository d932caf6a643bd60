package io.deeppipe.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.deeppipe.transforms.card.Json;
import io.deeppipe.transforms.testing.TestData;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jobs where Spark users run them: YARN and HDFS, as Hadoop's own mini clusters in this JVM
 * ({@link HadoopCluster}), each job submitted with SparkSubmit {@code --master yarn} from a child
 * JVM with conf/spark-yarn.conf, reading and writing only hdfs:// paths. One cluster serves the
 * whole class; the data are small so the class stays within a few minutes on two cores. The
 * drivers' output ({@code logs/submit-*.log}) stays under jobs/target/hadoop-cluster, the
 * containers' logs under jobs/target/test/data/hadoop-cluster-yarn.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HadoopClusterIT {
  private static final int PER_DIGIT = 20;
  private static final List<String> CATEGORIES = List.of("computers", "science", "politics");
  private static final int PER_CATEGORY = 30;

  @TempDir static Path tmp;
  private HadoopCluster cluster;
  private FileSystem fs;
  private String text;
  private String images;
  private String imageDataset;
  private String model;

  @BeforeAll
  void startCluster() throws Exception {
    cluster = HadoopCluster.start(TestData.projectRoot().resolve("jobs/target/hadoop-cluster"));
    fs = cluster.fs();
    text = cluster.uri("/raw/text/corpus.jsonl");
    try (OutputStream out = fs.create(new org.apache.hadoop.fs.Path(text))) {
      out.write(corpus().getBytes(StandardCharsets.UTF_8));
    }
    Path digits = TestData.writeMnistPngs(tmp.resolve("digits"), PER_DIGIT);
    images = cluster.uri("/raw/digits");
    fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(digits.toUri()), new org.apache.hadoop.fs.Path(images));
    fs.create(new org.apache.hadoop.fs.Path(images + "/7/empty.png")).close(); // a zero-byte file: rejected
    fs.mkdirs(new org.apache.hadoop.fs.Path(cluster.uri("/out")));
    imageDataset = cluster.uri("/out/digits");
    model = cluster.uri("/out/mlp");
  }

  @AfterAll
  void stopCluster() {
    if (cluster != null) {
      cluster.close();
      assertThat(cluster.executors()).as("executor JVMs left running").isEmpty();
    }
  }

  /**
   * ingest-text on HDFS, killed while it writes: nothing complete-looking is left (no target, only a
   * hidden temporary sibling without a card); the rerun succeeds and accounts for every record; an
   * overwrite with other options replaces it in one rename, leaving no moved-aside copy behind.
   */
  @Test
  @Order(2)
  void ingestTextKilledWhileWritingThenRerunThenOverwrite() throws Exception {
    String dataset = cluster.uri("/out/text");
    AtomicReference<Process> driver = new AtomicReference<>();
    AtomicBoolean killed = new AtomicBoolean();
    Thread killer = new Thread(() -> killWhenStaged(driver, "/out", ".text.tmp-", killed));
    killer.start();
    StandaloneCluster.Run first = cluster.submit(null, driver::set, line -> {}, "ingest-text", "--input", text,
        "--output", dataset, "--max-length", "32");
    killer.join();
    assertThat(killed).as("the driver was killed while writing: " + first.out()).isTrue();
    assertThat(first.code()).isNotZero();
    assertThat(fs.exists(new org.apache.hadoop.fs.Path(dataset))).as("a killed ingest publishes nothing").isFalse();
    List<FileStatus> staged = hidden("/out", ".text.tmp-");
    assertThat(staged).as("the killed run's temporary directory").isNotEmpty();
    for (FileStatus s : staged) {
      assertThat(fs.exists(new org.apache.hadoop.fs.Path(s.getPath(), "dataset.json"))).isFalse();
    }

    ok(cluster.submit("ingest-text", "--input", text, "--output", dataset, "--max-length", "32"));
    JsonNode card = card(dataset + "/dataset.json");
    checkAccounting(card);
    assertThat(card.get("input_records").asInt()).isEqualTo(CATEGORIES.size() * PER_CATEGORY + 4);
    assertThat(card.get("duplicates_removed").asInt()).isGreaterThanOrEqualTo(2);
    assertThat(card.get("rejected_by_reason").get("malformed_json").asInt()).isEqualTo(2);
    assertThat(card.get("labels")).hasSize(CATEGORIES.size());
    assertThat(fs.listStatus(new org.apache.hadoop.fs.Path(dataset + "/parquet/train"))).isNotEmpty();

    StandaloneCluster.Run exists = cluster.submit("ingest-text", "--input", text, "--output", dataset);
    assertThat(exists.code()).as(exists.out()).isEqualTo(2);
    assertThat(exists.out()).contains("already exists");

    ok(cluster.submit("ingest-text", "--input", text, "--output", dataset, "--max-length", "48", "--mode", "overwrite"));
    JsonNode replaced = card(dataset + "/dataset.json");
    assertThat(replaced.get("text").get("max_length").asInt()).isEqualTo(48);
    assertThat(replaced.get("fingerprint").asText()).isNotEqualTo(card.get("fingerprint").asText());
    checkAccounting(replaced);
    assertThat(hidden("/out", ".text.old-")).as("the replaced dataset, once moved aside, is deleted").isEmpty();
  }

  /**
   * An output this HDFS user may not write: exit 2 naming the path, before any YARN application
   * is submitted and without creating anything. The tests run as root, HDFS's superuser, so the
   * child runs as another HDFS user.
   */
  @Test
  @Order(3)
  void anOutputTheUserCannotWriteExitsTwoBeforeSparkStarts() throws Exception {
    org.apache.hadoop.fs.Path locked = new org.apache.hadoop.fs.Path(cluster.uri("/locked"));
    fs.mkdirs(locked);
    fs.setPermission(locked, new FsPermission((short) 0755));
    String output = cluster.uri("/locked/text");
    int applications = cluster.applications();
    StandaloneCluster.Run run = cluster.submit("alice", p -> {}, line -> {}, "ingest-text", "--input", text,
        "--output", output);
    assertThat(run.code()).as(run.out()).isEqualTo(2);
    assertThat(run.out()).contains("--output " + output, "alice", "no write permission");
    assertThat(cluster.applications()).as("YARN applications submitted").isEqualTo(applications);
    assertThat(fs.listStatus(locked)).isEmpty();

    StandaloneCluster.Run train = cluster.submit("alice", p -> {}, line -> {}, "train", "--data",
        cluster.uri("/out/text"), "--model", "mlp", "--output", cluster.uri("/locked/model"));
    assertThat(train.code()).as(train.out()).isEqualTo(2);
    assertThat(train.out()).contains("--output " + cluster.uri("/locked/model"), "no write permission");
    assertThat(cluster.applications()).isEqualTo(applications);
  }

  /**
   * ingest-images → train (one executor container killed with SIGKILL after epoch 1: YARN gives
   * Spark a new one and training completes) → evaluate → predict on the raw image folder, all on
   * hdfs://.
   */
  @Test
  @Order(1)
  void imagesIngestTrainEvaluatePredictSurvivingALostExecutor() throws Exception {
    ok(cluster.submit("ingest-images", "--input", images, "--output", imageDataset, "--size", "28x28",
        "--channels", "1"));
    JsonNode dataset = card(imageDataset + "/dataset.json");
    checkAccounting(dataset);
    assertThat(dataset.get("input_records").asInt()).isEqualTo(10 * PER_DIGIT + 1);
    assertThat(dataset.get("rejected_by_reason").get("zero_bytes").asInt()).isEqualTo(1);

    AtomicReference<List<ProcessHandle>> running = new AtomicReference<>();
    StandaloneCluster.Run train = cluster.submit(null, p -> {}, line -> {
      if (line.contains("epoch 1/") && running.get() == null) {
        List<ProcessHandle> executors = cluster.executors();
        running.set(executors);
        if (!executors.isEmpty()) {
          executors.get(0).destroyForcibly();
          executors.get(0).onExit().join();
        }
      }
    }, "train", "--data", imageDataset, "--model", "mlp", "--output", model, "--workers", "2", "--epochs", "4",
        "--patience", "4", "--batch-size", "16");
    assertThat(running.get()).as("executor JVMs when epoch 1 ended, one of them then killed").hasSize(2);
    ok(train);
    assertThat(train.out()).contains("Lost executor");
    JsonNode modelCard = card(model + "/model.json");
    assertThat(modelCard.get("epochs")).hasSize(4);

    String evaluation = cluster.uri("/out/evaluation");
    ok(cluster.submit("evaluate", "--model", model, "--data", imageDataset, "--output", evaluation));
    assertThat(card(evaluation + "/metrics.json").get("accuracy").asDouble())
        .as("4 epochs of an MLP on 160 digits; chance is 0.1").isGreaterThan(0.2);

    String predictions = cluster.uri("/out/predictions");
    ok(cluster.submit("predict", "--model", model, "--input", images, "--output", predictions));
    JsonNode predicted = card(predictions + "/predictions.json");
    assertThat(predicted.get("input_records").asInt()).isEqualTo(10 * PER_DIGIT + 1);
    assertThat(predicted.get("predicted").asInt() + predicted.get("rejected").asInt())
        .isEqualTo(predicted.get("input_records").asInt());
    assertThat(predicted.get("predicted").asInt()).isEqualTo(10 * PER_DIGIT);
  }

  /** JSON Lines of three fortunes categories, two exact duplicates and two malformed lines. */
  private static String corpus() throws IOException {
    StringBuilder sb = new StringBuilder();
    List<String> lines = new ArrayList<>();
    for (String category : CATEGORIES) {
      for (String entry : TestData.fortunes(category).subList(0, PER_CATEGORY)) {
        lines.add(JsonNodeFactory.instance.objectNode().put("text", entry).put("label", category).toString());
      }
    }
    lines.add(lines.get(0));
    lines.add(lines.get(PER_CATEGORY));
    lines.add("{\"text\": \"not closed");
    lines.add("[1, 2");
    lines.forEach(l -> sb.append(l).append('\n'));
    return sb.toString();
  }

  /** Kills the driver with SIGKILL as soon as the job's temporary output appears on HDFS. */
  private void killWhenStaged(AtomicReference<Process> driver, String parent, String prefix, AtomicBoolean killed) {
    try {
      long end = System.nanoTime() + 300_000_000_000L;
      while (System.nanoTime() < end) {
        Process p = driver.get();
        if (p != null && !p.isAlive()) {
          return;
        }
        if (p != null && !hidden(parent, prefix).isEmpty()) {
          p.destroyForcibly();
          killed.set(true);
          return;
        }
        Thread.sleep(20);
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private List<FileStatus> hidden(String parent, String prefix) throws IOException {
    return Arrays.stream(fs.listStatus(new org.apache.hadoop.fs.Path(cluster.uri(parent))))
        .filter(s -> s.getPath().getName().startsWith(prefix)).toList();
  }

  private static void checkAccounting(JsonNode card) {
    JsonNode counts = card.get("counts");
    long kept = counts.get("train").asLong() + counts.get("validation").asLong() + counts.get("test").asLong();
    assertThat(card.get("input_records").asLong()).as("input = kept + rejected + duplicates: " + card)
        .isEqualTo(kept + counts.get("rejected").asLong() + card.get("duplicates_removed").asLong());
    assertThat(kept).isPositive();
  }

  private static void ok(StandaloneCluster.Run run) {
    assertThat(run.code()).as(run.out()).isZero();
  }

  private JsonNode card(String uri) throws IOException {
    try (InputStream in = fs.open(new org.apache.hadoop.fs.Path(uri))) {
      return Json.mapper().readTree(in);
    }
  }
}
