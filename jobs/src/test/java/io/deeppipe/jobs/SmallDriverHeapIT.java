package io.deeppipe.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ingest-text on a corpus several times larger than the driver's heap completes: no step collects
 * the corpus (vocabulary counting included). Local mode runs the executors in the driver JVM, so
 * this bounds them too. Spark refuses heaps under 471 MB unless its reserved memory is lowered,
 * which {@code spark.testing.reservedMemory} does; below about 384 MB Spark's own per-task buffers
 * (column batches, aggregation pages) no longer fit two tasks, whatever the job does. As a user with
 * small executors would, the test asks for smaller partitions (32 MiB input splits, 32 shuffle
 * partitions) so each task holds less at a time.
 */
class SmallDriverHeapIT {
  private static final long HEAP_MB = 384;
  private static final long CORPUS_BYTES = 1200L << 20;

  @Test
  void ingestsACorpusMoreThanThreeTimesTheHeap(@TempDir Path tmp) throws Exception {
    Path corpus = tmp.resolve("big.jsonl");
    Random r = new Random(1);
    String[] words = new String[400];
    for (int i = 0; i < words.length; i++) {
      StringBuilder w = new StringBuilder();
      for (int k = 0; k < 14; k++) {
        w.append((char) ('a' + r.nextInt(26)));
      }
      words[i] = w.toString();
    }
    long records = 0;
    try (BufferedWriter w = Files.newBufferedWriter(corpus, StandardCharsets.UTF_8)) {
      StringBuilder sb = new StringBuilder();
      while (Files.size(corpus) < CORPUS_BYTES) {
        for (int k = 0; k < 10_000; k++) {
          sb.setLength(0);
          sb.append("{\"id\":\"r").append(records).append("\",\"label\":\"c").append(records % 3).append("\",\"text\":\"");
          for (int i = 0; i < 25; i++) {
            sb.append(words[r.nextInt(words.length)]).append(r.nextInt(50)).append(' ');
          }
          sb.append("\"}\n");
          w.write(sb.toString());
          records++;
        }
        w.flush();
      }
    }
    Path out = tmp.resolve("ds");
    LauncherIT.Run run = LauncherIT.launch(tmp,
        List.of("DEEPPIPE_DRIVER_MEMORY=" + HEAP_MB + "m", "JAVA_OPTS=-Dspark.testing.reservedMemory=33554432 -Dspark.sql.shuffle.partitions=32 -Dspark.sql.files.maxPartitionBytes=33554432"),
        "ingest-text", "--input", corpus.toString(), "--output", out.toString(), "--no-arrow", "--vocab-size", "5000");
    assertThat(run.code()).as(run.out()).isZero();
    String card = Files.readString(out.resolve("dataset.json"));
    assertThat(card).contains("\"input_records\" : " + records);
    assertThat(Files.size(corpus)).isGreaterThan(3 * (HEAP_MB << 20));
  }
}
