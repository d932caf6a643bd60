package io.deeppipe.jobs;

import io.deeppipe.transforms.ImagePreprocessor;
import io.deeppipe.transforms.IngestParams;
import io.deeppipe.transforms.card.BadInputException;
import io.deeppipe.transforms.card.DatasetCard;
import io.deeppipe.transforms.image.ImageIngest;
import io.deeppipe.transforms.image.ImageIngestOptions;
import io.deeppipe.transforms.io.DatasetWriter;
import io.deeppipe.transforms.io.Storage;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

@Command(
    name = "ingest-images",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Image files (ImageFolder DIR/<label>/... or a path,label manifest) -> decoded, resized HWC uint8"
            + " tensors in Parquet + Arrow IPC + dataset.json; bad files go to rejected/ with a reason.")
public final class IngestImagesCommand extends JobCommand {
  /**
   * Params that are not options of their own: the column names (the library API's; the CLI lists
   * files itself), and height and width, which --size HxW sets together.
   */
  static final java.util.Set<String> NOT_OPTIONS = java.util.Set.of("inputCol", "pathCol", "labelCol", "height", "width");

  @Mixin SharedOptions.Input input = new SharedOptions.Input();

  @Option(names = "--manifest", paramLabel = "FILE.csv",
      description = "Instead of --input: a CSV with path,label columns (paths relative to it or absolute).")
  String manifest;

  @Mixin SharedOptions.Output output = new SharedOptions.Output();

  @Option(names = "--size", paramLabel = "HxW", description = "Output height x width (default: ${DEFAULT-VALUE}).")
  String size;

  @Mixin SharedOptions.Seed seed = new SharedOptions.Seed();

  /** The preprocessing options, declared once as the Params of {@link ImagePreprocessor}. */
  private ParamOptions preprocessing;

  private ImageIngestOptions options;

  /** How files are de-duplicated, split and written: the Params of {@link IngestParams.Images}. */
  private ParamOptions ingest;

  @Override
  protected void bindParams(CommandSpec spec) {
    ingest = ParamOptions.bind(spec, new IngestParams.Images(), java.util.Set.of());
    preprocessing = ParamOptions.bind(spec, new ImagePreprocessor(), NOT_OPTIONS);
  }

  @Override
  protected void prepare() {
    int[] hw = ImageIngestOptions.parseSize(size);
    IngestParams.Images i = ingest.apply();
    ImagePreprocessor p = preprocessing.apply();
    options =
        new ImageIngestOptions(input.input, manifest, output.output, output.overwrite(), hw[0], hw[1], p.getChannels(),
            p.getResizeMode(), p.getMaxPixels(), i.getDedup(), i.getSplit(), seed.seed, i.getArrow(),
            i.getRowGroupMb());
    Configuration conf = new Configuration();
    String given = options.input() != null ? options.input() : options.manifest();
    if (!Storage.exists(new Path(given), conf)) {
      throw new BadInputException((options.input() != null ? "--input " : "--manifest ") + given + " does not exist");
    }
    DatasetWriter.checkWritable(new Path(options.output()), options.overwrite(), conf);
  }

  @Override
  protected int execute() {
    log.info("ingest-images with {}", options);
    DatasetCard card = ImageIngest.run(spark(), options);
    println("wrote " + options.output() + ": " + card.counts() + ", duplicates removed "
        + card.duplicatesRemoved() + ", rejected " + card.rejectedByReason() + ", labels " + card.labels());
    return 0;
  }
}
