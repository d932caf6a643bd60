package io.deeppipe.models;

import io.deeppipe.transforms.card.DatasetCard;
import io.deeppipe.transforms.card.ImageSpec;
import io.deeppipe.transforms.card.ModelCard;
import io.deeppipe.transforms.card.TextSpec;
import java.io.Serializable;
import java.util.List;

/**
 * What a network's input and output look like, taken from a card (dataset or model): the kind,
 * the number of classes, and the tensor facts (vocabulary and length, or H, W, C and the
 * per-channel normalisation).
 */
public record InputSpec(
    String kind, int classes, int vocabSize, int maxLength, int height, int width, int channels,
    double[] mean, double[] std) implements Serializable {

  public static InputSpec of(DatasetCard card) {
    return of(card.kind(), card.labels(), card.text(), card.image());
  }

  public static InputSpec of(ModelCard card) {
    return of(card.datasetKind(), card.labels(), card.text(), card.image());
  }

  static InputSpec of(String kind, List<String> labels, TextSpec text, ImageSpec image) {
    if (DatasetCard.KIND_TEXT.equals(kind)) {
      return new InputSpec(kind, labels.size(), text.vocabSize(), text.maxLength(), 0, 0, 0, null, null);
    }
    double[] mean = image.mean().stream().mapToDouble(Double::doubleValue).toArray();
    double[] std = image.std().stream().mapToDouble(d -> Math.max(d, 1e-6)).toArray();
    return new InputSpec(kind, labels.size(), 0, 0, image.height(), image.width(), image.channels(), mean, std);
  }

  public boolean isText() {
    return DatasetCard.KIND_TEXT.equals(kind);
  }

  /** Pixels per image, all channels. */
  public int pixels() {
    return height * width * channels;
  }

  /** The input shape without the minibatch dimension, as the model card records it. */
  public List<Integer> shape(ModelType type) {
    if (isText()) {
      return List.of(maxLength);
    }
    return type == ModelType.CNN ? List.of(channels, height, width) : List.of(pixels());
  }
}
