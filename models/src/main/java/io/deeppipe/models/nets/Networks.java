package io.deeppipe.models.nets;

import io.deeppipe.models.InputSpec;
import io.deeppipe.models.ModelType;
import io.deeppipe.models.TrainOptions;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;

/** Picks the builder for a model type. */
public final class Networks {
  private Networks() {}

  public static MultiLayerConfiguration build(ModelType type, InputSpec in, TrainOptions o) {
    if (!type.fits(in.kind())) {
      throw new IllegalArgumentException(
          "--model " + type.optionName() + " does not fit a " + in.kind() + " dataset (text: mlp, lstm, transformer;"
              + " image: mlp, cnn)");
    }
    return switch (type) {
      case MLP -> MlpNetwork.build(in, o);
      case CNN -> CnnNetwork.build(in, o);
      case LSTM -> LstmNetwork.build(in, o);
      case TRANSFORMER -> TransformerNetwork.build(in, o);
    };
  }
}
