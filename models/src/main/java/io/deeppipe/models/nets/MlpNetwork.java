package io.deeppipe.models.nets;

import io.deeppipe.models.InputSpec;
import io.deeppipe.models.TrainOptions;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;

/**
 * The classic dense classifier: two ReLU hidden layers of {@code --hidden} units and a softmax.
 * Images enter as flattened normalised pixels; text as the <em>mean token embedding</em> (an
 * embedding of {@code --embedding} dimensions averaged over the non-padding tokens), which keeps the
 * input small whatever the vocabulary size, unlike a bag of ids.
 */
public final class MlpNetwork {
  private MlpNetwork() {}

  public static MultiLayerConfiguration build(InputSpec in, TrainOptions o) {
    var list = Layers.start(o);
    if (in.isText()) {
      list.layer(Layers.embedding(in.vocabSize(), o.embedding(), in.maxLength()))
          .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build());
    }
    list.layer(Layers.dense(o.hidden(), o)).layer(Layers.dense(o.hidden(), o)).layer(Layers.softmax(in.classes()));
    list.setInputType(
        in.isText() ? InputType.recurrent(in.vocabSize(), in.maxLength()) : InputType.feedForward(in.pixels()));
    return list.build();
  }
}
