package io.deeppipe.jobs.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.deeppipe.jobs.Cli;
import io.deeppipe.jobs.reliability.TrainedModels;
import io.deeppipe.transforms.Fingerprint;
import io.deeppipe.transforms.card.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The catalog of real outputs made by the real commands (datasets, models, an evaluation on a
 * renamed copy of a dataset, predictions on a dataset and on raw files, a model whose dataset was
 * re-ingested since), an ONNX model card, and damaged cards; checked against the cards, then loaded
 * from file:// by a real headless Chromium.
 */
class CatalogTest {
  @TempDir static Path tmp;
  static Path store;
  static Path site;
  static Cli run;
  static JsonNode catalog;
  static Map<String, JsonNode> items = new HashMap<>();

  @BeforeAll
  static void catalogOfRealOutputs() throws Exception {
    Path made = TrainedModels.root();
    store = tmp.resolve("store");
    copy(TrainedModels.imageData(), store.resolve("datasets/digits"));
    copy(TrainedModels.imageData(), store.resolve("copies/digits-renamed"));
    copy(TrainedModels.imageModel(), store.resolve("models/digits-mlp"));
    copy(TrainedModels.textData(), store.resolve("datasets/text"));
    copy(TrainedModels.textModel(), store.resolve("models/text-mlp"));
    ok("evaluate", "--model", store.resolve("models/digits-mlp").toString(), "--data",
        store.resolve("copies/digits-renamed").toString(), "--output", store.resolve("evaluations/digits").toString());
    ok("predict", "--model", store.resolve("models/text-mlp").toString(), "--input", store.resolve("datasets/text").toString(),
        "--split", "test", "--output", store.resolve("predictions/text-test").toString());
    ok("predict", "--model", store.resolve("models/digits-mlp").toString(), "--input", made.resolve("raw/mnist").toString(),
        "--output", store.resolve("predictions/digits-raw").toString());
    // a model whose dataset folder was re-ingested with other options after training: stale lineage
    Path lang = store.resolve("datasets/lang");
    ok("ingest-text", "--input", made.resolve("raw/text.jsonl").toString(), "--output", lang.toString(), "--max-length",
        "12", "--tokenizer", "char");
    ok("train", "--data", lang.toString(), "--model", "mlp", "--output", store.resolve("models/lang-mlp").toString(),
        "--epochs", "1", "--hidden", "8", "--embedding", "4", "--workers", "1");
    ok("ingest-text", "--input", made.resolve("raw/text.jsonl").toString(), "--output", lang.toString(), "--max-length",
        "10", "--tokenizer", "char", "--mode", "overwrite");
    // a DL4J model card from before train recorded the model's fingerprint: still read, and matched
    // through the digest of its model.zip
    copy(TrainedModels.textModel(), store.resolve("models/old-card"));
    Path oldCard = store.resolve("models/old-card/model.json");
    com.fasterxml.jackson.databind.node.ObjectNode withoutFingerprint =
        (com.fasterxml.jackson.databind.node.ObjectNode) Json.mapper().readTree(oldCard.toFile());
    withoutFingerprint.remove("fingerprint");
    Files.deleteIfExists(oldCard.resolveSibling(".model.json.crc"));
    Files.writeString(oldCard, Json.mapper().writeValueAsString(withoutFingerprint));
    // an imported model: its card names kind onnx and the model file is model.onnx
    Path onnx = Files.createDirectories(store.resolve("models/imported-onnx"));
    Files.write(onnx.resolve("model.onnx"), "an ONNX graph's bytes".getBytes(StandardCharsets.UTF_8));
    Files.writeString(onnx.resolve("model.json"), "{\"schema_version\": 1, \"kind\": \"onnx\", \"labels\": [\"en\", \"fr\"],"
        + " \"dataset_fingerprint\": \"" + card("datasets/text/dataset.json").get("fingerprint").asText() + "\"}");
    // damaged cards
    String modelCard = Files.readString(store.resolve("models/digits-mlp/model.json"));
    Path truncated = Files.createDirectories(store.resolve("broken/truncated-model"));
    Files.copy(store.resolve("models/digits-mlp/model.zip"), truncated.resolve("model.zip"));
    Files.writeString(truncated.resolve("model.json"), modelCard.substring(0, modelCard.length() / 2));
    Files.writeString(Files.createDirectories(store.resolve("broken/corrupt-dataset")).resolve("dataset.json"),
        "{\"schema_version\": 1, \"kind\": \u0000\u0001 garbage");
    Files.writeString(Files.createDirectories(store.resolve("broken/empty-evaluation")).resolve("metrics.json"), "");
    Files.writeString(Files.createDirectories(store.resolve("broken/future-dataset")).resolve("dataset.json"),
        Files.readString(store.resolve("datasets/text/dataset.json")).replace("\"schema_version\" : 1", "\"schema_version\" : 99"));
    Files.writeString(Files.createDirectories(store.resolve("broken/model-without-file")).resolve("model.json"), modelCard);
    // an unfinished output (a hidden temporary sibling) is not an item
    copy(TrainedModels.textData(), store.resolve("datasets/.text.tmp-1234"));

    site = tmp.resolve("site");
    run = Cli.run("catalog", "--root", store.toString(), "--output", site.toString());
    assertThat(run.code()).as(run.describe()).isZero();
    catalog = Json.mapper().readTree(site.resolve("catalog.json").toFile());
    for (JsonNode item : catalog.get("items")) {
      items.put(local(item.get("path").asText()), item);
    }
  }

  @Test
  void everyCardIsAnItemAndTheDamagedOnesAreListedWithTheirError() throws Exception {
    assertThat(catalog.get("schema_version").asInt()).isEqualTo(Catalog.SCHEMA_VERSION);
    Set<String> cardDirs = new TreeSet<>();
    try (Stream<Path> files = Files.walk(store)) {
      files.filter(f -> CatalogScanner.CARD_FILES.containsKey(f.getFileName().toString()))
          .filter(f -> !store.relativize(f).toString().contains("/."))
          .filter(f -> !f.toString().contains("/parquet/") && !f.toString().contains("/rejected/"))
          .forEach(f -> cardDirs.add(f.getParent().toString()));
    }
    assertThat(items.keySet()).containsExactlyInAnyOrderElementsOf(cardDirs).hasSize(17);
    assertThat(items).doesNotContainKey(store.resolve("datasets/.text.tmp-1234").toString());
    assertThat(error("broken/truncated-model")).contains("model.json", "not valid JSON");
    assertThat(error("broken/corrupt-dataset")).contains("dataset.json");
    assertThat(error("broken/empty-evaluation")).contains("metrics.json is empty");
    assertThat(error("broken/future-dataset")).contains("schema_version 99");
    assertThat(error("broken/model-without-file")).contains("model.zip is missing");
    assertThat(catalog.get("unreadable").asInt()).isEqualTo(5);
    assertThat(run.out()).contains("17 items (5 unreadable)", site.resolve("index.html").toString());
    assertThat(item("broken/empty-evaluation").get("kind").asText()).isEqualTo("evaluation");
    for (String ok : List.of("datasets/digits", "models/digits-mlp", "evaluations/digits", "predictions/digits-raw")) {
      assertThat(item(ok).has("error")).as(ok).isFalse();
    }
  }

  @Test
  void itemsCarryTheFactsOfTheirCards() throws Exception {
    JsonNode dataset = card("datasets/digits/dataset.json");
    assertThat(item("datasets/digits").get("fingerprint").asText()).isEqualTo(dataset.get("fingerprint").asText());
    assertThat(item("datasets/digits").get("name").asText()).isEqualTo("digits");
    assertThat(item("datasets/digits").get("counts").get("train").asLong()).isEqualTo(dataset.get("counts").get("train").asLong())
        .isPositive();
    byte[] zip = Files.readAllBytes(store.resolve("models/digits-mlp/model.zip"));
    assertThat(card("models/digits-mlp/model.json").get("fingerprint").asText())
        .as("train records the model file's SHA-256").isEqualTo(Fingerprint.sha256(zip));
    assertThat(item("models/digits-mlp").get("fingerprint").asText()).isEqualTo(Fingerprint.sha256(zip));
    assertThat(item("models/digits-mlp").get("model_type").asText()).isEqualTo("mlp");
    JsonNode metrics = card("evaluations/digits/metrics.json");
    assertThat(metrics.get("model_fingerprint").asText()).isEqualTo(Fingerprint.sha256(zip));
    assertThat(metrics.get("dataset_fingerprint").asText()).isEqualTo(dataset.get("fingerprint").asText());
    assertThat(item("evaluations/digits").get("metrics").get("accuracy").asDouble()).isEqualTo(metrics.get("accuracy").asDouble());
    JsonNode predictions = card("predictions/text-test/predictions.json");
    assertThat(predictions.get("model_fingerprint").asText())
        .isEqualTo(Fingerprint.sha256(Files.readAllBytes(store.resolve("models/text-mlp/model.zip"))));
    assertThat(predictions.get("dataset_fingerprint").asText()).isEqualTo(card("datasets/text/dataset.json").get("fingerprint").asText());
    assertThat(card("predictions/digits-raw/predictions.json").has("dataset_fingerprint")).as("raw input").isFalse();
    assertThat(item("predictions/digits-raw").get("counts").get("predicted").asLong())
        .isEqualTo(card("predictions/digits-raw/predictions.json").get("predicted").asLong());
    assertThat(card("models/old-card/model.json").has("fingerprint")).isFalse();
    assertThat(item("models/old-card").get("fingerprint").asText())
        .isEqualTo(Fingerprint.sha256(Files.readAllBytes(store.resolve("models/old-card/model.zip"))));
    JsonNode onnx = item("models/imported-onnx");
    assertThat(onnx.get("model_type").asText()).isEqualTo("onnx");
    assertThat(onnx.get("fingerprint").asText())
        .isEqualTo(Fingerprint.sha256(Files.readAllBytes(store.resolve("models/imported-onnx/model.onnx"))));
  }

  @Test
  void lineageFollowsFingerprintsThroughCopiesAndRenamesAndFlagsAStaleModel() {
    Set<String> edges = new TreeSet<>();
    for (JsonNode e : catalog.get("edges")) {
      edges.add(local(e.get("from").asText()) + " -> " + local(e.get("to").asText()));
    }
    String evaluation = p("evaluations/digits");
    assertThat(edges).contains(
        p("datasets/digits") + " -> " + p("models/digits-mlp"),
        p("copies/digits-renamed") + " -> " + p("models/digits-mlp"),
        p("models/digits-mlp") + " -> " + evaluation,
        p("copies/digits-renamed") + " -> " + evaluation,
        p("datasets/digits") + " -> " + evaluation,
        p("models/text-mlp") + " -> " + p("predictions/text-test"),
        p("datasets/text") + " -> " + p("predictions/text-test"),
        p("models/digits-mlp") + " -> " + p("predictions/digits-raw"),
        TrainedModels.root().resolve("raw/mnist") + " -> " + p("predictions/digits-raw"),
        p("datasets/text") + " -> " + p("models/imported-onnx"),
        p("models/old-card") + " -> " + p("predictions/text-test"));
    assertThat(edges).as("nothing links to or from an unreadable card").noneMatch(e -> e.contains("/broken/"));
    assertThat(edges).as("the text model is not linked to the image evaluation")
        .doesNotContain(p("models/text-mlp") + " -> " + evaluation);
    assertThat(item("models/lang-mlp").get("stale_lineage").asBoolean()).isTrue();
    assertThat(item("models/lang-mlp").get("stale_reason").asText()).contains(p("datasets/lang"));
    assertThat(item("models/digits-mlp").get("stale_lineage").asBoolean()).isFalse();
  }

  /** The site as a browser renders it: every item, every link to an existing page, every image loaded. */
  @Test
  void theSiteOpensOfflineInHeadlessChromium() throws Exception {
    String index = dumpDom(site.resolve("index.html"));
    for (JsonNode item : catalog.get("items")) {
      assertThat(index).contains(">" + item.get("name").asText() + "</a>", "href=\"" + item.get("page").asText() + "\"");
      assertThat(site.resolve(item.get("page").asText())).exists();
    }
    checkLinksAndImages(site.resolve("index.html"), index);
    int images = 0;
    for (JsonNode item : catalog.get("items")) {
      Path page = site.resolve(item.get("page").asText());
      String dom = dumpDom(page);
      checkLinksAndImages(page, dom);
      images += count(dom, "<img");
      if (item.has("error")) {
        assertThat(dom).contains("This card cannot be read");
      }
    }
    assertThat(images).as("thumbnails and plots were shown").isGreaterThan(10);
    String stale = dumpDom(site.resolve(item("models/lang-mlp").get("page").asText()));
    assertThat(stale).contains("Stale lineage");
    String digits = dumpDom(site.resolve(item("datasets/digits").get("page").asText()));
    assertThat(digits).contains("Counts per label", "Sample rows", "data:image/png;base64,");
    assertThat(dumpDom(site.resolve(item("evaluations/digits").get("page").asText()))).contains("Confusion matrix");
    assertThat(dumpDom(site.resolve(item("models/digits-mlp").get("page").asText()))).contains("Training curves");

    Path shots = Files.createDirectories(Path.of("target/catalog-screenshots"));
    for (var shot : Map.of("index.png", site.resolve("index.html"),
        "model.png", site.resolve(item("models/digits-mlp").get("page").asText())).entrySet()) {
      Path png = shots.resolve(shot.getKey());
      Files.deleteIfExists(png);
      chromium("--screenshot=" + png.toAbsolutePath(), "--window-size=1100,800", shot.getValue().toUri().toString());
      assertThat(javax.imageio.ImageIO.read(png.toFile()).getWidth()).isEqualTo(1100);
    }
  }

  /** Every relative link resolves to a file; nothing is fetched from a network; every image loaded. */
  private static void checkLinksAndImages(Path page, String dom) {
    Matcher m = Pattern.compile("(?:href|src)=\"([^\"]*)\"").matcher(dom);
    int links = 0;
    while (m.find()) {
      String target = m.group(1).replace("&amp;", "&");
      assertThat(target).as(page + " fetches nothing from a network").doesNotStartWith("http").doesNotStartWith("//");
      if (target.startsWith("data:")) {
        continue;
      }
      links++;
      assertThat(page.getParent().resolve(target.replaceFirst("#.*", "")).normalize()).as(page + " links " + target).exists();
    }
    assertThat(links).as(page + " links").isPositive();
    assertThat(count(dom, "data-loaded=\"ok\"")).as(page + ": every image loaded").isEqualTo(count(dom, "<img"));
    assertThat(dom).doesNotContain("data-loaded=\"broken\"");
  }

  private static String dumpDom(Path page) throws Exception {
    return chromium("--dump-dom", page.toUri().toString());
  }

  /** Runs the Debian chromium headless, offline, on a fresh profile; returns its stdout. */
  private static String chromium(String... args) throws Exception {
    Path profile = Files.createTempDirectory(tmp, "chromium-profile");
    List<String> command = new ArrayList<>(List.of("chromium", "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--user-data-dir=" + profile));
    command.addAll(List.of(args));
    Path out = Files.createTempFile(tmp, "chromium", ".out");
    Process p = new ProcessBuilder(command).redirectOutput(out.toFile())
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("chromium (bin/test installs Debian's chromium) finished").isTrue();
    assertThat(p.exitValue()).as(String.join(" ", command)).isZero();
    return Files.readString(out);
  }

  private static int count(String s, String part) {
    int n = 0;
    for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
      n++;
    }
    return n;
  }

  private static String p(String relative) {
    return store.resolve(relative).toString();
  }

  private static JsonNode item(String relative) {
    JsonNode item = items.get(p(relative));
    assertThat(item).as("item " + relative).isNotNull();
    return item;
  }

  private static String error(String relative) {
    JsonNode item = item(relative);
    assertThat(item.has("error")).as(relative + " has an error").isTrue();
    return item.get("error").asText();
  }

  private static JsonNode card(String relative) throws IOException {
    return Json.mapper().readTree(store.resolve(relative).toFile());
  }

  /** A path as catalog.json writes it (a file: URI) as a local path. */
  private static String local(String uri) {
    return uri.startsWith("file:") ? java.net.URI.create(uri).getPath().replaceFirst("/$", "") : uri;
  }

  private static void ok(String... args) {
    Cli r = Cli.run(args);
    assertThat(r.code()).as(String.join(" ", args) + "\n" + r.describe()).isZero();
  }

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target);
        }
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
