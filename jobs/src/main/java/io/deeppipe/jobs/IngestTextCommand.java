package io.deeppipe.jobs;

import io.deeppipe.transforms.SplitAssigner.SplitFractions;
import io.deeppipe.transforms.TextPreprocessor;
import io.deeppipe.transforms.card.DatasetCard;
import io.deeppipe.transforms.io.DatasetWriter;
import io.deeppipe.transforms.text.TextFormat;
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

  @Option(names = "--format", paramLabel = "FMT",
      description = "Input format: auto (by extension or layout), jsonl, csv, parquet, text, folder (default: ${DEFAULT-VALUE}).")
  String format;

  @Option(names = "--text-field", paramLabel = "NAME", description = "Column holding the text (default: ${DEFAULT-VALUE}).")
  String textField;

  @Option(names = "--label-field", paramLabel = "NAME", description = "Column holding the label; absent = unlabelled (default: ${DEFAULT-VALUE}).")
  String labelField;

  @Option(names = "--id-field", paramLabel = "NAME",
      description = "Column holding the record id; where absent the id is a hash of the cleaned text (default: ${DEFAULT-VALUE}).")
  String idField;



  @Option(names = "--dedup", negatable = true, arity = "0..1", fallbackValue = "true", description = "Drop exact duplicates of the cleaned text, counted in dataset.json (default: ${DEFAULT-VALUE}).")
  boolean dedup;

  @Option(names = "--near-dup-threshold", paramLabel = "J",
      description = "Also drop near duplicates: texts whose token sets have Jaccard similarity >= J (MinHash LSH);"
          + " 0 = off (default: ${DEFAULT-VALUE}).")
  double nearDup;








  @Option(names = "--split", paramLabel = "T,V,T", description = "train,validation,test fractions, assigned by a seeded hash of the id (default: ${DEFAULT-VALUE}).")
  String split;

  @Option(names = "--arrow", negatable = true, arity = "0..1", fallbackValue = "true", description = "Also write the splits as Arrow IPC files (default: ${DEFAULT-VALUE}).")
  boolean arrow;

  @Mixin SharedOptions.Seed seed = new SharedOptions.Seed();

  /** The preprocessing options, declared once as the Params of {@link TextPreprocessor}. */
  private ParamOptions preprocessing;

  private TextIngestOptions options;

  @Override
  protected void bindParams(CommandSpec spec) {
    preprocessing = ParamOptions.bind(spec, new TextPreprocessor(), COLUMN_PARAMS);
  }

  @Override
  protected void prepare() {
    TextPreprocessor p = preprocessing.apply();
    try {
      p.getChecks();
    } catch (IllegalArgumentException e) {
      throw new UsageException(preprocessing.withFlags(e.getMessage()));
    }
    options =
        new TextIngestOptions(
            input.input, output.output, output.overwrite(), TextFormat.parse(format), textField,
            labelField, idField, (Boolean) p.getOrDefault(p.lowercase()), (Boolean) p.getOrDefault(p.stripHtml()), dedup,
            (Integer) p.getOrDefault(p.minChars()), (Integer) p.getOrDefault(p.maxChars()), p.getTokenizer(),
            p.getVocabSize(), p.getMinCount(), p.getMaxLength(), p.getTruncate(),
            SplitFractions.parse(split), seed.seed, arrow, nearDup);
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
