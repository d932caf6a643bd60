package io.deeppipe.models.nets;

import io.deeppipe.models.InputSpec;
import io.deeppipe.models.TrainOptions;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;

/**
 * A Transformer encoder classifier: token embedding ({@code --embedding} = model width),
 * {@code --layers} pre-norm encoder blocks (multi-head self-attention with {@code --heads} heads and
 * fixed sinusoidal positions, feed-forward of {@code --hidden} units, residuals and layer
 * normalisation — {@link TransformerEncoderBlock}), mean pooling over the non-padding tokens, a
 * dense ReLU layer, softmax.
 */
public final class TransformerNetwork {
  private TransformerNetwork() {}

  public static MultiLayerConfiguration build(InputSpec in, TrainOptions o) {
    var list = Layers.start(o).layer(Layers.embedding(in.vocabSize(), o.embedding(), in.maxLength()));
    for (int i = 0; i < o.layers(); i++) {
      list.layer(new TransformerEncoderBlock(o.heads(), o.hidden(), i == 0));
    }
    list.layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build())
        .layer(Layers.dense(o.hidden(), o))
        .layer(Layers.softmax(in.classes()));
    list.setInputType(InputType.recurrent(in.vocabSize(), in.maxLength()));
    return list.build();
  }
}
