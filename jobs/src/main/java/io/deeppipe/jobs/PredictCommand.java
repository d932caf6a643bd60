package io.deeppipe.jobs;

import io.deeppipe.models.infer.BatchPredict;
import io.deeppipe.models.infer.PredictOptions;
import io.deeppipe.transforms.text.TextFormat;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "predict",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Scores an ingested dataset or raw data (images: a folder or --manifest; text: any format ingest-text reads)"
            + " with a trained model; raw data goes through the model's fitted preprocessing (MODEL_DIR/preprocessor/,"
            + " a Spark ML PipelineModel, loaded and applied): DIR/parquet/, DIR/arrow/,"
            + " DIR/rejected/, DIR/predictions.json.")
public final class PredictCommand extends JobCommand {
  @Option(names = "--model", paramLabel = "MODEL_DIR", description = "A trained model directory (with model.json).")
  String model;

  @Mixin SharedOptions.Input input = new SharedOptions.Input();

  @Option(names = "--manifest", paramLabel = "FILE.csv", description = "Instead of --input, for image models: a CSV with a path column (label optional).")
  String manifest;

  @Mixin SharedOptions.Output output = new SharedOptions.Output();

  @Option(names = "--split", paramLabel = "NAME", description = "For a dataset input: train, validation, test or all (default: ${DEFAULT-VALUE}).")
  String split;

  @Option(names = "--top-k", paramLabel = "K", description = "Classes listed in top_k, most probable first (default: ${DEFAULT-VALUE}).")
  int topK;

  @Option(names = "--batch-size", paramLabel = "N", description = "Rows scored per minibatch (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--output-format", paramLabel = "FMT", description = "parquet, arrow or both; Parquet is always written (default: ${DEFAULT-VALUE}).")
  String outputFormat;

  @Option(names = "--format", paramLabel = "FMT", description = "Raw text input format, as ingest-text (default: ${DEFAULT-VALUE}).")
  String format;

  @Option(names = "--text-field", paramLabel = "NAME", description = "Raw text: column holding the text (default: ${DEFAULT-VALUE}).")
  String textField;

  @Option(names = "--label-field", paramLabel = "NAME", description = "Raw text: column holding a label to pass through (default: ${DEFAULT-VALUE}).")
  String labelField;

  @Option(names = "--id-field", paramLabel = "NAME", description = "Raw text: column holding the id (default: ${DEFAULT-VALUE}).")
  String idField;

  private PredictOptions options;

  @Override
  protected void prepare() {
    options = new PredictOptions(model, input.input, manifest, output.output, output.overwrite(), split, topK, batchSize,
        PredictOptions.OutputFormat.parse(outputFormat), TextFormat.parse(format), textField, labelField, idField);
    requireExisting("--model", model);
    BatchPredict.check(options, new Configuration());
  }

  @Override
  protected int execute() {
    log.info("predict with {}", options);
    BatchPredict.Summary s = BatchPredict.run(spark(), options);
    println("wrote " + options.output() + ": " + s.predicted() + " predictions, " + s.rejected() + " rejected "
        + s.rejectedByReason());
    return 0;
  }
}
