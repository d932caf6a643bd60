package io.deeppipe.models.onnx;

import io.deeppipe.models.onnx.OnnxImport.ImageContract;
import io.deeppipe.models.onnx.OnnxImport.Layout;
import io.deeppipe.models.onnx.OnnxImport.Outputs;
import io.deeppipe.models.onnx.OnnxImport.TextContract;
import io.deeppipe.transforms.image.Resizer;
import io.deeppipe.transforms.testing.TestData;
import io.deeppipe.transforms.text.Tokenizer;
import io.deeppipe.transforms.text.Vocabulary;
import java.nio.file.Path;

/**
 * The committed ONNX fixtures (models/src/test/resources/onnx, made by
 * models/src/test/python/make_onnx_fixtures.py with PyTorch) and their import contracts.
 */
public final class OnnxFixtures {
  public static final String DIGITS = "0,1,2,3,4,5,6,7,8,9";

  private OnnxFixtures() {}

  public static Path file(String name) {
    return TestData.projectRoot().resolve("models/src/test/resources/onnx").resolve(name);
  }

  /** The MLP: flat HWC pixels v/255, logits. */
  public static OnnxImport.Options mlp(String output) {
    return new OnnxImport.Options(file("mnist-mlp.onnx").toString(), DIGITS, output, false, null, Outputs.LOGITS,
        image(28, Layout.FLAT, 1.0 / 255, 0, 1), null);
  }

  /** The CNN: NCHW, (v/255 - 0.1307) / 0.3081, probabilities. */
  public static OnnxImport.Options cnn(String output) {
    return new OnnxImport.Options(file("mnist-cnn.onnx").toString(), DIGITS, output, false, null,
        Outputs.PROBABILITIES, image(28, Layout.NCHW, 1.0 / 255, 0.1307, 0.3081), null);
  }

  /** The text classifier (int64 or int32 ids), 32 tokens of the word tokenizer, lower-cased. */
  public static OnnxImport.Options text(String onnxFile, String output) {
    return new OnnxImport.Options(file(onnxFile).toString(), "computers,science", output, false, null, Outputs.LOGITS,
        null, new TextContract(file("fortunes-vocab.txt").toString(), 32, Tokenizer.WORD, true, false,
            Vocabulary.Truncation.END));
  }

  public static ImageContract image(int size, Layout layout, double scale, double mean, double std) {
    return new ImageContract(size, size, 1, layout, scale, new double[] {mean}, new double[] {std}, Resizer.Mode.CROP,
        100_000_000L);
  }
}
