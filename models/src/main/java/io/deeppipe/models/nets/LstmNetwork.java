package io.deeppipe.models.nets;

import io.deeppipe.models.InputSpec;
import io.deeppipe.models.TrainOptions;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional;
import org.nd4j.linalg.activations.Activation;

/**
 * Token embedding → bidirectional LSTM ({@code --hidden} units each way, {@code --layers} deep) →
 * max-pooling over the non-padding time steps (the feature mask carries the padding through) →
 * softmax.
 */
public final class LstmNetwork {
  private LstmNetwork() {}

  public static MultiLayerConfiguration build(InputSpec in, TrainOptions o) {
    var list = Layers.start(o).layer(Layers.embedding(in.vocabSize(), o.embedding(), in.maxLength()));
    for (int i = 0; i < o.layers(); i++) {
      list.layer(new Bidirectional(Bidirectional.Mode.CONCAT,
          new LSTM.Builder().nOut(o.hidden()).activation(Activation.TANH).build()));
    }
    list.layer(new GlobalPoolingLayer.Builder(PoolingType.MAX).build()).layer(Layers.softmax(in.classes()));
    list.setInputType(InputType.recurrent(in.vocabSize(), in.maxLength()));
    return list.build();
  }
}
