package io.deeppipe.jobs;

import io.deeppipe.models.onnx.OnnxImport;
import io.deeppipe.transforms.card.ModelCard;
import io.deeppipe.transforms.image.ImageIngestOptions;
import io.deeppipe.transforms.image.Resizer;
import io.deeppipe.transforms.text.Tokenizer;
import io.deeppipe.transforms.text.Vocabulary;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "import-onnx",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Imports an ONNX model trained elsewhere (PyTorch, Keras, ...) with its input contract and labels as a model"
            + " directory that predict, evaluate and inspect use like a trained one: DIR/model.onnx, DIR/vocab.txt"
            + " (text), DIR/model.json. Checks first that the file loads, that its input agrees with the contract and"
            + " that it has one output per label. Starts no Spark.")
public final class ImportOnnxCommand extends JobCommand {
  @Option(names = "--onnx", paramLabel = "FILE", description = "The ONNX model file.")
  String onnx;

  @Option(names = "--labels", paramLabel = "a,b,...|FILE", description = "The class labels in output order: a comma-separated list, or a file with one per line.")
  String labels;

  @Mixin SharedOptions.Output output = new SharedOptions.Output();

  @Option(names = "--input-name", paramLabel = "NAME", description = "The graph input the data feeds, where the model has several (default: its only input).")
  String inputName;

  @Option(names = "--outputs", paramLabel = "KIND", description = "What the first output holds: logits (a softmax is applied) or probabilities (default: ${DEFAULT-VALUE}).")
  String outputs;

  @Option(names = "--size", paramLabel = "HxW", description = "Image models: the input's height x width, as ingest-images --size.")
  String size;

  @Option(names = "--channels", paramLabel = "N", description = "Image models: 1 (grayscale) or 3 (RGB) (default: ${DEFAULT-VALUE}).")
  int channels;

  @Option(names = "--layout", paramLabel = "LAYOUT", description = "Image models: nchw, nhwc or flat (the pixels in HWC order) (default: ${DEFAULT-VALUE}).")
  String layout;

  @Option(names = "--scale", paramLabel = "X", description = "Image models: each byte v becomes (v * scale - mean) / std; a number or a fraction like 1/255 (default: ${DEFAULT-VALUE}).")
  String scale;

  @Option(names = "--mean", paramLabel = "M[,M,M]", description = "Image models: per channel, or one for all (default: ${DEFAULT-VALUE}).")
  String mean;

  @Option(names = "--std", paramLabel = "S[,S,S]", description = "Image models: per channel, or one for all (default: ${DEFAULT-VALUE}).")
  String std;

  @Option(names = "--resize-mode", paramLabel = "MODE", description = "Image models: how predict fits raw images to --size, as ingest-images (default: ${DEFAULT-VALUE}).")
  String resizeMode;

  @Option(names = "--max-pixels", paramLabel = "N", description = "Image models: larger raw images are rejected, as ingest-images (default: ${DEFAULT-VALUE}).")
  long maxPixels;

  @Option(names = "--vocab", paramLabel = "FILE", description = "Text models: the vocabulary, one token per line, line number = id, starting [PAD], [UNK], [CLS].")
  String vocab;

  @Option(names = "--max-length", paramLabel = "N", description = "Text models: token ids per row, padded with [PAD] (default: ${DEFAULT-VALUE}).")
  int maxLength;

  @Option(names = "--tokenizer", paramLabel = "NAME", description = "Text models: word, char or cjk, as ingest-text (default: ${DEFAULT-VALUE}).")
  String tokenizer;

  @Option(names = "--lowercase", description = "Text models: lower-case the text first (default: ${DEFAULT-VALUE}).")
  boolean lowercase;

  @Option(names = "--strip-html", description = "Text models: strip HTML tags first (default: ${DEFAULT-VALUE}).")
  boolean stripHtml;

  @Option(names = "--truncate", paramLabel = "END", description = "Text models: which end of a long text is cut: end or start (default: ${DEFAULT-VALUE}).")
  String truncate;

  private OnnxImport.Options options;

  @Override
  protected void prepare() {
    boolean image = !blank(size);
    OnnxImport.ImageContract imageContract = null;
    if (image) {
      int[] hw = ImageIngestOptions.parseSize(size);
      imageContract = new OnnxImport.ImageContract(hw[0], hw[1], channels, OnnxImport.Layout.parse(layout),
          OnnxImport.number("--scale", scale), OnnxImport.perChannel("--mean", mean, channels),
          OnnxImport.perChannel("--std", std, channels), Resizer.Mode.parse(resizeMode), maxPixels);
    }
    OnnxImport.TextContract textContract = blank(vocab) ? null
        : new OnnxImport.TextContract(vocab, maxLength, Tokenizer.parse(tokenizer), lowercase, stripHtml,
            Vocabulary.Truncation.parse(truncate));
    options = new OnnxImport.Options(onnx, labels, output.output, output.overwrite(), blank(inputName) ? null : inputName,
        OnnxImport.Outputs.parse(outputs), imageContract, textContract);
    requireExisting("--onnx", onnx);
    requireExisting("--vocab", options.text() == null ? null : vocab);
  }

  @Override
  protected int execute() {
    log.info("import-onnx with {}", options);
    ModelCard card = OnnxImport.run(options, new Configuration());
    println("wrote " + options.output() + ": " + card.datasetKind() + " model, input '" + card.onnx().inputName() + "' "
        + card.inputShape() + " " + card.onnx().inputType() + ", " + card.labels().size() + " labels, sha256 "
        + card.onnx().sha256());
    return 0;
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
