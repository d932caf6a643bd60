package io.deeppipe.jobs;

import io.deeppipe.models.onnx.OnnxExport;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "export-onnx",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Exports a trained mlp or cnn model as one ONNX file (IR 8, opset 13): an image model takes the dataset's"
            + " uint8 [N, H, W, C] and normalises inside the graph, a text model takes token ids [N, max_length];"
            + " the only output is probabilities [N, classes]; labels, dataset fingerprint and preprocessing are in"
            + " metadata_props. A layer without an ONNX mapping is refused by name. Starts no Spark.")
public final class ExportOnnxCommand extends JobCommand {
  @Option(names = "--model", paramLabel = "MODEL_DIR", description = "A trained model directory (with model.json).")
  String model;

  @Option(names = "--output", paramLabel = "FILE.onnx", description = "The ONNX file; written under a temporary name and renamed when complete.")
  String output;

  @Option(names = "--mode", paramLabel = "MODE", description = "What to do if the output exists: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  SharedOptions.WriteMode mode;

  private byte[] checked;

  @Override
  protected void prepare() {
    if (model == null || model.isBlank()) {
      throw new IllegalArgumentException("--model is required");
    }
    if (output == null || output.isBlank()) {
      throw new IllegalArgumentException("--output is required");
    }
    requireExisting("--model", model);
    io.deeppipe.transforms.io.DatasetWriter.checkWritable(new org.apache.hadoop.fs.Path(output),
        mode == SharedOptions.WriteMode.overwrite, new Configuration());
    checked = OnnxExport.build(model, new Configuration()); // every refusal before anything is written
  }

  @Override
  protected int execute() {
    OnnxExport.run(model, output, mode == SharedOptions.WriteMode.overwrite, new Configuration());
    println("wrote " + output + " (" + checked.length + " bytes): ONNX IR " + OnnxExport.IR_VERSION + ", opset "
        + OnnxExport.OPSET);
    return 0;
  }
}
