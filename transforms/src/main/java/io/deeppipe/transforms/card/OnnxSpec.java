package io.deeppipe.transforms.card;

import java.io.Serializable;
import java.util.List;

/**
 * The input contract of an imported ONNX model ({@code model.json}'s {@code onnx} block): which
 * graph input it feeds and how, and the SHA-256 of {@code model.onnx} so a changed file is
 * refused. Images are the dataset's HWC bytes turned into {@code (v * scale - mean[c]) / std[c]}
 * laid out as {@code layout}; text is the token ids as {@code inputType}.
 */
public record OnnxSpec(
    String file,
    String sha256,
    String inputName,
    String inputType,
    String layout,
    double scale,
    List<Double> mean,
    List<Double> std,
    String outputName,
    String outputs)
    implements Serializable {

  public static final String FILE_NAME = "model.onnx";
  /** {@link ModelCard#model()} of an imported ONNX model. */
  public static final String KIND = "onnx";
}
