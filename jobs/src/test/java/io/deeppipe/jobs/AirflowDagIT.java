package io.deeppipe.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deeppipe.transforms.card.Json;
import io.deeppipe.transforms.testing.LocalSpark;
import io.deeppipe.transforms.testing.TestData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * conf/airflow/deeppipe_dags.py, checked as far as this machine allows without Airflow: the file is
 * executed by Python against a stand-in for the few Airflow names it uses (test resource
 * airflow-stub/), its templates rendered with test params, and then every task runs in dependency
 * order through the real CLI on small real data — twice, as an Airflow retry would — and the
 * retry must succeed without changing what the first attempt published.
 */
class AirflowDagIT {
  private static final Path ROOT = TestData.projectRoot();
  private static final Path DAG_FILE = ROOT.resolve("conf/airflow/deeppipe_dags.py");
  private static final String LOGICAL_DATE = "2026-11-28";

  @BeforeAll
  static void spark() {
    LocalSpark.session(); // the jobs' getOrCreate then reuses the tests' local[2] session
  }

  @Test
  void textDagRunsAndEveryTaskIsSafeToRetry(@TempDir Path tmp) throws Exception {
    Path raw = corpus(tmp.resolve("raw.jsonl"), 0, 120);
    Path score = corpus(tmp.resolve("score.jsonl"), 120, 20);
    JsonNode dag = dag("deeppipe_text", Map.of("work", tmp.resolve("work").toString(), "raw", raw.toString(),
        "score", score.toString(), "epochs", 2, "workers", 2, "max_length", 48));
    Path run = runEveryTaskTwice(dag);
    assertThat(card(run.resolve("dataset/dataset.json")).get("input_records").asInt()).isEqualTo(360);
    assertThat(card(run.resolve("predictions/predictions.json")).get("predicted").asInt()).isEqualTo(60);
    assertThat(card(run.resolve("model/model.json")).get("model").asText()).isEqualTo("transformer");
  }

  @Test
  void imageDagRunsAndEveryTaskIsSafeToRetry(@TempDir Path tmp) throws Exception {
    Path raw = TestData.writeMnistPngs(tmp.resolve("digits"), 15);
    JsonNode dag = dag("deeppipe_images", Map.of("work", tmp.resolve("work").toString(), "raw", raw.toString(),
        "score", raw.resolve("7").toString(), "epochs", 1, "workers", 2, "size", "28x28", "channels", 1));
    Path run = runEveryTaskTwice(dag);
    assertThat(card(run.resolve("dataset/dataset.json")).get("input_records").asInt()).isEqualTo(150);
    assertThat(card(run.resolve("predictions/predictions.json")).get("predicted").asInt()).isEqualTo(15);
    assertThat(card(run.resolve("model/model.json")).get("model").asText()).isEqualTo("cnn");
  }

  /**
   * With the YARN connection and spark-defaults selected as the DAG's docstring says, every task of
   * both DAGs submits through that connection with conf/spark-yarn.conf and ships log4j2.properties.
   */
  @Test
  void onYarnEveryTaskUsesTheYarnConnectionAndProperties() throws Exception {
    Map<String, String> env = Map.of("DEEPPIPE_SPARK_CONN", "spark_yarn", "DEEPPIPE_CLUSTER_PROPERTIES", "spark-yarn.conf");
    for (String dagId : List.of("deeppipe_text", "deeppipe_images")) {
      JsonNode dag = dag(dagId, Map.of("work", "hdfs:///deeppipe"), env);
      assertThat(dag.get("tasks")).hasSizeGreaterThanOrEqualTo(4);
      for (JsonNode task : dag.get("tasks")) {
        checkSubmission(task);
        assertThat(task.get("conn_id").asText()).as("%s %s", dagId, task.get("task_id")).isEqualTo("spark_yarn");
        assertThat(Path.of(task.get("properties_file").asText())).isEqualTo(ROOT.resolve("conf/spark-yarn.conf"));
        assertThat(task.get("application_args").get(0).asText()).isIn("ingest-text", "ingest-images", "train",
            "evaluate", "predict");
      }
    }
    assertThat(Files.readString(ROOT.resolve("conf/spark-yarn.conf")))
        .contains("-Dlog4j2.configurationFile=log4j2.properties", "spark.yarn.jars");
  }

  /** Runs the DAG's tasks in dependency order, each twice; returns the run's output folder. */
  private static Path runEveryTaskTwice(JsonNode dag) throws Exception {
    Map<String, JsonNode> pending = new LinkedHashMap<>();
    dag.get("tasks").forEach(t -> pending.put(t.get("task_id").asText(), t));
    List<String> done = new ArrayList<>();
    Path run = null;
    while (!pending.isEmpty()) {
      JsonNode task = pending.values().stream()
          .filter(t -> done.containsAll(Json.mapper().convertValue(t.get("upstream"), List.class)))
          .findFirst().orElseThrow(() -> new AssertionError("a cycle among " + pending.keySet()));
      checkSubmission(task);
      String[] args = Json.mapper().convertValue(task.get("application_args"), String[].class);
      Path output = Path.of(option(args, "--output"));
      run = output.getParent();

      Cli first = Cli.run(args);
      assertThat(first.code()).as("%s: %s %s", task.get("task_id"), first.out(), first.err()).isZero();
      Map<String, String> published = publishedCards(output);
      assertThat(published).as("%s published a card", task.get("task_id")).isNotEmpty();

      Cli retry = Cli.run(args);
      assertThat(retry.code()).as("retry of %s: %s %s", task.get("task_id"), retry.out(), retry.err()).isZero();
      assertThat(withoutTimes(publishedCards(output))).as("retry of %s", task.get("task_id"))
          .isEqualTo(withoutTimes(published));
      done.add(pending.remove(task.get("task_id").asText()).get("task_id").asText());
    }
    return run;
  }

  /** What SparkSubmitOperator would submit: our main class, the jar, a conf/ file, retries. */
  private static void checkSubmission(JsonNode task) throws ClassNotFoundException {
    assertThat(Class.forName(task.get("java_class").asText())).isEqualTo(Pipeline.class);
    assertThat(task.get("application").asText()).isEqualTo(StandaloneCluster.shadedJar().toString());
    assertThat(Path.of(task.get("properties_file").asText())).isRegularFile()
        .hasParent(ROOT.resolve("conf"));
    assertThat(task.get("retries").asInt()).as("retries of %s", task.get("task_id")).isPositive();
    assertThat(Path.of(task.get("files").asText())).isEqualTo(ROOT.resolve("conf/log4j2.properties")).isRegularFile();
  }

  /** The DAG file run by Python against the stand-in Airflow, rendered with these params. */
  private static JsonNode dag(String dagId, Map<String, Object> params) throws IOException, InterruptedException {
    return dag(dagId, params, Map.of());
  }

  /** The same, with {@code env} (DEEPPIPE_*) in the DAG file's environment. */
  private static JsonNode dag(String dagId, Map<String, Object> params, Map<String, String> env)
      throws IOException, InterruptedException {
    Path stub = ROOT.resolve("jobs/src/test/resources/airflow-stub");
    Map<String, Object> all = new LinkedHashMap<>(params);
    all.put("jar", StandaloneCluster.shadedJar().toString());
    ProcessBuilder pb = new ProcessBuilder("python3", stub.resolve("render_dags.py").toString(), DAG_FILE.toString(),
        Json.mapper().writeValueAsString(all), LOGICAL_DATE).redirectErrorStream(true);
    pb.environment().put("PYTHONPATH", stub.toString());
    pb.environment().put("DEEPPIPE_CONF_DIR", ROOT.resolve("conf").toString());
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    for (JsonNode d : Json.mapper().readTree(out)) {
      if (d.get("dag_id").asText().equals(dagId)) {
        return d;
      }
    }
    throw new AssertionError("no DAG " + dagId + " in " + out);
  }

  private static Path corpus(Path file, int skip, int perCategory) throws IOException {
    List<String> lines = new ArrayList<>();
    for (String category : List.of("computers", "politics", "science")) {
      for (String text : TestData.fortunes(category).stream().skip(skip).limit(perCategory).toList()) {
        ObjectNode row = Json.mapper().createObjectNode().put("text", text).put("label", category);
        lines.add(Json.mapper().writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
            .writeValueAsString(row));
      }
    }
    return Files.write(file, lines);
  }

  private static String option(String[] args, String name) {
    for (int i = 0; i < args.length - 1; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    throw new AssertionError(name + " missing in " + String.join(" ", args));
  }

  /** The cards (*.json) at the top of an output folder, by name. */
  private static Map<String, String> publishedCards(Path output) throws IOException {
    Map<String, String> cards = new java.util.TreeMap<>();
    if (Files.isDirectory(output)) {
      try (var files = Files.list(output)) {
        for (Path f : files.filter(f -> f.toString().endsWith(".json")).toList()) {
          cards.put(f.getFileName().toString(), Files.readString(f));
        }
      }
    }
    return cards;
  }

  /** Cards without their creation time and durations: what a retry may change. */
  private static Map<String, String> withoutTimes(Map<String, String> cards) {
    Map<String, String> out = new java.util.TreeMap<>();
    cards.forEach((k, v) -> out.put(k, v.replaceAll("\"(created|wall_time_ms|seconds)\" : [^,\\n]*", "\"$1\" : _")));
    return out;
  }

  private static JsonNode card(Path file) throws IOException {
    return Json.mapper().readTree(file.toFile());
  }
}
