package io.deeppipe.bench;

import io.deeppipe.models.Batches;
import io.deeppipe.models.InputSpec;
import io.deeppipe.models.ModelType;
import io.deeppipe.models.train.SparkTrainer;
import io.deeppipe.transforms.SplitAssigner;
import io.deeppipe.transforms.card.Cards;
import io.deeppipe.transforms.card.DatasetCard;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Reading the train split into minibatch {@code DataSet}s (batch 32, the training adapter
 * {@link Batches}) from each format: Parquet through Spark ({@code SparkTrainer.rows} →
 * {@code toDataSets}, as {@code train} reads it, on local[2]) and the Arrow IPC files with the
 * Arrow Java reader on 2 threads (one file at a time per thread) with the same adapter.
 */
final class FormatsStage {
  static void run(Ctx ctx) throws Exception {
    List<String[]> sets = new ArrayList<>();
    sets.add(new String[] {"MNIST images", ImageIngestStage.ensureMnistDataset(ctx), "mlp"});
    if (Files.exists(ctx.dir(TextIngestStage.DATASET).resolve("dataset.json"))) {
      sets.add(new String[] {"text", ctx.dir(TextIngestStage.DATASET).toString(), "mlp"});
    }
    for (String[] set : sets) {
      var conf = ctx.spark().sparkContext().hadoopConfiguration();
      DatasetCard card = Cards.readDataset(new org.apache.hadoop.fs.Path(set[1]), conf);
      Batches batches = new Batches(InputSpec.of(card), ModelType.parse(set[2]));
      List<Path> files = BenchData.files(Path.of(set[1], "arrow", SplitAssigner.TRAIN));
      AtomicLong arrowRows = new AtomicLong();
      long[] parquetBatches = new long[1];
      Map<String, Sample> s = new Alternation()
          .add("parquet", () -> parquetBatches[0] =
              SparkTrainer.toDataSets(SparkTrainer.rows(ctx.spark(), set[1], SplitAssigner.TRAIN, batches), batches, 32, -1).count())
          .add("arrow", () -> arrowRows.set(arrow(files, batches)))
          .run("formats-" + set[0], ctx.scale().reps(), ctx.warmUp(true));
      long rows = card.count(SplitAssigner.TRAIN);
      double ratio = Alternation.pairedRatio(s.get("parquet"), s.get("arrow"));
      ctx.report().add(new Report.Row("formats (" + set[0] + ")", "Arrow IPC → DataSets, 2 threads", s.get("arrow"),
          "Parquet via Spark → DataSets, local[2]", s.get("parquet"), "speed Arrow ÷ speed Parquet", ratio,
          Alternation.pairedRatioRange(s.get("parquet"), s.get("arrow")), "report", null,
          String.format(Locale.ROOT, "train split: %d rows (%d from Arrow), %d minibatches; Parquet %.1f MB, Arrow %.1f MB; Arrow %.0f rows/s, Parquet %.0f rows/s",
              rows, arrowRows.get(), parquetBatches[0], BenchData.size(Path.of(set[1], "parquet", SplitAssigner.TRAIN)) / 1e6,
              BenchData.size(Path.of(set[1], "arrow", SplitAssigner.TRAIN)) / 1e6,
              rows / s.get("arrow").median(), rows / s.get("parquet").median())));
    }
  }

  /** Every row of the Arrow files through the adapter; returns the rows read. */
  static long arrow(List<Path> files, Batches batches) throws Exception {
    List<String> columns = batches.columns();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    AtomicInteger next = new AtomicInteger();
    AtomicLong total = new AtomicLong();
    try {
      List<Future<?>> f = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        f.add(pool.submit(() -> {
          for (int i = next.getAndIncrement(); i < files.size(); i = next.getAndIncrement()) {
            total.addAndGet(readFile(files.get(i), columns, batches));
          }
          return null;
        }));
      }
      for (Future<?> x : f) {
        x.get();
      }
    } finally {
      pool.shutdownNow();
    }
    return total.get();
  }

  private static long readFile(Path file, List<String> columns, Batches batches) throws Exception {
    long n = 0;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        BufferAllocator allocator = new RootAllocator();
        ArrowFileReader reader = new ArrowFileReader(ch, allocator)) {
      VectorSchemaRoot root = reader.getVectorSchemaRoot();
      List<Row> batch = new ArrayList<>(32);
      while (reader.loadNextBatch()) {
        FieldVector[] vs = columns.stream().map(root::getVector).toArray(FieldVector[]::new);
        for (int i = 0; i < root.getRowCount(); i++) {
          Object[] values = new Object[vs.length];
          for (int c = 0; c < vs.length; c++) {
            Object v = vs[c].getObject(i);
            values[c] = v instanceof List<?> l ? scala.collection.JavaConverters.asScalaBuffer(l).toSeq() : v;
          }
          batch.add(RowFactory.create(values));
          if (batch.size() == 32) {
            batches.toDataSet(batch);
            n += batch.size();
            batch.clear();
          }
        }
      }
      if (!batch.isEmpty()) {
        batches.toDataSet(batch);
        n += batch.size();
      }
    }
    return n;
  }
}
