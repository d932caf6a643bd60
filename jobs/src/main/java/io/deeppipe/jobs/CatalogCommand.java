package io.deeppipe.jobs;

import io.deeppipe.jobs.catalog.Catalog;
import io.deeppipe.jobs.catalog.CatalogScanner;
import io.deeppipe.jobs.catalog.CatalogSite;
import io.deeppipe.jobs.catalog.ItemDetails;
import io.deeppipe.transforms.card.BadInputException;
import io.deeppipe.transforms.io.DatasetWriter;
import io.deeppipe.transforms.io.Storage;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "catalog",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Finds every dataset, model, evaluation and predictions output under --root and writes DIR/catalog.json"
            + " (items and their lineage, matched through fingerprints) and a static site, DIR/index.html, that"
            + " opens offline from file://. An unreadable card is listed with its error; it does not fail the run.")
public final class CatalogCommand extends JobCommand {
  @Option(names = "--root", paramLabel = "URI", description = "Where to look, on any Hadoop file system (file:, hdfs:, s3a:).")
  String root;

  @Mixin SharedOptions.Output output = new SharedOptions.Output();

  @Override
  protected void prepare() {
    if (root == null) {
      throw new UsageException("--root is required");
    }
    if (root.isBlank()) {
      throw new UsageException("--root must not be empty");
    }
    if (output.output == null || output.output.isBlank()) {
      throw new UsageException("--output is required");
    }
    Configuration conf = new Configuration();
    requireExisting("--root", root);
    try {
      FileStatus status = Storage.fs(new Path(root), conf).getFileStatus(new Path(root));
      if (!status.isDirectory()) {
        throw new BadInputException("--root " + root + " is not a directory");
      }
    } catch (java.io.IOException e) {
      throw new BadInputException("--root " + root + " cannot be read: " + e.getMessage(), e);
    }
    DatasetWriter.checkWritable(new Path(output.output), output.overwrite(), conf);
  }

  @Override
  protected int execute() {
    log.info("catalog of {} into {} (mode {})", root, output.output, output.mode);
    SparkSession spark = spark();
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    spark.sparkContext().setJobGroup("catalog", "catalog of " + root, false);
    try {
      List<CatalogScanner.Entry> entries = new CatalogScanner(conf).scan(new Path(root));
      Catalog catalog = CatalogScanner.catalog(Storage.fs(new Path(root), conf).makeQualified(new Path(root)), entries);
      Path target = new Path(output.output);
      Path staged = Storage.temporarySibling(target);
      try {
        ItemDetails details = new ItemDetails(spark);
        new CatalogSite(staged, conf).write(catalog, entries, e -> details.of(e.item(), e.card()));
        Storage.publish(staged, target, output.overwrite(), conf);
      } finally {
        Storage.deleteQuietly(staged, conf);
      }
      if (catalog.unreadable() > 0) {
        log.warn("{} of {} cards under {} are unreadable; they are listed with their error", catalog.unreadable(),
            catalog.items().size(), root);
      }
      println("catalog of " + root + ": " + catalog.items().size() + " items (" + catalog.unreadable() + " unreadable), "
          + catalog.edges().size() + " lineage edges -> " + new Path(target, "index.html"));
      return 0;
    } finally {
      spark.sparkContext().clearJobGroup();
    }
  }
}
