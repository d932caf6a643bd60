package io.deeppipe.models;

import io.deeppipe.transforms.card.DatasetCard;

/** The architectures of the model zoo, and the dataset kinds each one trains on. */
public enum ModelType {
  MLP(true, true),
  CNN(false, true),
  LSTM(true, false),
  TRANSFORMER(true, false);

  private final boolean text;
  private final boolean image;

  ModelType(boolean text, boolean image) {
    this.text = text;
    this.image = image;
  }

  public boolean fits(String datasetKind) {
    return DatasetCard.KIND_TEXT.equals(datasetKind) ? text : DatasetCard.KIND_IMAGE.equals(datasetKind) && image;
  }

  public String optionName() {
    return io.deeppipe.transforms.Choices.name(this);
  }

  public static ModelType parse(String value) {
    return io.deeppipe.transforms.Choices.parse(ModelType.class, "--model", value);
  }
}
