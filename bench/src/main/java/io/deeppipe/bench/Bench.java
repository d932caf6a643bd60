package io.deeppipe.bench;

import io.deeppipe.jobs.Sessions;
import io.deeppipe.models.ModelType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * The benchmark harness: every stage side by side with its floor in one run, alternating, with
 * the median and spread of several rounds; writes the generated part of BENCHMARKS.md and a JSON
 * of the raw figures. Run by {@code bin/bench}.
 *
 * <pre>
 * bin/bench [--scale full|medium|smoke] [--out BENCHMARKS.md] [--json bench-results.json] [--work target/bench]
 *           [--stages text,images,training,training-cnn,scaling,inference,onnx,formats,memory] [--merge EARLIER.json]
 *
 * --merge takes the rows of the stages not run now from earlier runs' JSON (comma-separated, first
 * match wins; the rows are marked as measured in that run, or keep the mark of the run that measured them).
 * </pre>
 */
public final class Bench {
  public static final List<String> STAGES =
      List.of("text", "images", "training", "training-cnn", "scaling", "inference", "onnx", "formats", "memory");
  static final String BEGIN = "<!-- bench:generated:begin (bin/bench rewrites what is between these markers) -->";
  static final String END = "<!-- bench:generated:end -->";

  private Bench() {}

  public static void main(String[] args) throws Exception {
    System.exit(run(args));
  }

  public static int run(String... args) throws Exception {
    Map<String, String> a = new LinkedHashMap<>(Map.of("--scale", "full", "--out", "BENCHMARKS.md", "--json",
        "bench-results.json", "--work", "target/bench", "--stages", String.join(",", STAGES), "--merge", ""));
    for (int i = 0; i < args.length; i++) {
      if (!a.containsKey(args[i]) || i + 1 >= args.length) {
        System.err.println("usage: bin/bench [--scale full|smoke] [--out FILE.md] [--json FILE.json] [--work DIR] [--stages "
            + String.join(",", STAGES) + "] [--merge EARLIER.json,...]");
        return 2;
      }
      a.put(args[i], args[++i]);
    }
    Scale scale = Scale.of(a.get("--scale"));
    // "none" runs nothing: it re-renders the report from --merge alone
    List<String> stages = a.get("--stages").equals("none") ? List.of() : Arrays.asList(a.get("--stages").split(","));
    for (String s : stages) {
      if (!STAGES.contains(s)) {
        System.err.println("error: unknown stage " + s + " (stages: " + STAGES + ")");
        return 2;
      }
    }
    Path root = root();
    Path work = root.resolve(a.get("--work")).toAbsolutePath().normalize();
    Files.createDirectories(work);
    Report report = new Report();
    Map<String, Object> run = new LinkedHashMap<>();
    run.put("command", "bin/bench " + String.join(" ", args));
    run.put("scale", scale.name());
    run.put("rounds", scale.reps());
    run.put("started", Instant.now().toString());
    run.put("machine", Machine.describe());
    run.put("load_average_start", Machine.loadAverage());
    SparkSession spark = Sessions.create("bench", "local[2]");
    JobTimes jobTimes = new JobTimes();
    spark.sparkContext().addSparkListener(jobTimes);
    Ctx ctx = new Ctx(spark, scale, root, work, report, jobTimes);
    long t0 = System.nanoTime();
    for (String stage : STAGES) {
      if (!stages.contains(stage)) {
        continue;
      }
      long s0 = System.nanoTime();
      System.err.println("bench: stage " + stage);
      report.stage(stage);
      try {
        switch (stage) {
          case "text" -> TextIngestStage.run(ctx);
          case "images" -> ImageIngestStage.run(ctx);
          case "training" -> TrainingStage.run(ctx, ModelType.MLP, scale.mnistPerDigit(), scale.trainShortEpochs(),
              scale.trainLongEpochs(), scale.reps(), true);
          case "training-cnn" -> TrainingStage.run(ctx, ModelType.CNN, scale.cnnPerDigit(), scale.cnnShortEpochs(),
              scale.cnnLongEpochs(), scale.trainReps(), false);
          case "scaling" -> ScalingStage.run(ctx);
          case "inference" -> InferenceStage.run(ctx);
          case "onnx" -> OnnxStage.run(ctx);
          case "formats" -> FormatsStage.run(ctx);
          case "memory" -> MemoryStage.run(ctx);
          default -> throw new IllegalStateException(stage);
        }
      } catch (Exception | Error e) {
        e.printStackTrace();
        report.notMeasured(stage, "the stage failed in this run: " + e);
      }
      System.err.printf("bench: stage %s took %.1f s%n", stage, (System.nanoTime() - s0) / 1e9);
      run.put("stage_seconds_" + stage, (System.nanoTime() - s0) / 1e9);
    }
    for (String stage : STAGES) {
      if (!stages.contains(stage)) {
        boolean merged = false;
        for (String earlier : a.get("--merge").split(",")) {
          if (!merged && !earlier.isBlank() && Files.exists(root.resolve(earlier))) {
            merged = report.merge(root.resolve(earlier), stage);
          }
        }
        if (!merged) {
          report.notMeasured(stage, "not selected in this run (--stages)");
        }
      }
    }
    run.put("total_seconds", (System.nanoTime() - t0) / 1e9);
    run.put("load_average_end", Machine.loadAverage());
    run.put("finished", Instant.now().toString());
    spark.stop();
    report.writeJson(root.resolve(a.get("--json")), run);
    writeMarkdown(root.resolve(a.get("--out")), report, run, a.get("--json"));
    System.err.println("bench: wrote " + a.get("--out") + " and " + a.get("--json"));
    return 0;
  }

  /** Rewrites the generated section of {@code file}, keeping what people wrote around it. */
  static void writeMarkdown(Path file, Report report, Map<String, Object> run, String json) throws IOException {
    StringBuilder g = new StringBuilder(BEGIN).append("\n\n");
    g.append(String.valueOf(run.get("command")).contains("--stages none")
        ? "Rows merged from earlier runs of the harness (each row's note names the run that measured it), rendered by `"
        : "Run: `").append(run.get("command")).append("` (scale ").append(run.get("scale")).append(", ")
        .append(run.get("rounds")).append(" measured rounds after one warm-up round unless the notes say otherwise), ")
        .append(run.get("started")).append(" → ").append(run.get("finished")).append(", ")
        .append(Report.fmt((Double) run.get("total_seconds"))).append(" s in all. Raw figures: `").append(json).append("`.\n\n");
    g.append("Machine: ").append(run.get("machine")).append(". Load average at start ").append(run.get("load_average_start"))
        .append(", at end ").append(run.get("load_average_end")).append(".\n\n");
    g.append(report.markdown(run)).append('\n').append(END);
    String text;
    if (Files.exists(file)) {
      String old = Files.readString(file);
      int b = old.indexOf(BEGIN);
      int e = old.indexOf(END);
      text = b >= 0 && e > b ? old.substring(0, b) + g + old.substring(e + END.length()) : old + "\n" + g + "\n";
    } else {
      text = "# Benchmarks\n\n" + g + "\n";
    }
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, text);
  }

  static Path root() {
    String r = System.getProperty("deeppipe.root");
    Path p = r != null ? Path.of(r) : Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("bin/pipeline"))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException("run from inside the deeppipe checkout (no bin/pipeline found)");
    }
    return p;
  }

  /** Facts about this machine for the report. */
  static final class Machine {
    static String describe() {
      List<String> parts = new ArrayList<>();
      try {
        String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
            .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown CPU");
        parts.add(cpu);
      } catch (IOException e) {
        parts.add("unknown CPU");
      }
      parts.add(Runtime.getRuntime().availableProcessors() + " cores visible to the JVM");
      try {
        String mem = Files.readAllLines(Path.of("/proc/meminfo")).get(0).replaceAll("\\s+", " ");
        parts.add(mem);
      } catch (IOException e) {
        // not Linux
      }
      parts.add("Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")");
      parts.add("heap " + (Runtime.getRuntime().maxMemory() >> 20) + " MB");
      parts.add("OMP_NUM_THREADS=" + System.getenv("OMP_NUM_THREADS"));
      parts.add("Spark local[2]");
      return String.join(", ", parts);
    }

    static String loadAverage() {
      try {
        return Files.readString(Path.of("/proc/loadavg")).trim();
      } catch (IOException e) {
        return "n/a";
      }
    }
  }
}
