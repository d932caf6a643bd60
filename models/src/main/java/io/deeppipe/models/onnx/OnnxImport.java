package io.deeppipe.models.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.deeppipe.transforms.Choices;
import io.deeppipe.transforms.Fingerprint;
import io.deeppipe.transforms.card.BadInputException;
import io.deeppipe.transforms.card.Cards;
import io.deeppipe.transforms.card.DatasetCard;
import io.deeppipe.transforms.card.ImageSpec;
import io.deeppipe.transforms.card.ModelCard;
import io.deeppipe.transforms.card.OnnxSpec;
import io.deeppipe.transforms.card.TextSpec;
import io.deeppipe.transforms.image.Resizer;
import io.deeppipe.transforms.io.Storage;
import io.deeppipe.transforms.text.Tokenizer;
import io.deeppipe.transforms.text.Vocabulary;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code import-onnx}: checks an ONNX file against its input contract and labels, then publishes a
 * model directory ({@code model.onnx}, {@code vocab.txt} for text, {@code model.json} last) that
 * {@code predict}, {@code evaluate} and {@code inspect} treat like a trained one. Every check runs
 * before anything is written: the file loads in ONNX Runtime, the chosen input's type and shape
 * agree with the contract, and one real batch runs and yields one output per label.
 */
public final class OnnxImport {
  private static final Logger LOG = LoggerFactory.getLogger(OnnxImport.class);

  private OnnxImport() {}

  /** How image pixels are laid out in the model's input tensor. */
  public enum Layout {
    NCHW, NHWC, FLAT;

    public static Layout parse(String value) {
      return Choices.parse(Layout.class, "--layout", value);
    }

    public String optionName() {
      return Choices.name(this);
    }
  }

  /** What the model's first output holds. */
  public enum Outputs {
    LOGITS, PROBABILITIES;

    public static Outputs parse(String value) {
      return Choices.parse(Outputs.class, "--outputs", value);
    }

    public String optionName() {
      return Choices.name(this);
    }
  }

  /** The image half of the contract (null {@code size} in {@link Options} means text). */
  public record ImageContract(int height, int width, int channels, Layout layout, double scale, double[] mean,
      double[] std, Resizer.Mode resizeMode, long maxPixels) {
    public ImageContract {
      require(height >= 1 && height <= 8192 && width >= 1 && width <= 8192,
          "--size must be HxW with each side in 1..8192, got " + height + "x" + width);
      require(channels == 1 || channels == 3, "--channels must be 1 or 3, got " + channels);
      require(scale > 0 && Double.isFinite(scale), "--scale must be a positive number, got " + scale);
      require(mean.length == channels, "--mean needs one value per channel (" + channels + "), got "
          + mean.length + ": " + Arrays.toString(mean));
      require(std.length == channels, "--std needs one value per channel (" + channels + "), got "
          + std.length + ": " + Arrays.toString(std));
      for (double s : std) {
        require(s > 0 && Double.isFinite(s), "--std values must be positive, got " + Arrays.toString(std));
      }
      require(maxPixels >= 1, "--max-pixels must be >= 1, got " + maxPixels);
    }
  }

  /** The text half of the contract. */
  public record TextContract(String vocab, int maxLength, Tokenizer tokenizer, boolean lowercase, boolean stripHtml,
      Vocabulary.Truncation truncation) {
    public TextContract {
      require(maxLength >= 1 && maxLength <= 4096, "--max-length must be in [1, 4096], got " + maxLength);
    }
  }

  /** {@code import-onnx}'s options, validated; exactly one of {@code image}, {@code text} is set. */
  public record Options(String onnx, String labels, String output, boolean overwrite, String inputName,
      Outputs outputs, ImageContract image, TextContract text) {
    public Options {
      require(onnx != null && !onnx.isBlank(), "--onnx FILE is required");
      require(labels != null && !labels.isBlank(), "--labels a,b,... or --labels FILE is required");
      require(output != null && !output.isBlank(), "--output is required");
      require(image != null || text != null, "--size (an image model) or --vocab (a text model) is required");
      require(image == null || text == null, "--size (an image model) and --vocab (a text model) exclude each other");
    }
  }

  /** Imports and publishes; returns the card written. */
  public static ModelCard run(Options o, Configuration conf) {
    Checked c = check(o, conf);
    Path target = new Path(o.output());
    Path staged = Storage.temporarySibling(target);
    try {
      write(new Path(staged, OnnxSpec.FILE_NAME), c.model(), conf);
      if (c.vocab() != null) {
        Storage.writeString(new Path(staged, Vocabulary.FILE_NAME), c.vocab().toText(), conf);
      }
      Cards.write(new Path(staged, ModelCard.FILE_NAME), c.card(), conf);
      Storage.publish(staged, target, o.overwrite(), conf);
    } finally {
      Storage.deleteQuietly(staged, conf);
    }
    LOG.info("imported {} as {}: input {} {}, {} labels", o.onnx(), o.output(), c.card().onnx().inputName(),
        c.card().inputShape(), c.card().labels().size());
    return c.card();
  }

  /** What the checks found: the model file, its card, the vocabulary of a text model. */
  public record Checked(byte[] model, ModelCard card, Vocabulary vocab) {}

  /** Every check of the import, writing nothing; {@link BadInputException} names the mismatch. */
  public static Checked check(Options o, Configuration conf) {
    Path file = new Path(o.onnx());
    if (!Storage.exists(file, conf)) {
      throw new BadInputException("--onnx " + o.onnx() + " does not exist");
    }
    io.deeppipe.transforms.io.DatasetWriter.checkWritable(new Path(o.output()), o.overwrite(), conf);
    List<String> labels = labels(o.labels(), conf);
    Vocabulary vocab = o.text() == null ? null
        : Vocabulary.parse(requireFile("--vocab", o.text().vocab(), conf));
    byte[] model = Storage.readBytes(file, conf);
    String sha = Fingerprint.sha256(model);
    try (OrtSession session = open(model, "--onnx " + o.onnx())) {
      Map<String, NodeInfo> inputs = session.getInputInfo();
      String inputName = chooseInput(inputs, o.inputName(), o.onnx());
      TensorInfo input = tensorInfo(inputs.get(inputName), "input", inputName, o.onnx());
      String inputType = checkInput(input, inputName, o);
      String outputName = session.getOutputNames().iterator().next();
      OnnxSpec spec = new OnnxSpec(OnnxSpec.FILE_NAME, sha, inputName, inputType,
          o.image() != null ? o.image().layout().optionName() : "ids",
          o.image() != null && !"uint8".equals(inputType) ? o.image().scale() : 1.0,
          o.image() != null ? boxed(o.image().mean()) : null, o.image() != null ? boxed(o.image().std()) : null,
          outputName, o.outputs().optionName());
      ModelCard card = card(o, labels, vocab, spec, shape(input));
      int width = outputWidth(session, card, o.onnx());
      if (width != labels.size()) {
        throw new BadInputException("--labels lists " + labels.size() + " labels but the model's output '" + outputName
            + "' has " + width + " values per row: they must be the same");
      }
      return new Checked(model, card, vocab);
    } catch (OrtException e) {
      throw new BadInputException("--onnx " + o.onnx() + ": ONNX Runtime cannot use it: " + e.getMessage(), e);
    }
  }

  /**
   * The bytes of {@code dir/model.onnx}, refused (like a corrupt model.zip) if missing, changed
   * since import (its SHA-256 differs from the card's) or not loadable by ONNX Runtime.
   */
  public static byte[] readChecked(Path dir, ModelCard card, Configuration conf) {
    Path file = new Path(dir, OnnxSpec.FILE_NAME);
    if (card.onnx() == null) {
      throw new BadInputException(new Path(dir, ModelCard.FILE_NAME) + " is of kind onnx but has no onnx contract");
    }
    if (!Storage.exists(file, conf)) {
      throw new BadInputException("model " + dir + " has no " + OnnxSpec.FILE_NAME);
    }
    byte[] bytes = Storage.readBytes(file, conf);
    String sha = Fingerprint.sha256(bytes);
    if (!sha.equals(card.onnx().sha256())) {
      throw new BadInputException(file + " is not the file that was imported: its SHA-256 is " + sha
          + ", model.json records " + card.onnx().sha256());
    }
    try (OrtSession ignored = open(bytes, file.toString())) {
      return bytes; // loads on the driver, so a damaged file fails here and not in every task
    } catch (OrtException e) {
      throw new BadInputException(file + " cannot be loaded by ONNX Runtime: " + e.getMessage(), e);
    }
  }

  private static OrtSession open(byte[] model, String what) {
    try {
      return OnnxSessions.open(model, 1);
    } catch (OrtException e) {
      throw new BadInputException(what + " is not a loadable ONNX model: " + firstLine(e.getMessage()), e);
    }
  }

  private static String chooseInput(Map<String, NodeInfo> inputs, String wanted, String file) {
    if (wanted != null && !wanted.isBlank()) {
      if (!inputs.containsKey(wanted)) {
        throw new BadInputException("--input-name " + wanted + ": " + file + " has no such input (inputs: "
            + inputs.keySet() + ")");
      }
      return wanted;
    }
    if (inputs.size() != 1) {
      throw new BadInputException(file + " has " + inputs.size() + " inputs " + inputs.keySet()
          + ": choose the one the data feeds with --input-name");
    }
    return inputs.keySet().iterator().next();
  }

  private static TensorInfo tensorInfo(NodeInfo node, String what, String name, String file) {
    if (!(node.getInfo() instanceof TensorInfo t)) {
      throw new BadInputException(file + ": " + what + " '" + name + "' is not a tensor (" + node.getInfo() + ")");
    }
    return t;
  }

  /** Checks the input's element type and shape against the contract; returns the type's name. */
  private static String checkInput(TensorInfo t, String name, Options o) {
    List<Long> shape = shape(t);
    String declared = "input '" + name + "' of " + o.onnx() + " is " + t.type.toString().toLowerCase(Locale.ROOT)
        + " " + render(shape);
    List<Long> expected;
    String type;
    if (o.image() != null) {
      if (t.type == OnnxJavaType.INT64 || t.type == OnnxJavaType.INT32) {
        throw new BadInputException(declared + ": it takes token ids (a text model), but the contract describes images"
            + " (--size); give --vocab and --max-length instead");
      }
      ImageContract c = o.image();
      if (t.type == OnnxJavaType.UINT8) {
        // a graph that normalises itself (what export-onnx writes) takes the stored bytes as they are
        boolean identity = Arrays.stream(c.mean()).allMatch(m -> m == 0) && Arrays.stream(c.std()).allMatch(v -> v == 1)
            && (c.scale() == 1 || Math.abs(c.scale() - 1 / 255.0) < 1e-12);
        if (!identity) {
          throw new BadInputException(declared + ": it takes the bytes as they are and normalises them itself, so"
              + " --scale, --mean and --std do not apply (got scale " + c.scale() + ", mean " + Arrays.toString(c.mean())
              + ", std " + Arrays.toString(c.std()) + ")");
        }
      } else if (t.type != OnnxJavaType.FLOAT) {
        throw new BadInputException(declared + ": an image model must take float pixels or uint8 bytes");
      }
      expected = switch (c.layout()) {
        case NCHW -> List.of(-1L, (long) c.channels(), (long) c.height(), (long) c.width());
        case NHWC -> List.of(-1L, (long) c.height(), (long) c.width(), (long) c.channels());
        case FLAT -> List.of(-1L, (long) c.height() * c.width() * c.channels());
      };
      type = t.type == OnnxJavaType.UINT8 ? "uint8" : "float";
    } else {
      if (t.type == OnnxJavaType.FLOAT || t.type == OnnxJavaType.DOUBLE || t.type == OnnxJavaType.UINT8) {
        throw new BadInputException(declared + ": it takes pixels or features (not token ids), but the contract"
            + " describes text (--vocab); give --size, --channels and --layout instead");
      }
      if (t.type != OnnxJavaType.INT64 && t.type != OnnxJavaType.INT32) {
        throw new BadInputException(declared + ": a text model must take int64 or int32 token ids");
      }
      expected = List.of(-1L, (long) o.text().maxLength());
      type = t.type == OnnxJavaType.INT64 ? "int64" : "int32";
    }
    boolean agrees = shape.size() == expected.size();
    for (int i = 1; agrees && i < shape.size(); i++) {
      agrees = shape.get(i) < 0 || shape.get(i).equals(expected.get(i)); // a symbolic dimension takes any size
    }
    if (!agrees) {
      throw new BadInputException(declared + " but the contract (" + contract(o) + ") feeds " + render(expected));
    }
    return type;
  }

  private static String contract(Options o) {
    if (o.image() != null) {
      ImageContract c = o.image();
      return "--size " + c.height() + "x" + c.width() + " --channels " + c.channels() + " --layout "
          + c.layout().optionName();
    }
    return "--max-length " + o.text().maxLength();
  }

  /** Runs one batch of two blank rows through the model: proves it runs and gives the output width. */
  private static int outputWidth(OrtSession session, ModelCard card, String file) throws OrtException {
    Object blank = card.image() != null
        ? new byte[card.image().height() * card.image().width() * card.image().channels()]
        : scala.collection.JavaConverters.asScalaBuffer(
            new ArrayList<>(Collections.nCopies(card.text().maxLength(), Vocabulary.PAD_ID))).toSeq();
    List<Row> rows = List.of(RowFactory.create(blank), RowFactory.create(blank));
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    OnnxScorer scorer = new OnnxScorer(card, () -> null);
    try (var input = scorer.tensor(env, rows);
        OrtSession.Result result = runOnce(session, card.onnx(), input, file)) {
      long[] shape = ((TensorInfo) result.get(0).getInfo()).getShape();
      if (shape.length != 2 || shape[0] != 2) {
        throw new BadInputException(file + ": output '" + card.onnx().outputName() + "' has shape "
            + Arrays.toString(shape) + " for a batch of 2; expected [2, classes]");
      }
      return (int) shape[1];
    }
  }

  private static OrtSession.Result runOnce(OrtSession session, OnnxSpec spec, ai.onnxruntime.OnnxTensor input,
      String file) {
    try {
      return session.run(Map.of(spec.inputName(), input), java.util.Set.of(spec.outputName()));
    } catch (OrtException e) {
      throw new BadInputException("--onnx " + file + " does not run on the contract's input '" + spec.inputName()
          + "' alone: " + firstLine(e.getMessage()).replaceAll(".*Status Message: ", ""), e);
    }
  }

  private static ModelCard card(Options o, List<String> labels, Vocabulary vocab, OnnxSpec spec, List<Long> shape) {
    TextSpec text = null;
    ImageSpec image = null;
    if (o.text() != null) {
      TextContract t = o.text();
      text = new TextSpec(t.tokenizer().optionName(), t.lowercase(), t.stripHtml(), t.maxLength(),
          t.truncation().optionName(), vocab.size(), 1, vocab.sha256(), Vocabulary.SPECIALS);
    } else {
      ImageContract c = o.image();
      // mean/std in the dataset's convention (of v/255), so the card reads like an ingested one's
      List<Double> mean = new ArrayList<>();
      List<Double> std = new ArrayList<>();
      for (int k = 0; k < c.channels(); k++) {
        mean.add(c.mean()[k] / (c.scale() * 255));
        std.add(c.std()[k] / (c.scale() * 255));
      }
      image = new ImageSpec(c.height(), c.width(), c.channels(), c.resizeMode().name().toLowerCase(Locale.ROOT),
          c.maxPixels(), mean, std);
    }
    List<Integer> inputShape = new ArrayList<>();
    for (int i = 1; i < shape.size(); i++) {
      inputShape.add(shape.get(i) < 0 && o.text() != null ? o.text().maxLength() : (int) (long) shape.get(i));
    }
    Map<String, Object> contract = new LinkedHashMap<>();
    contract.put("source", o.onnx());
    contract.put("outputs", o.outputs().optionName());
    return new ModelCard(ModelCard.SCHEMA_VERSION, OnnxSpec.KIND,
        o.text() != null ? DatasetCard.KIND_TEXT : DatasetCard.KIND_IMAGE, labels, null, null, inputShape, text, image,
        contract, List.of(), 0, Double.NaN, "imported", 0, "none", 0, 0, Instant.now().toString(), spec.sha256(), spec);
  }

  /** {@code --scale}: a number or a fraction such as {@code 1/255}. */
  public static double number(String option, String value) {
    try {
      String[] parts = value.trim().split("/");
      if (parts.length == 1) {
        return Double.parseDouble(parts[0]);
      }
      if (parts.length == 2) {
        return Double.parseDouble(parts[0]) / Double.parseDouble(parts[1]);
      }
    } catch (NumberFormatException e) {
      // falls through to the message below
    }
    throw new IllegalArgumentException(option + " must be a number or a fraction like 1/255, got '" + value + "'");
  }

  /** {@code --mean}/{@code --std}: one value per channel, or one for all of them. */
  public static double[] perChannel(String option, String value, int channels) {
    String[] parts = value.split(",");
    double[] out = new double[parts.length == 1 ? Math.max(channels, 1) : parts.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = number(option, parts[parts.length == 1 ? 0 : i]);
    }
    return out;
  }

  /** {@code --labels}: a file with one label per line, or a comma-separated list. */
  static List<String> labels(String value, Configuration conf) {
    List<String> labels = new ArrayList<>();
    boolean isFile = !value.contains(",") && Storage.exists(new Path(value), conf);
    String[] parts = isFile ? Storage.readString(new Path(value), conf).split("\r?\n") : value.split(",");
    for (String p : parts) {
      if (!p.isBlank()) {
        labels.add(p.trim());
      }
    }
    if (labels.isEmpty()) {
      throw new BadInputException("--labels " + value + " lists no label");
    }
    if (labels.stream().distinct().count() != labels.size()) {
      throw new BadInputException("--labels " + value + " lists a label twice: " + labels);
    }
    return labels;
  }

  private static String requireFile(String option, String path, Configuration conf) {
    if (path == null || !Storage.exists(new Path(path), conf)) {
      throw new BadInputException(option + " " + path + " does not exist");
    }
    return Storage.readString(new Path(path), conf);
  }

  private static void write(Path file, byte[] bytes, Configuration conf) {
    try (var out = Storage.fs(file, conf).create(file, false)) {
      out.write(bytes);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot write " + file, e);
    }
  }

  private static List<Long> shape(TensorInfo t) {
    List<Long> out = new ArrayList<>();
    for (long d : t.getShape()) {
      out.add(d);
    }
    return out;
  }

  private static String render(List<Long> shape) {
    List<String> dims = new ArrayList<>();
    for (Long d : shape) {
      dims.add(d < 0 ? "N" : d.toString());
    }
    return "[" + String.join(", ", dims) + "]";
  }

  private static List<Double> boxed(double[] v) {
    return Arrays.stream(v).boxed().toList();
  }

  private static String firstLine(String s) {
    return s == null ? "" : s.split("\n")[0];
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
