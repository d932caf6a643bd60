package io.deeppipe.models.nets;

import io.deeppipe.models.InputSpec;
import io.deeppipe.models.TrainOptions;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.nd4j.linalg.activations.Activation;

/**
 * Convolution (3x3, same padding) → ReLU → 2x2 max-pooling blocks, doubling the filters from 16,
 * until the feature map is at most 7 pixels on its shorter side (at most 5 blocks), then a dense
 * ReLU layer of {@code --hidden} units and a softmax. Input: normalised NCHW images.
 */
public final class CnnNetwork {
  private CnnNetwork() {}

  public static MultiLayerConfiguration build(InputSpec in, TrainOptions o) {
    var list = Layers.start(o);
    int side = Math.min(in.height(), in.width());
    int filters = 16;
    for (int block = 0; block < 5 && (block == 0 || side > 7) && side >= 2; block++) {
      list.layer(new ConvolutionLayer.Builder(3, 3).nOut(filters).convolutionMode(ConvolutionMode.Same)
              .activation(Activation.RELU).build())
          .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build());
      side /= 2;
      filters *= 2;
    }
    list.layer(Layers.dense(o.hidden(), o)).layer(Layers.softmax(in.classes()));
    list.setInputType(InputType.convolutional(in.height(), in.width(), in.channels()));
    return list.build();
  }
}
