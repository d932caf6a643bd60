package io.deeppipe.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deeppipe.transforms.card.Json;
import io.deeppipe.transforms.testing.LocalSpark;
import io.deeppipe.transforms.testing.TestData;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.tuning.CrossValidatorModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Zeppelin notes in {@code notebooks/} cannot rot: each note's {@code %spark} paragraphs run in order in a
 * Scala 2.12 REPL set up the way Zeppelin's Spark interpreter sets up its own (class-based wrappers, classes served
 * to the executors, {@code spark}, {@code sc} and {@code z} bound), on this build's jars, on real sample data that
 * the CLI ingests first (MNIST digits and fortunes). A paragraph that does not compile or throws fails the test,
 * naming the note and the paragraph; the assertions check what the paragraphs produced.
 *
 * <p>One interpreter serves every note, in the order a user takes them (explore, train, score), as Zeppelin shares
 * one Spark interpreter between notes by default; each note still reads its own parameters from its forms.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NotebooksIT {
  private static final String EXPLORE = "1-explore-dataset_2DPEXPLOR.zpln";
  private static final String TRAIN = "2-train-model_2DPTRAINM.zpln";
  private static final String SCORE = "3-score-dataframe_2DPSCORED.zpln";
  private static final String PIPELINE = "4-spark-ml-pipeline_2DPMLPIPE.zpln";
  private static final int PER_DIGIT = 30;
  private static final int PER_CATEGORY = 150;
  private static final List<String> CATEGORIES = List.of("computers", "science", "law");
  private static final int SAMPLES_PER_LABEL = 6; // what the explore note draws per label

  private static final Path NOTEBOOKS = TestData.projectRoot().resolve("notebooks");
  private static final ZeppelinContextStub z = new ZeppelinContextStub();

  @TempDir static Path tmp;
  private static SparkSession spark;
  private static boolean ownSession;
  private static ScalaRepl repl;
  private static Path digits;
  private static Path digitsDataset;
  private static Path fortunesDataset;

  @BeforeAll
  static void ingestSampleDataAndStartTheInterpreter() throws Exception {
    Path replClasses = Files.createDirectories(tmp.resolve("repl-classes"));
    // another test class in this JVM may have started Spark already: then that session serves, and stays theirs
    ownSession = SparkSession.getDefaultSession().isEmpty();
    // the test fixture's settings (LocalSpark) plus what Zeppelin adds: the REPL's classes served to the executors
    spark = LocalSpark.builder().appName("deeppipe-notebooks")
        .config("spark.repl.class.outputDir", replClasses.toString()).getOrCreate();

    digits = TestData.writeMnistPngs(tmp.resolve("raw/digits"), PER_DIGIT);
    digitsDataset = tmp.resolve("datasets/digits");
    ok(Cli.run("ingest-images", "--input", digits.toString(), "--output", digitsDataset.toString(),
        "--size", "28x28", "--channels", "1"));

    Path corpus = tmp.resolve("raw/fortunes.jsonl");
    ObjectMapper jsonLines = new ObjectMapper(); // one record per line (the cards' mapper indents)
    try (BufferedWriter w = Files.newBufferedWriter(corpus, StandardCharsets.UTF_8)) {
      for (String category : CATEGORIES) {
        for (String entry : TestData.fortunes(category).subList(0, PER_CATEGORY)) {
          w.write(jsonLines.writeValueAsString(Map.of("text", entry, "label", category)));
          w.newLine();
        }
      }
    }
    fortunesDataset = tmp.resolve("datasets/fortunes");
    ok(Cli.run("ingest-text", "--input", corpus.toString(), "--output", fortunesDataset.toString(),
        "--max-length", "64", "--vocab-size", "3000"));

    long t0 = System.nanoTime();
    repl = new ScalaRepl(replClasses);
    repl.bind("spark", "org.apache.spark.sql.SparkSession", spark);
    repl.bind("sc", "org.apache.spark.SparkContext", spark.sparkContext());
    repl.bind("z", ZeppelinContextStub.class.getName(), z);
    if (ownSession) {
      // the harness itself: a closure compiled by the REPL runs in an executor task, as in Zeppelin
      ScalaRepl.Outcome closure = repl.run("val closureCheck = sc.parallelize(1 to 4, 2).map(_ * 10).collect().sum");
      assertThat(closure.success()).as(closure.output()).isTrue();
      assertThat(repl.value("closureCheck")).isEqualTo(100);
    }
    System.out.printf("Scala REPL ready in %.1f s%n", (System.nanoTime() - t0) / 1e9);
  }

  @AfterAll
  static void closeTheInterpreter() {
    if (repl != null) {
      repl.close();
    }
    if (ownSession && spark != null) {
      spark.stop(); // it serves classes from a temporary folder that JUnit is about to delete
    }
  }

  @Test
  @Order(0)
  void everyNoteIsAZeppelinNoteToImport() throws Exception {
    List<Path> files;
    try (Stream<Path> s = Files.list(NOTEBOOKS)) {
      files = s.filter(p -> p.toString().endsWith(".zpln")).sorted().toList();
    }
    assertThat(files.stream().map(p -> p.getFileName().toString()))
        .as("the notes in notebooks/, each run by a test below (a new note needs its own)")
        .containsExactly(EXPLORE, TRAIN, SCORE, PIPELINE);
    Set<String> noteIds = new HashSet<>();
    for (Path file : files) {
      String where = NOTEBOOKS.relativize(file).toString();
      JsonNode note = Json.mapper().readTree(file.toFile());
      assertThat(note.isObject()).as(where).isTrue();
      for (String field : List.of("name", "id", "defaultInterpreterGroup", "version")) {
        assertThat(note.path(field).isTextual() && !note.path(field).asText().isBlank()).as(where + ": " + field).isTrue();
      }
      for (String field : List.of("noteParams", "noteForms", "angularObjects", "config", "info")) {
        assertThat(note.path(field).isObject()).as(where + ": " + field + " is an object").isTrue();
      }
      assertThat(note.get("defaultInterpreterGroup").asText()).as(where).isEqualTo("spark");
      // Zeppelin's notebook folder names files <name>_<id>.zpln and takes the id from the name
      assertThat(file.getFileName().toString()).as(where).endsWith("_" + note.get("id").asText() + ".zpln");
      assertThat(noteIds.add(note.get("id").asText())).as(where + ": note id unique").isTrue();

      assertThat(note.path("paragraphs").isArray() && note.path("paragraphs").size() > 1).as(where + ": paragraphs").isTrue();
      Set<String> paragraphIds = new HashSet<>();
      for (JsonNode p : note.get("paragraphs")) {
        String id = p.path("id").asText("");
        String at = where + " paragraph " + id;
        assertThat(id).as(where + ": paragraph id").isNotBlank();
        assertThat(paragraphIds.add(id)).as(at + ": id unique").isTrue();
        assertThat(p.path("text").isTextual()).as(at + ": text").isTrue();
        assertThat(p.path("config").isObject()).as(at + ": config").isTrue();
        assertThat(p.path("settings").path("params").isObject() && p.path("settings").path("forms").isObject())
            .as(at + ": settings.params and settings.forms").isTrue();
        assertThat(p.path("status").asText()).as(at + ": status").isEqualTo("READY");
        assertThat(p.path("results").path("msg").size()).as(at + ": shipped without outputs").isZero();
      }
      ZeppelinNote parsed = ZeppelinNote.read(file);
      assertThat(parsed.paragraphs().get(0).isMarkdown()).as(where + ": opens with an explanation").isTrue();
      for (ZeppelinNote.Paragraph p : parsed.paragraphs()) {
        assertThat(p.isMarkdown() || p.isSparkScala())
            .as(where + " " + p.label() + ": interpreter %" + p.interpreter() + " (this test runs %md and %spark only)")
            .isTrue();
      }
      assertThat(parsed.paragraphs()).as(where + ": has Scala to run").anyMatch(ZeppelinNote.Paragraph::isSparkScala);
    }
  }

  @Test
  @Order(1)
  void exploreAnImageDataset() throws Exception {
    Map<String, ScalaRepl.Outcome> out = run(EXPLORE, Map.of("datasetDir", digitsDataset.toString()));
    assertThat(z.asked()).contains("datasetDir");

    String images = out.get("Sample images").output();
    assertThat(images).startsWith("%html <table>");
    assertThat(count(images, "<img src=\"data:image/png;base64,")).isEqualTo(10 * SAMPLES_PER_LABEL);
    assertThat(dataset("balance").count()).as("label balance: one row per digit").isEqualTo(10);
    assertThat(dataset("rows").count()).isEqualTo(10L * PER_DIGIT);
    Dataset<Row> counts = dataset("counts");
    for (Row r : counts.collectAsList()) {
      assertThat(r.getLong(2)).as("split " + r.getString(0) + ": rows in the files = the card's count").isEqualTo(r.getLong(1));
    }
    assertThat(out.get("Most frequent tokens").output()).contains("an image dataset: no tokens");
    assertThat(((scala.collection.Seq<?>) repl.value("topTokens")).isEmpty()).isTrue();
  }

  @Test
  @Order(2)
  void exploreATextDataset() throws Exception {
    Map<String, ScalaRepl.Outcome> out = run(EXPLORE, Map.of("datasetDir", fortunesDataset.toString()));

    assertThat(out.get("Sample images").output()).contains("a text dataset: no images");
    assertThat(dataset("balance").collectAsList()).extracting(r -> r.getString(0)).containsExactlyElementsOf(CATEGORIES.stream().sorted().toList());
    scala.Option<?> lengths = (scala.Option<?>) repl.value("tokenLengths");
    assertThat(((Dataset<?>) lengths.get()).count()).as("length statistics per split").isEqualTo(3);
    scala.collection.Seq<?> top = (scala.collection.Seq<?>) repl.value("topTokens");
    assertThat(top.size()).isEqualTo(30);
    List<String> tokens = scala.collection.JavaConverters.seqAsJavaList(top).stream()
        .map(t -> (String) ((scala.Tuple3<?, ?, ?>) t)._1()).toList();
    // fortunes are English: the top train tokens, looked up in vocab.txt, are its commonest words
    assertThat(tokens).contains("the", "a", "to", "of");
    assertThat(out.get("Unknown tokens per split").output()).contains("unknown_share");
  }

  @Test
  @Order(3)
  void trainAModel() throws Exception {
    Path model = tmp.resolve("models/digits-mlp");
    Path evaluation = tmp.resolve("evaluations/digits-mlp");
    Map<String, ScalaRepl.Outcome> out = run(TRAIN, Map.of("datasetDir", digitsDataset.toString(), "modelDir", model.toString(), "epochs", "4",
        "evaluationDir", evaluation.toString()));
    assertThat(z.asked()).containsExactly("datasetDir", "modelDir", "model", "epochs", "evaluationDir");

    assertThat(model.resolve("model.json")).exists();
    assertThat(model.resolve("model.zip")).exists();
    assertThat(dataset("history").count()).as("one row per epoch").isBetween(1L, 4L);
    JsonNode metrics = Json.mapper().readTree(evaluation.resolve("metrics.json").toFile());
    assertThat(metrics.get("accuracy").asDouble()).as("MLP on %d digits; chance is 0.1", 10 * PER_DIGIT).isGreaterThan(0.4);
    assertThat(out.get("Evaluate").output()).contains(String.format(java.util.Locale.ROOT, "test accuracy %.4f", metrics.get("accuracy").asDouble()));
  }

  @Test
  @Order(4)
  void scoreDataFramesWithTheModel() throws Exception {
    Path model = tmp.resolve("models/digits-mlp");
    assertThat(model.resolve("model.json")).as("the model the train note wrote").exists();
    run(SCORE, Map.of("modelDir", model.toString(), "datasetDir", digitsDataset.toString(),
        "rawInput", digits.toString()));

    Dataset<Row> scored = dataset("scored");
    long test = spark.read().parquet(digitsDataset.resolve("parquet/test").toString()).count();
    assertThat(scored.columns()).contains("id", "label", "prediction", "prediction_index", "probability", "top_k");
    assertThat(scored.count()).isEqualTo(test);
    assertThat(scored.where("prediction is null or probability is null or size(top_k) != 3").count()).isZero();
    assertThat((Double) repl.value("accuracy")).isGreaterThan(0.4);

    scala.Option<?> raw = (scala.Option<?>) repl.value("scoredRaw");
    Dataset<?> rawScored = (Dataset<?>) raw.get();
    assertThat(rawScored.count()).as("every raw PNG scored").isEqualTo(10L * PER_DIGIT);
    assertThat(rawScored.where("prediction = label").count()).as("raw files scored like the dataset").isGreaterThan(4L * PER_DIGIT);
  }

  @Test
  @Order(5)
  void tuneAPipelineWithCrossValidator() throws Exception {
    Path saved = tmp.resolve("models/digits-pipeline");
    Map<String, ScalaRepl.Outcome> out = run(PIPELINE, Map.of("rawImages", digits.toString(), "pipelineDir", saved.toString(),
        "epochs", "6"));
    assertThat(z.asked()).containsExactly("rawImages", "pipelineDir", "epochs");

    // the grid's two learning rates, each with its mean accuracy over the folds; 1e-5 barely moves the weights
    CrossValidatorModel cv = (CrossValidatorModel) repl.value("cvModel");
    assertThat(cv.avgMetrics()).hasSize(2);
    assertThat(cv.avgMetrics()[1]).isGreaterThan(cv.avgMetrics()[0]);
    assertThat(dataset("tuning").count()).isEqualTo(2);
    assertThat(out.get("CrossValidator").output()).contains("best params: learningRate 0.003, epochs 6, network mlp");

    // the saved pipeline is Spark's own PipelineModel: preprocessor and best network
    PipelineModel loaded = PipelineModel.load(saved.toString());
    assertThat(loaded.stages()).hasSize(2);
    double accuracy = (Double) repl.value("testAccuracy");
    assertThat(accuracy).as("MLP on %d digits; chance is 0.1", 10 * PER_DIGIT).isGreaterThan(0.4);

    // the confusion matrix: one row per true digit, its cells count every scored file, its diagonal is the accuracy
    Dataset<Row> confusion = dataset("confusion");
    assertThat(confusion.columns()[0]).isEqualTo("label");
    long total = 0;
    long correct = 0;
    for (Row r : confusion.collectAsList()) {
      String label = r.getString(0);
      for (int i = 1; i < r.size(); i++) {
        total += r.getLong(i);
        if (confusion.columns()[i].equals(label)) {
          correct += r.getLong(i);
        }
      }
    }
    assertThat(confusion.count()).isEqualTo(10);
    assertThat(total).isEqualTo(dataset("scored").where("rejected_reason is null").count()).isPositive();
    assertThat((double) correct / total).isCloseTo(accuracy, org.assertj.core.data.Offset.offset(1e-9));
  }

  /** Runs a note's Scala paragraphs in order with these form values; returns each outcome by title (or id). */
  private static Map<String, ScalaRepl.Outcome> run(String fileName, Map<String, String> forms) throws Exception {
    ZeppelinNote note = ZeppelinNote.read(NOTEBOOKS.resolve(fileName));
    z.fill(forms);
    z.output(repl.console());
    Map<String, ScalaRepl.Outcome> outcomes = new LinkedHashMap<>();
    for (ZeppelinNote.Paragraph p : note.paragraphs()) {
      if (!p.isSparkScala() || p.code().isBlank()) {
        continue; // Zeppelin renders %md itself; an empty paragraph (a note's last, often) does nothing
      }
      long t0 = System.nanoTime();
      ScalaRepl.Outcome o = repl.run(p.code());
      System.out.printf("%s %s: %s in %.1f s%n%s%n", fileName, p.label(), o.success() ? "ok" : "FAILED",
          (System.nanoTime() - t0) / 1e9, abbreviate(o.output(), 800));
      if (!o.success()) {
        fail("note " + fileName + ", " + p.label() + " failed:\n" + o.output());
      }
      outcomes.put(p.title() != null ? p.title() : p.id(), o);
    }
    return outcomes;
  }

  private static void ok(Cli run) {
    assertThat(run.code()).as(run.out() + run.err()).isZero();
  }

  @SuppressWarnings("unchecked")
  private static Dataset<Row> dataset(String term) {
    return (Dataset<Row>) repl.value(term);
  }

  private static int count(String text, String part) {
    Matcher m = Pattern.compile(Pattern.quote(part)).matcher(text);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  private static String abbreviate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max) + " … (" + (s.length() - max) + " more characters)";
  }
}
