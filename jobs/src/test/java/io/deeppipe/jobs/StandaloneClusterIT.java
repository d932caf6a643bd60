package io.deeppipe.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.deeppipe.transforms.card.Json;
import io.deeppipe.transforms.testing.TestData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jobs as users run them on a cluster: a Spark standalone Master and two Workers as separate
 * JVMs, the shaded jar submitted with SparkSubmit (what {@code spark-submit} runs) and
 * conf/spark-cluster.conf, each job its own application, as an Airflow DAG runs them. The cluster's
 * logs, the drivers' output ({@code logs/submit-*.log}) and the executors' logs
 * ({@code work-N/app-*}) stay under jobs/target/standalone-cluster.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StandaloneClusterIT {
  private static final int PER_DIGIT = 40;

  @TempDir static Path tmp;
  private StandaloneCluster cluster;
  private Path dataset;
  private List<ProcessHandle> started;

  @BeforeAll
  void startClusterAndIngest() throws Exception {
    Path digits = TestData.writeMnistPngs(tmp.resolve("digits"), PER_DIGIT);
    dataset = tmp.resolve("out/mnist");
    cluster = StandaloneCluster.start(TestData.projectRoot().resolve("jobs/target/standalone-cluster"), 2);
    started = cluster.aliveProcesses();
    ok(cluster.submit("ingest-images", "--input", digits.toString(), "--output", dataset.toString(),
        "--size", "28x28", "--channels", "1"));
    assertThat(card(dataset.resolve("dataset.json")).get("input_records").asInt()).isEqualTo(10 * PER_DIGIT);
  }

  @AfterAll
  void stopCluster() {
    if (cluster != null) {
      cluster.close();
      assertThat(started).hasSizeGreaterThanOrEqualTo(3).noneMatch(ProcessHandle::isAlive); // master + 2 workers
      assertThat(cluster.aliveProcesses()).isEmpty();
    }
  }

  @Test
  @Order(1)
  void trainPredictEvaluateOnTwoExecutors() throws Exception {
    Path model = tmp.resolve("out/mlp");
    Path predictions = tmp.resolve("out/predictions");
    Path evaluation = tmp.resolve("out/evaluation");
    ok(cluster.submit("train", "--data", dataset.toString(), "--model", "mlp", "--output", model.toString(),
        "--workers", "2", "--epochs", "4", "--batch-size", "16"));
    assertThat(model.resolve("model.json")).exists();
    // both Workers started an executor for the training application, and both executors ran tasks
    for (int w = 0; w < 2; w++) {
      assertThat(executorLogs(cluster.workDir(w)).filter(log -> read(log).contains("Running task")).count())
          .as("executors of worker %d that ran tasks", w).isGreaterThanOrEqualTo(1);
    }
    // train's executors run with the C1 compiler only (Sessions.executorJavaOptions), the other jobs'
    // with the JVM's default; conf/spark-cluster.conf's flags are kept
    var launched = cluster.executorLaunchCommands();
    assertThat(launched.get("deeppipe train")).hasSize(2).allSatisfy(cmd -> assertThat(cmd)
        .contains("\"-XX:TieredStopAtLevel=1\"", "\"--add-opens=java.base/java.nio=ALL-UNNAMED\""));
    assertThat(launched.get("deeppipe ingest-images")).isNotEmpty()
        .allSatisfy(cmd -> assertThat(cmd).doesNotContain("Tiered").contains("--add-opens=java.base/java.nio=ALL-UNNAMED"));

    ok(cluster.submit("predict", "--model", model.toString(), "--input", dataset.toString(), "--output",
        predictions.toString()));
    assertThat(card(predictions.resolve("predictions.json")).get("predicted").asInt()).isEqualTo(10 * PER_DIGIT);

    ok(cluster.submit("evaluate", "--model", model.toString(), "--data", dataset.toString(), "--output",
        evaluation.toString()));
    assertThat(card(evaluation.resolve("metrics.json")).get("accuracy").asDouble())
        .as("4 epochs of an MLP on 320 digits; chance is 0.1").isGreaterThan(0.5);
  }

  /**
   * A node lost mid-training: once epoch 2 is done and Worker 1's executor has started a task of
   * epoch 3, that Worker and its executor are killed with SIGKILL. Spark drops the lost executor,
   * reruns its tasks on the one left (spark.task.maxFailures) and training finishes every epoch with
   * a complete model.
   */
  @Test
  @Order(2)
  void trainingSurvivesLosingAWorker() throws Exception {
    Path model = tmp.resolve("out/mlp-worker-lost");
    AtomicBoolean killed = new AtomicBoolean();
    Thread[] killer = new Thread[1];
    StandaloneCluster.Run train = cluster.submit(line -> {
      if (line.contains("epoch 2/") && killer[0] == null) {
        killer[0] = new Thread(() -> killWorkerOnItsNextTask(1, killed));
        killer[0].start();
      }
    }, "train", "--data", dataset.toString(), "--model", "mlp", "--output", model.toString(), "--workers", "2",
        "--epochs", "6", "--patience", "6", "--batch-size", "16");
    assertThat(killer[0]).as("training reached epoch 2").isNotNull();
    killer[0].join();
    assertThat(killed).as("the worker was killed during training").isTrue();
    assertThat(train.code()).as(train.out()).isZero();
    assertThat(train.out()).contains("Lost executor");
    assertThat(card(model.resolve("model.json")).get("epochs").size()).isEqualTo(6);
    assertThat(cluster.aliveWorkers()).isLessThanOrEqualTo(1);
  }

  private void killWorkerOnItsNextTask(int worker, AtomicBoolean killed) {
    try {
      long before = runningTasks(worker);
      long end = System.nanoTime() + 30_000_000_000L;
      while (runningTasks(worker) == before && System.nanoTime() < end) {
        Thread.sleep(20);
      }
      cluster.killWorker(worker);
      killed.set(true);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private long runningTasks(int worker) throws IOException {
    return executorLogs(cluster.workDir(worker)).mapToLong(log -> read(log).split("Running task", -1).length - 1).sum();
  }

  private static void ok(StandaloneCluster.Run run) {
    assertThat(run.code()).as(run.out()).isZero();
  }

  private static JsonNode card(Path file) throws IOException {
    return Json.mapper().readTree(file.toFile());
  }

  /** The stderr of every executor of the newest application on a Worker. */
  private static Stream<Path> executorLogs(Path workDir) throws IOException {
    try (Stream<Path> apps = Files.list(workDir)) {
      Path newest = apps.filter(p -> p.getFileName().toString().startsWith("app-")).max(Path::compareTo).orElseThrow();
      try (Stream<Path> executors = Files.list(newest)) {
        return executors.map(e -> e.resolve("stderr")).filter(Files::exists).toList().stream();
      }
    }
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
