package io.deeppipe.bench;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.ml.feature.CountVectorizer;
import org.apache.spark.ml.feature.RegexTokenizer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * {@code ingest-text} (cleaning, dedup, split, tokenizer, vocabulary, Parquet + Arrow, card) against
 * the floor: Spark's own {@code read.json → write.parquet} of the same file with an explicit
 * schema, and against the peer a Spark user writes by hand with MLlib ({@link #mllib}); all in this
 * JVM on the same session, rounds alternated.
 */
final class TextIngestStage {
  static final String DATASET = "text/ours";
  /** The fields of the bench corpus's JSON Lines, given to the peers as a Spark user would. */
  static final String CORPUS_SCHEMA = "id STRING, label STRING, text STRING";

  @SuppressWarnings("unchecked")
  static void run(Ctx ctx) throws Exception {
    Path corpus = ctx.dir("text/corpus.jsonl");
    long t0 = System.nanoTime();
    long records = BenchData.textCorpus(corpus, ctx.scale().textBytes(), 1);
    long bytes = BenchData.size(corpus);
    ctx.report().data("text corpus", String.format(java.util.Locale.ROOT,
        "%s: %.1f MB, %d JSON Lines records, each 2–5 random real entries of Debian `fortunes` joined (label = category of the first)",
        ctx.root().relativize(corpus), bytes / 1e6, records));
    System.err.printf("bench text: corpus ready in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    String ours = ctx.dir(DATASET).toString();
    String floor = ctx.dir("text/floor").toString();
    String peer = ctx.dir("text/mllib").toString();
    Map<String, Double>[] phases = new Map[1];
    Map<String, Sample> s = new Alternation()
        .add("ours", () -> phases[0] =
            ctx.pipelinePhases("ingest-text", "--input", corpus.toString(), "--output", ours, "--mode", "overwrite"))
        .add("floor", () -> floor(ctx.spark(), corpus.toString(), floor))
        .add("mllib", () -> mllib(ctx.spark(), corpus.toString(), peer))
        // a warm-up round at every size: at full size the first (cold) round of ours took 1.7-2x the
        // second (49-52 s against 24-30 s on 2026-12-01), so a median of cold and warm rounds misleads
        .run("text-ingest", ctx.scale().textReps(), ctx.warmUp(true));
    double ratio = Alternation.pairedRatio(s.get("ours"), s.get("floor"));
    ctx.report().add(new Report.Row("text ingest", "`ingest-text` (defaults: Parquet + Arrow)", s.get("ours"),
        "Spark `read.json → write.parquet`, explicit schema", s.get("floor"), "time ours ÷ time floor", ratio,
        Alternation.pairedRatioRange(s.get("ours"), s.get("floor")), "≤ 3.0×", ratio <= 3.0,
        String.format(java.util.Locale.ROOT, "%.1f MB, %d records; ours %.1f MB/s, floor %.1f MB/s", bytes / 1e6, records,
            bytes / 1e6 / s.get("ours").median(), bytes / 1e6 / s.get("floor").median())
            + "; ours' " + JobTimes.jobs(phases[0]) + " Spark jobs in the last round: " + JobTimes.describe(phases[0])));
    double vsPeer = Alternation.pairedRatio(s.get("ours"), s.get("mllib"));
    ctx.report().add(new Report.Row("text ingest", "`ingest-text` (defaults: Parquet + Arrow)", s.get("ours"),
        "Spark MLlib by hand: schema given, cached once, dropDuplicates → RegexTokenizer → CountVectorizer (20 000) "
            + "fit/transform → randomSplit 0.8/0.1/0.1 → one Parquet write per split",
        s.get("mllib"), "time ours ÷ time MLlib", vsPeer, Alternation.pairedRatioRange(s.get("ours"), s.get("mllib")),
        "≤ 0.5×", vsPeer <= 0.5, String.format(java.util.Locale.ROOT,
            "same corpus and run; ours also cleans, rejects, hashes ids for stable splits, writes Arrow, the card and "
                + "the fingerprint; MLlib %.1f MB/s", bytes / 1e6 / s.get("mllib").median())));
    ctx.report().extra("text ingest: ours' Spark job seconds by description (last round)", phases[0]);
    processes(ctx, corpus, records);
  }

  /** Records of the head corpus: enough to start every Spark job, too few to cost time of their own. */
  static final int HEAD_RECORDS = 2_000;

  /**
   * The same three sides as users meet them, each a whole process on local[2] ({@code bin/pipeline
   * ingest-text}; the peers through {@link Peers}), with start-up cancelled out: per side and round,
   * time on the corpus − time on its first {@value #HEAD_RECORDS} records.
   */
  static void processes(Ctx ctx, Path corpus, long records) throws Exception {
    Path head = ctx.dir("text/head.jsonl");
    try (BufferedReader in = Files.newBufferedReader(corpus, StandardCharsets.UTF_8);
        BufferedWriter out = Files.newBufferedWriter(head, StandardCharsets.UTF_8)) {
      String line;
      for (int i = 0; i < HEAD_RECORDS && (line = in.readLine()) != null; i++) {
        out.write(line);
        out.newLine();
      }
    }
    Alternation a = new Alternation();
    for (String side : List.of("ours", "floor", "mllib")) {
      for (Path input : List.of(corpus, head)) {
        String name = side + (input.equals(head) ? " head" : " corpus");
        Path log = ctx.dir("text/process-" + name.replace(' ', '-') + ".log");
        String output = ctx.dir("text/process-" + side).toString();
        List<String> cmd = side.equals("ours")
            ? List.of(ctx.root().resolve("bin/pipeline").toString(), "ingest-text", "--input", input.toString(),
                "--output", output, "--mode", "overwrite")
            : Ctx.java(Peers.class.getName(), side, input.toString(), output);
        a.add(name, () -> Ctx.run(cmd, log, name));
      }
    }
    Map<String, Sample> s = a.run("text-ingest-processes", ctx.scale().textReps(), false);
    Sample ours = net(s, "ours");
    Sample floor = net(s, "floor");
    Sample mllib = net(s, "mllib");
    String note = String.format(Locale.ROOT,
        "whole processes on local[2], start-up cancelled out: (time on the %d records − time on the first %d) per side "
            + "and round; whole-corpus runs: ours %.1f s, floor %.1f s, MLlib %.1f s (medians)",
        records, HEAD_RECORDS, s.get("ours corpus").median(), s.get("floor corpus").median(),
        s.get("mllib corpus").median());
    double vsFloor = Alternation.pairedRatio(ours, floor);
    ctx.report().add(new Report.Row("text ingest (processes)", "`bin/pipeline ingest-text` (defaults)", ours,
        "`read.json → write.parquet` in its own Spark process", floor, "net time ours ÷ net time floor", vsFloor,
        Alternation.pairedRatioRange(ours, floor), "≤ 3.0×", vsFloor <= 3.0, note));
    double vsPeer = Alternation.pairedRatio(ours, mllib);
    ctx.report().add(new Report.Row("text ingest (processes)", "`bin/pipeline ingest-text` (defaults)", ours,
        "the MLlib peer above in its own Spark process", mllib, "net time ours ÷ net time MLlib", vsPeer,
        Alternation.pairedRatioRange(ours, mllib), "≤ 0.5×", vsPeer <= 0.5, note));
  }

  /** Per round: the side's time on the corpus minus its time on the head. */
  private static Sample net(Map<String, Sample> s, String side) {
    return Alternation.net(s.get(side + " corpus"), s.get(side + " head"), side + " net");
  }

  /** The floor: Spark's own {@code read.json → write.parquet}, the schema given. */
  static void floor(SparkSession spark, String corpus, String out) {
    spark.read().schema(CORPUS_SCHEMA).json(corpus).write().mode(SaveMode.Overwrite).parquet(out);
  }

  /**
   * What a Spark user writes by hand for the same result with MLlib: the schema given, the corpus
   * read and cached once, exact duplicates dropped, tokens (letters and digits, lowercased), a
   * vocabulary as large as ingest-text's default (20 000 tokens, fitted on the kept records), a
   * random 0.8/0.1/0.1 split and one Parquet write per split.
   */
  static void mllib(SparkSession spark, String corpus, String out) {
    Dataset<Row> kept = spark.read().schema(CORPUS_SCHEMA).json(corpus)
        .where("text IS NOT NULL").dropDuplicates("text").cache();
    try {
      Dataset<Row> tokens = new RegexTokenizer().setInputCol("text").setOutputCol("tokens").setPattern("\\W+")
          .transform(kept);
      Dataset<Row> encoded = new CountVectorizer().setInputCol("tokens").setOutputCol("features")
          .setVocabSize(20_000).fit(tokens).transform(tokens).drop("tokens");
      Dataset<Row>[] splits = encoded.randomSplit(new double[] {0.8, 0.1, 0.1}, 42);
      String[] names = {"train", "validation", "test"};
      for (int i = 0; i < splits.length; i++) {
        splits[i].write().mode(SaveMode.Overwrite).parquet(out + "/" + names[i]);
      }
    } finally {
      kept.unpersist();
    }
  }
}
