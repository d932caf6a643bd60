package io.deeppipe.jobs;

import io.deeppipe.transforms.IngestParams;
import io.deeppipe.transforms.TextPreprocessor;
import io.deeppipe.transforms.card.DatasetCard;
import io.deeppipe.transforms.io.DatasetWriter;
import io.deeppipe.transforms.text.TextIngest;
import io.deeppipe.transforms.text.TextIngestOptions;
import io.deeppipe.transforms.text.TextReaders;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

@Command(
    name = "ingest-text",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Raw text (JSON Lines, CSV, Parquet, plain text, or DIR/<label>/*.txt) -> a cleaned, tokenized,"
            + " split dataset: Parquet + Arrow IPC + vocab.txt + dataset.json; bad records go to rejected/.")
public final class IngestTextCommand extends JobCommand {
  /** Column-name Params: the library API's; the CLI names the input's fields with --text-field etc. */
  static final java.util.Set<String> COLUMN_PARAMS = java.util.Set.of("inputCol", "labelCol", "idCol");

  @Mixin SharedOptions.Input input = new SharedOptions.Input();
  @Mixin SharedOptions.Output output = new SharedOptions.Output();

  @Mixin SharedOptions.Seed seed = new SharedOptions.Seed();

  /** The preprocessing options, declared once as the Params of {@link TextPreprocessor}. */
  private ParamOptions preprocessing;

  private TextIngestOptions options;

  /** How records are read, de-duplicated, split and written: the Params of {@link IngestParams.Text}. */
  private ParamOptions ingest;

  @Override
  protected void bindParams(CommandSpec spec) {
    ingest = ParamOptions.bind(spec, new IngestParams.Text(), java.util.Set.of());
    preprocessing = ParamOptions.bind(spec, new TextPreprocessor(), COLUMN_PARAMS);
  }

  @Override
  protected void prepare() {
    IngestParams.Text i = ingest.apply();
    TextPreprocessor p = preprocessing.apply();
    options =
        new TextIngestOptions(
            input.input, output.output, output.overwrite(), i.getFormat(), i.getOrDefault(i.textField()),
            i.getOrDefault(i.labelField()), i.getOrDefault(i.idField()), (Boolean) p.getOrDefault(p.lowercase()),
            (Boolean) p.getOrDefault(p.stripHtml()), i.getDedup(),
            (Integer) p.getOrDefault(p.minChars()), (Integer) p.getOrDefault(p.maxChars()), p.getTokenizer(),
            p.getVocabSize(), p.getMinCount(), p.getMaxLength(), p.getTruncate(),
            i.getSplit(), seed.seed, i.getArrow(), i.getNearDupThreshold());
    Configuration conf = new Configuration();
    TextReaders.matches(options.input(), conf);
    DatasetWriter.checkWritable(new Path(options.output()), options.overwrite(), conf);
  }

  @Override
  protected int execute() {
    log.info("ingest-text with {}", options);
    SparkSession spark = spark();
    DatasetCard card = TextIngest.run(spark, options);
    println("wrote " + options.output() + ": " + card.counts() + ", duplicates removed "
        + card.duplicatesRemoved() + ", labels " + card.labels());
    return 0;
  }
}
