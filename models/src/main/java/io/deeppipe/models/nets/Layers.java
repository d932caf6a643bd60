package io.deeppipe.models.nets;

import io.deeppipe.models.TrainOptions;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** The pieces every builder shares: global settings, dense blocks, the token embedding, the softmax head. */
final class Layers {
  private Layers() {}

  static NeuralNetConfiguration.ListBuilder start(TrainOptions o) {
    return new NeuralNetConfiguration.Builder()
        .seed(o.seed())
        .updater(updater(o))
        .l2(o.l2())
        .weightInit(WeightInit.XAVIER)
        .list();
  }

  static IUpdater updater(TrainOptions o) {
    return switch (o.updater()) {
      case ADAM -> new Adam(o.learningRate());
      case SGD -> new Sgd(o.learningRate());
      case NESTEROVS -> new Nesterovs(o.learningRate(), 0.9);
      case RMSPROP -> new RmsProp(o.learningRate());
    };
  }

  static DenseLayer dense(int nOut, TrainOptions o) {
    DenseLayer.Builder b = new DenseLayer.Builder().nOut(nOut).activation(Activation.RELU);
    if (o.dropout() > 0) {
      b.dropOut(1 - o.dropout()); // DL4J takes the probability of keeping an activation
    }
    return b.build();
  }

  static EmbeddingSequenceLayer embedding(int vocab, int dim, int length) {
    return new EmbeddingSequenceLayer.Builder().nIn(vocab).nOut(dim).inputLength(length).hasBias(false).build();
  }

  static OutputLayer softmax(int classes) {
    return new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
        .nOut(classes)
        .activation(Activation.SOFTMAX)
        .build();
  }
}
