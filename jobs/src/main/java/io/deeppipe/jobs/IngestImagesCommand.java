package io.deeppipe.jobs;

import io.deeppipe.transforms.SplitAssigner.SplitFractions;
import io.deeppipe.transforms.card.BadInputException;
import io.deeppipe.transforms.card.DatasetCard;
import io.deeppipe.transforms.image.ImageIngest;
import io.deeppipe.transforms.image.ImageIngestOptions;
import io.deeppipe.transforms.image.Resizer;
import io.deeppipe.transforms.io.DatasetWriter;
import io.deeppipe.transforms.io.Storage;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "ingest-images",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Image files (ImageFolder DIR/<label>/... or a path,label manifest) -> decoded, resized HWC uint8"
            + " tensors in Parquet + Arrow IPC + dataset.json; bad files go to rejected/ with a reason.")
public final class IngestImagesCommand extends JobCommand {
  @Mixin SharedOptions.Input input = new SharedOptions.Input();

  @Option(names = "--manifest", paramLabel = "FILE.csv",
      description = "Instead of --input: a CSV with path,label columns (paths relative to it or absolute).")
  String manifest;

  @Mixin SharedOptions.Output output = new SharedOptions.Output();

  @Option(names = "--size", paramLabel = "HxW", description = "Output height x width (default: ${DEFAULT-VALUE}).")
  String size;

  @Option(names = "--channels", paramLabel = "1|3", description = "1 = grayscale (BT.601 luma), 3 = RGB (default: ${DEFAULT-VALUE}).")
  int channels;

  @Option(names = "--resize-mode", paramLabel = "MODE",
      description = "crop (scale the shorter side, centre-crop), pad (letterbox on black) or stretch (default: ${DEFAULT-VALUE}).")
  String resizeMode;

  @Option(names = "--max-pixels", paramLabel = "N",
      description = "Refuse images whose header declares more pixels (decompression bombs) (default: ${DEFAULT-VALUE}).")
  long maxPixels;

  @Option(names = "--dedup", negatable = true, arity = "0..1", fallbackValue = "true",
      description = "Drop exact duplicate files (same SHA-256), counted in dataset.json (default: ${DEFAULT-VALUE}).")
  boolean dedup;

  @Option(names = "--split", paramLabel = "T,V,T", description = "train,validation,test fractions, by a seeded hash of the id (default: ${DEFAULT-VALUE}).")
  String split;

  @Option(names = "--arrow", negatable = true, arity = "0..1", fallbackValue = "true",
      description = "Also write the splits as Arrow IPC files (default: ${DEFAULT-VALUE}).")
  boolean arrow;

  @Option(names = "--row-group-mb", paramLabel = "MB", description = "Parquet row-group size in MiB (default: ${DEFAULT-VALUE}).")
  int rowGroupMb;

  @Mixin SharedOptions.Seed seed = new SharedOptions.Seed();

  private ImageIngestOptions options;

  @Override
  protected void prepare() {
    int[] hw = ImageIngestOptions.parseSize(size);
    options =
        new ImageIngestOptions(input.input, manifest, output.output, output.overwrite(), hw[0], hw[1], channels,
            Resizer.Mode.parse(resizeMode), maxPixels, dedup, SplitFractions.parse(split), seed.seed, arrow,
            rowGroupMb);
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
