package io.deeppipe.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code ingest-text} on a corpus at least 10× the driver heap, in a separate process started the
 * way users start it ({@code bin/pipeline}, local[2], {@code DEEPPIPE_DRIVER_MEMORY}); local mode
 * runs the executors inside that heap too. The settings are those of {@code SmallDriverHeapIT}:
 * Spark's reserved memory lowered to 32 MB (it refuses heaps under 471 MB otherwise), 32 MiB input
 * splits and 32 shuffle partitions. Goal: it completes.
 */
final class MemoryStage {
  static void run(Ctx ctx) throws Exception {
    long heapMb = ctx.scale().memoryHeapMb();
    Path corpus = ctx.dir("memory/corpus.jsonl");
    long records = BenchData.textCorpus(corpus, ctx.scale().memoryCorpusBytes(), 2);
    long bytes = Files.size(corpus);
    Path out = ctx.dir("memory/ours");
    Path log = ctx.dir("memory/ingest.log");
    List<String> cmd = new ArrayList<>(List.of(ctx.root().resolve("bin/pipeline").toString(), "ingest-text", "--input",
        corpus.toString(), "--output", out.toString(), "--mode", "overwrite", "--no-arrow", "--vocab-size", "20000"));
    ProcessBuilder pb = Ctx.process(cmd).redirectOutput(log.toFile());
    pb.environment().put("DEEPPIPE_DRIVER_MEMORY", heapMb + "m");
    pb.environment().put("JAVA_OPTS", "-Dspark.testing.reservedMemory=33554432 -Dspark.sql.shuffle.partitions=32"
        + " -Dspark.sql.files.maxPartitionBytes=33554432");
    long t0 = System.nanoTime();
    int code = pb.start().waitFor();
    double s = (System.nanoTime() - t0) / 1e9;
    Sample sample = new Sample("ours");
    sample.add(s);
    boolean complete = code == 0 && Files.exists(out.resolve("dataset.json"));
    String card = complete ? Files.readString(out.resolve("dataset.json")) : "";
    boolean allRecords = card.replace(" ", "").contains("\"input_records\":" + records);
    ctx.report().add(new Report.Row("memory", "`ingest-text --no-arrow` with a " + heapMb + " MB driver heap (bin/pipeline, local[2])",
        sample, "—", null, "corpus ÷ heap", bytes / (double) (heapMb << 20), null, "completes (corpus ≥ 10× heap)",
        complete && allRecords && bytes >= 10 * (heapMb << 20),
        String.format(Locale.ROOT, "%.2f GB corpus (%d records, made like the text corpus), exit %d, %s in %.0f s (%.1f MB/s); log %s",
            bytes / 1e9, records, code, complete && allRecords ? "dataset complete with every input record counted" : "NOT complete",
            s, bytes / 1e6 / s, ctx.root().relativize(log))));
  }
}
