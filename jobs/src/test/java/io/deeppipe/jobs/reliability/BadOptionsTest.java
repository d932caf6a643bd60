package io.deeppipe.jobs.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.deeppipe.jobs.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every command's options, wrong: each row is a command line (on real inputs, so that an option
 * that slipped through validation would run the job) and what its error must name. Each must exit 2
 * with the option and the value in the message, no stack trace, and leave no output, not even an
 * empty or temporary directory. To add a row, add one {@link #row} line: words are separated by
 * single spaces, {@code ''} is an empty argument, and these stand for real paths:
 *
 * <pre>
 * $OUT          the output (must not exist afterwards)   $FILE        an existing regular file
 * $CORPUS       a small JSON Lines corpus                $IMAGES      an ImageFolder tree of MNIST PNGs
 * $IMAGE_DATA   an ingested image dataset                $TEXT_DATA   an ingested text dataset
 * $IMAGE_MODEL  a trained image model                    $TEXT_MODEL  a trained text model
 * $MISSING      a path that does not exist               $UNKNOWN     a folder of files of no known format
 * $ONNX         the folder of the committed ONNX fixtures (models/src/test/resources/onnx)
 * </pre>
 */
class BadOptionsTest {
  record Row(String command, List<String> expected) {
    @Override
    public String toString() {
      return command;
    }
  }

  static Path tmp;
  static Map<String, String> paths;

  @BeforeAll
  static void inputs() throws Exception {
    Path root = TrainedModels.root();
    tmp = Files.createDirectories(root.resolve("bad-options"));
    Path corpus = Files.writeString(tmp.resolve("in.jsonl"),
        "{\"text\": \"hello world\", \"label\": \"en\"}\n{\"text\": \"bonjour le monde\", \"label\": \"fr\"}\n");
    Path unknown = Files.writeString(Files.createDirectories(tmp.resolve("unknown")).resolve("notes.md"), "# notes\n");
    paths = Map.of(
        "$CORPUS", corpus.toString(),
        "$FILE", corpus.toString(),
        "$IMAGES", root.resolve("raw/mnist").toString(),
        "$IMAGE_DATA", TrainedModels.imageData().toString(),
        "$TEXT_DATA", TrainedModels.textData().toString(),
        "$IMAGE_MODEL", TrainedModels.imageModel().toString(),
        "$TEXT_MODEL", TrainedModels.textModel().toString(),
        "$MISSING", tmp.resolve("missing").toString(),
        "$UNKNOWN", unknown.getParent().toString(),
        "$ONNX", io.deeppipe.transforms.testing.TestData.projectRoot().resolve("models/src/test/resources/onnx").toString());
  }

  static Row row(String command, String... expected) {
    return new Row(command, List.of(expected));
  }

  static Stream<Row> rows() {
    String text = "ingest-text --input $CORPUS --output $OUT ";
    String images = "ingest-images --input $IMAGES --output $OUT ";
    String train = "train --data $IMAGE_DATA --model mlp --output $OUT ";
    String predict = "predict --model $IMAGE_MODEL --input $IMAGE_DATA --output $OUT ";
    String evaluate = "evaluate --model $IMAGE_MODEL --data $IMAGE_DATA --output $OUT ";
    String mlpFile = "import-onnx --onnx $ONNX/mnist-mlp.onnx --channels 1 --output $OUT ";
    String onnxMlp = mlpFile + "--labels 0,1,2,3,4,5,6,7,8,9 --size 28x28 ";
    return Stream.of(
        // ingest-text
        row(text + "--max-length -1", "--max-length must be in 1..100000, got -1"),
        row(text + "--max-length 0", "--max-length must be in 1..100000, got 0"),
        row(text + "--max-length abc", "--max-length", "'abc'"),
        row(text + "--vocab-size 2", "--vocab-size must be in 4..10000000, got 2"),
        row(text + "--split 0.5,0.6,0.1", "--split must sum to 1.0, got 0.5,0.6,0.1"),
        row(text + "--split 0.8,0.2", "--split needs three fractions train,validation,test, got '0.8,0.2'"),
        row(text + "--split a,b,c", "--split needs numbers, got 'a,b,c'"),
        row(text + "--split -0.2,0.6,0.6", "--split fractions must each be in [0,1], got -0.2,0.6,0.6"),
        row(text + "--split 0,0.5,0.5", "--split needs a non-empty train fraction, got 0.0,0.5,0.5"),
        row(text + "--tokenizer bpe", "--tokenizer must be one of word, char, cjk, got 'bpe'"),
        row(text + "--format xml", "--format must be one of auto, jsonl, csv, parquet, text, folder, got 'xml'"),
        row(text + "--truncate middle", "--truncate must be one of end, start, got 'middle'"),
        row(text + "--mode append", "--mode", "'append'"),
        row(text + "--min-chars 10 --max-chars 5", "--min-chars must be <= --max-chars, got 10 > 5"),
        row(text + "--min-chars -1", "--min-chars must be >= 0, got -1"),
        row(text + "--max-chars 0", "--max-chars must be >= 1, got 0"),
        row(text + "--min-count 0", "--min-count must be >= 1, got 0"),
        row(text + "--near-dup-threshold 1.5", "--near-dup-threshold must be 0 (off) or a Jaccard similarity in (0, 1), got 1.5"),
        row(text + "--seed x1", "--seed", "'x1'"),
        row(text + "--lowercase maybe", "Unmatched argument", "'maybe'"),
        row(text + "--text-field ''", "--text-field must be a non-empty name, got ''"),
        row(text + "--master nowhere", "--master", "'nowhere'"),
        row(text + "--no-such-option", "Unknown option: '--no-such-option'"),
        row("ingest-text --output $OUT", "--input is required"),
        row("ingest-text --input $CORPUS", "--output is required"),
        row("ingest-text --input $MISSING --output $OUT", "--input $MISSING does not exist"),
        row("ingest-text --input $IMAGES --output $OUT --format csv", "--input $IMAGES cannot be read as CSV"),
        row("ingest-text --input $CORPUS --output $OUT --format parquet", "--input $CORPUS cannot be read as Parquet"),
        row("ingest-text --input $IMAGES --output $OUT", "--input $IMAGES has no usable record", "invalid_utf8="),
        row("ingest-text --input $UNKNOWN --output $OUT", "--input $UNKNOWN: cannot tell its format from the file names"),
        // ingest-images
        row(images + "--size 28", "--size must be HxW, e.g. 224x224, got '28'"),
        row(images + "--size axb", "--size must be HxW, e.g. 224x224, got 'axb'"),
        row(images + "--size 0x28", "--size must be HxW with each side in 1..8192, got 0x28"),
        row(images + "--size -28x28", "--size must be HxW with each side in 1..8192, got -28x28"),
        row(images + "--size 9000x9000", "--size must be HxW with each side in 1..8192, got 9000x9000"),
        row(images + "--channels 2", "--channels must be 1 or 3, got 2"),
        row(images + "--channels x", "--channels", "'x'"),
        row(images + "--resize-mode zoom", "--resize-mode must be one of stretch, crop, pad, got 'zoom'"),
        row(images + "--max-pixels 0", "--max-pixels must be >= 1, got 0"),
        row(images + "--max-pixels -5", "--max-pixels must be >= 1, got -5"),
        row(images + "--split 0.5,0.5,0.5", "--split must sum to 1.0, got 0.5,0.5,0.5"),
        row(images + "--row-group-mb 0", "--row-group-mb must be in 1..1024, got 0"),
        row(images + "--manifest $FILE", "--input and --manifest exclude each other"),
        row(images + "--mode keep", "--mode", "'keep'"),
        row("ingest-images --output $OUT", "--input DIR or --manifest FILE.csv is required"),
        row("ingest-images --input $MISSING --output $OUT", "--input $MISSING does not exist"),
        row("ingest-images --manifest $MISSING --output $OUT", "--manifest $MISSING does not exist"),
        row("ingest-images --manifest $FILE --output $OUT", "--manifest $FILE needs a header with path,label columns"),
        // train
        row(train + "--epochs 0", "--epochs must be in 1..100000, got 0"),
        row(train + "--epochs -3", "--epochs must be in 1..100000, got -3"),
        row(train + "--epochs many", "--epochs", "'many'"),
        row(train + "--batch-size 0", "--batch-size must be in 1..65536, got 0"),
        row(train + "--learning-rate 0", "--learning-rate must be in (0, 10], got 0.0"),
        row(train + "--learning-rate -0.1", "--learning-rate must be in (0, 10], got -0.1"),
        row(train + "--learning-rate fast", "--learning-rate", "'fast'"),
        row(train + "--dropout 1", "--dropout must be in [0, 1), got 1.0"),
        row(train + "--l2 -1", "--l2 must be >= 0, got -1.0"),
        row(train + "--hidden 0", "--hidden must be in 1..65536, got 0"),
        row(train + "--embedding 0", "--embedding must be in 1..8192, got 0"),
        row(train + "--heads 3 --embedding 64", "--heads must divide --embedding, got --heads 3 and --embedding 64"),
        row(train + "--layers 65", "--layers must be in 1..64, got 65"),
        row(train + "--workers -1", "--workers must be >= 0 (0 = one per Spark core), got -1"),
        row(train + "--averaging-frequency -1", "--averaging-frequency must be >= 0 (0 = auto), got -1"),
        row(train + "--prefetch -1", "--prefetch must be >= 0, got -1"),
        row(train + "--patience 0", "--patience must be >= 1, got 0"),
        row(train + "--updater adagrad", "--updater must be one of adam, sgd, nesterovs, rmsprop, got 'adagrad'"),
        row(train + "--training-master magic", "--training-master must be one of averaging, sharing, got 'magic'"),
        row(train + "--training-master sharing", "--training-master sharing is refused"),
        row("train --data $IMAGE_DATA --model gpt --output $OUT", "--model must be one of mlp, cnn, lstm, transformer, got 'gpt'"),
        row("train --data $TEXT_DATA --model cnn --output $OUT", "--model cnn does not fit text data (text: mlp, lstm, transformer; image: mlp, cnn)"),
        row("train --data $IMAGE_DATA --model lstm --output $OUT", "--model lstm does not fit image data (text: mlp, lstm, transformer; image: mlp, cnn)"),
        row(train + "--resume --mode overwrite", "--resume and --mode overwrite exclude each other"),
        row(train + "--resume maybe", "Unmatched argument", "'maybe'"),
        row("train --model mlp --output $OUT", "--data is required"),
        row("train --data $IMAGE_DATA --model mlp", "--output is required"),
        row("train --data $MISSING --model mlp --output $OUT", "--data $MISSING does not exist"),
        row("train --data $IMAGE_MODEL --model mlp --output $OUT", "$IMAGE_MODEL has no dataset.json"),
        // predict
        row(predict + "--top-k 0", "--top-k must be >= 1, got 0"),
        row(predict + "--batch-size 0", "--batch-size must be in 1..1048576, got 0"),
        row(predict + "--batch-size 2000000", "--batch-size must be in 1..1048576, got 2000000"),
        row(predict + "--output-format xml", "--output-format must be one of parquet, arrow, both, got 'xml'"),
        row(predict + "--split dev", "--split must be train, validation, test or all, got 'dev'"),
        row(predict + "--format xml", "--format must be one of auto, jsonl, csv, parquet, text, folder, got 'xml'"),
        row(predict + "--manifest $FILE", "--input and --manifest exclude each other"),
        row("predict --model $IMAGE_MODEL --input $IMAGES --split test --output $OUT",
            "--split test", "$IMAGES is raw data"),
        row("predict --model $TEXT_MODEL --manifest $FILE --output $OUT", "--manifest", "$TEXT_MODEL is a text model"),
        row("predict --model $TEXT_MODEL --input $IMAGE_DATA --output $OUT", "kind: model text, dataset image"),
        row("predict --input $IMAGE_DATA --output $OUT", "--model is required"),
        row("predict --model $IMAGE_MODEL --output $OUT", "--input PATH (a dataset or raw data) or --manifest FILE.csv is required"),
        row("predict --model $MISSING --input $IMAGE_DATA --output $OUT", "--model $MISSING does not exist"),
        row("predict --model $IMAGE_DATA --input $IMAGE_DATA --output $OUT", "$IMAGE_DATA has no model.json"),
        row("predict --model $IMAGE_MODEL --input $MISSING --output $OUT", "--input $MISSING does not exist"),
        // evaluate
        row(evaluate + "--split all", "--split must be train, validation or test, got 'all'"),
        row(evaluate + "--batch-size 0", "--batch-size must be >= 1, got 0"),
        row(evaluate + "--mode never", "--mode", "'never'"),
        row("evaluate --model $IMAGE_MODEL --output $OUT", "--data is required"),
        row("evaluate --data $IMAGE_DATA --output $OUT", "--model is required"),
        row("evaluate --model $IMAGE_MODEL --data $IMAGE_DATA", "--output is required"),
        row("evaluate --model $MISSING --data $IMAGE_DATA --output $OUT", "--model $MISSING does not exist"),
        row("evaluate --model $IMAGE_MODEL --data $MISSING --output $OUT", "--data $MISSING does not exist"),
        row("evaluate --model $IMAGE_MODEL --data $TEXT_DATA --output $OUT", "kind: model image, dataset text"),
        // inspect
        row("inspect", "Missing required parameter: 'DIR'"),
        row("inspect $MISSING", "$MISSING does not exist"),
        row("inspect $FILE", "$FILE has no dataset.json"),
        row("inspect --jsn $IMAGE_DATA", "Unknown option: '--jsn'"),
        row("inspect $IMAGE_DATA $TEXT_DATA", "Unmatched argument", "$TEXT_DATA"),
        // catalog
        row("catalog --output $OUT", "--root is required"),
        row("catalog --root '' --output $OUT", "--root must not be empty"),
        row("catalog --root $MISSING --output $OUT", "--root $MISSING does not exist"),
        row("catalog --root $FILE --output $OUT", "--root $FILE is not a directory"),
        row("catalog --root $IMAGE_DATA", "--output is required"),
        row("catalog --root $IMAGE_DATA --output $OUT --mode append", "--mode", "'append'"),
        row("catalog --root $IMAGE_DATA --output $OUT --rot", "Unknown option: '--rot'"),
        // import-onnx
        row(onnxMlp + "--layout chw", "--layout must be one of nchw, nhwc, flat, got 'chw'"),
        row(onnxMlp + "--outputs scores", "--outputs must be one of logits, probabilities, got 'scores'"),
        row(onnxMlp + "--scale x", "--scale must be a number or a fraction like 1/255, got 'x'"),
        row(onnxMlp + "--mean 0,0", "--mean needs one value per channel (1), got 2: [0.0, 0.0]"),
        row(onnxMlp + "--std 0", "--std values must be positive, got [0.0]"),
        row(mlpFile + "--labels 0,1 --size 28", "--size must be HxW, e.g. 224x224, got '28'"),
        row(mlpFile + "--size 28x28 --layout flat --labels 0,1,2", "--labels lists 3 labels but the model's output 'output' has 10 values per row"),
        row(mlpFile + "--labels 0,1,2,3,4,5,6,7,8,9 --layout flat --size 32x32", "input 'pixels' of $ONNX/mnist-mlp.onnx is float [N, 784] but the contract"
            + " (--size 32x32 --channels 1 --layout flat) feeds [N, 1024]"),
        row(onnxMlp + "--layout flat --input-name image", "--input-name image: $ONNX/mnist-mlp.onnx has no such input (inputs: [pixels])"),
        row(onnxMlp + "--vocab $ONNX/fortunes-vocab.txt",
            "--size (an image model) and --vocab (a text model) exclude each other"),
        row("import-onnx --onnx $FILE --labels a,b --size 28x28 --output $OUT", "--onnx $FILE is not a loadable ONNX model"),
        row("import-onnx --onnx $ONNX/two-inputs.onnx --labels 0,1,2,3,4,5,6,7,8,9 --size 28x28 --channels 1"
            + " --layout flat --output $OUT", "has 2 inputs [a, b]: choose the one the data feeds with --input-name"),
        row("import-onnx --onnx $ONNX/fortunes-text.onnx --labels computers,science --size 28x28 --output $OUT",
            "it takes token ids (a text model), but the contract describes images (--size)"),
        row("import-onnx --onnx $ONNX/mnist-mlp.onnx --labels 0,1 --vocab $ONNX/fortunes-vocab.txt --max-length 32"
            + " --output $OUT", "it takes pixels or features (not token ids), but the contract describes text"),
        row("import-onnx --onnx $ONNX/fortunes-text.onnx --labels computers,science --vocab $ONNX/fortunes-vocab.txt"
            + " --max-length 0 --output $OUT", "--max-length must be in [1, 4096], got 0"),
        row("import-onnx --onnx $ONNX/fortunes-text.onnx --labels computers,science --vocab $MISSING --output $OUT",
            "--vocab $MISSING does not exist"),
        row("import-onnx --onnx $ONNX/mnist-mlp.onnx --labels 0,1 --output $OUT",
            "--size (an image model) or --vocab (a text model) is required"),
        row("import-onnx --onnx $ONNX/mnist-mlp.onnx --size 28x28 --output $OUT", "--labels a,b,... or --labels FILE is required"),
        row("import-onnx --onnx $MISSING --labels a --size 28x28 --output $OUT", "--onnx $MISSING does not exist"),
        // export-onnx
        row("export-onnx --output $OUT", "--model is required"),
        row("export-onnx --model $IMAGE_MODEL", "--output is required"),
        row("export-onnx --model $MISSING --output $OUT", "--model $MISSING does not exist"),
        row("export-onnx --model $IMAGE_DATA --output $OUT", "$IMAGE_DATA has no model.json"),
        row("export-onnx --model $IMAGE_MODEL --output $OUT --mode keep", "--mode", "'keep'"),
        // quickstart
        row("quickstart --workdir ''", "--workdir must not be empty"),
        row("quickstart --workdir $FILE", "--workdir $FILE is not a directory"),
        row("quickstart --workdir $OUT --master nowhere", "--master", "'nowhere'"),
        row("quickstart --workdir $OUT --epochs 3", "Unknown options: '--epochs'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void exits2NamingTheOptionAndValueAndWritesNothing(Row row) throws Exception {
    Path out = tmp.resolve("never-" + Integer.toHexString(row.command().hashCode()));
    List<String> args = new ArrayList<>();
    for (String word : row.command().split(" ")) {
      args.add(expand(word.equals("''") ? "" : word, out));
    }
    Cli r = Cli.run(args.toArray(new String[0]));
    assertThat(r.code()).as(r.describe()).isEqualTo(2);
    for (String expected : row.expected()) {
      assertThat(r.err()).contains(expand(expected, out));
    }
    assertThat(r.err()).as("no stack trace").doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("at io.");
    assertThat(out).as("the output is not even created").doesNotExist();
    try (var siblings = Files.list(tmp)) {
      assertThat(siblings.map(p -> p.getFileName().toString())).as("no temporary sibling either")
          .noneMatch(n -> n.startsWith("." + out.getFileName()));
    }
  }

  private static String expand(String s, Path out) {
    String result = s.replace("$OUT", out.toString());
    for (var e : paths.entrySet()) {
      result = result.replace(e.getKey(), e.getValue());
    }
    return result;
  }

  /** Every subcommand has rows: a new command cannot be added without its bad options. */
  @org.junit.jupiter.api.Test
  void everyCommandHasRows() {
    List<String> commands = Arrays.stream(io.deeppipe.jobs.Pipeline.class.getAnnotation(picocli.CommandLine.Command.class)
            .subcommands())
        .map(c -> c.getAnnotation(picocli.CommandLine.Command.class).name())
        .toList();
    List<String> covered = rows().map(r -> r.command().split(" ")[0]).distinct().toList();
    assertThat(covered).containsExactlyInAnyOrderElementsOf(commands)
        .contains("ingest-text", "ingest-images", "train", "predict", "evaluate", "inspect", "catalog", "quickstart");
  }
}
