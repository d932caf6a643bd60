package io.deeppipe.models.nets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deeppipe.models.Fixtures;
import io.deeppipe.models.InputSpec;
import io.deeppipe.models.ModelType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Random;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/** Every builder without Spark: shapes, parameter counts, that fitting lowers the loss, and a save/load round trip. */
class NetworksTest {
  private static InputSpec specFor(ModelType type) {
    return type == ModelType.CNN || type == ModelType.MLP && false
        ? Fixtures.image(12, 12, 3, 4)
        : type == ModelType.MLP ? Fixtures.image(6, 6, 1, 4) : Fixtures.text(30, 10, 4);
  }

  /** A learnable toy problem: the class decides which features (or tokens) are present. */
  private static DataSet toy(InputSpec spec, int n, long seed) {
    Random r = new Random(seed);
    INDArray labels = Nd4j.zeros(DataType.FLOAT, n, spec.classes());
    INDArray features;
    INDArray mask = null;
    if (spec.isText()) {
      features = Nd4j.zeros(DataType.FLOAT, n, spec.maxLength());
      mask = Nd4j.zeros(DataType.FLOAT, n, spec.maxLength());
      for (int i = 0; i < n; i++) {
        int c = i % spec.classes();
        labels.putScalar(i, c, 1);
        int len = 3 + r.nextInt(spec.maxLength() - 3);
        for (int t = 0; t < len; t++) {
          features.putScalar(i, t, r.nextInt(4) == 0 ? 3 + c : 3 + spec.classes() + r.nextInt(spec.vocabSize() - 3 - spec.classes()));
          mask.putScalar(i, t, 1);
        }
      }
    } else {
      long[] shape = spec.channels() == 3 ? new long[] {n, 3, spec.height(), spec.width()} : new long[] {n, spec.pixels()};
      features = Nd4j.rand(DataType.FLOAT, shape).muli(0.1);
      for (int i = 0; i < n; i++) {
        int c = i % spec.classes();
        labels.putScalar(i, c, 1);
        INDArray row = features.slice(i);
        row.addi(c); // the class shifts the whole image
      }
    }
    return new DataSet(features, labels, mask, null);
  }

  @ParameterizedTest
  @EnumSource(ModelType.class)
  void buildsFitsAndRoundTrips(ModelType type) throws Exception {
    InputSpec spec = specFor(type);
    MultiLayerNetwork net = new MultiLayerNetwork(Networks.build(type, spec, Fixtures.options(type)));
    net.init();
    assertThat(net.numParams()).isGreaterThan(100);
    DataSet data = toy(spec, 64, 1);
    INDArray out = net.output(data.getFeatures(), false, data.getFeaturesMaskArray(), null);
    assertThat(out.shape()).containsExactly(64, 4);
    assertThat(out.sum(1).getDouble(0)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));

    double before = net.score(data);
    for (int i = 0; i < 30; i++) {
      net.fit(data);
    }
    double after = net.score(data);
    assertThat(after).as(type + " loss").isLessThan(before * 0.8);

    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ModelSerializer.writeModel(net, bytes, true);
    MultiLayerNetwork back = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(bytes.toByteArray()), true);
    assertThat(back.params()).isEqualTo(net.params());
    assertThat(back.output(data.getFeatures(), false, data.getFeaturesMaskArray(), null))
        .isEqualTo(net.output(data.getFeatures(), false, data.getFeaturesMaskArray(), null));
  }

  @Test
  void transformerIgnoresPaddingAndKnowsPositions() {
    InputSpec spec = Fixtures.text(30, 10, 4);
    MultiLayerNetwork net = new MultiLayerNetwork(Networks.build(ModelType.TRANSFORMER, spec, Fixtures.options(ModelType.TRANSFORMER)));
    net.init();
    INDArray ids = Nd4j.createFromArray(new float[][] {{5, 6, 7, 0, 0, 0, 0, 0, 0, 0}});
    INDArray mask = Nd4j.createFromArray(new float[][] {{1, 1, 1, 0, 0, 0, 0, 0, 0, 0}});
    INDArray other = Nd4j.createFromArray(new float[][] {{5, 6, 7, 9, 9, 9, 9, 9, 9, 9}});
    // what sits under the mask does not change the prediction
    assertThat(net.output(other, false, mask, null)).isEqualTo(net.output(ids, false, mask, null));
    INDArray reversed = Nd4j.createFromArray(new float[][] {{7, 6, 5, 0, 0, 0, 0, 0, 0, 0}});
    assertThat(net.output(reversed, false, mask, null)).isNotEqualTo(net.output(ids, false, mask, null));
  }

  @Test
  void aModelThatDoesNotFitTheDatasetKindIsRefused() {
    assertThatThrownBy(() -> Networks.build(ModelType.CNN, Fixtures.text(30, 10, 2), Fixtures.options(ModelType.CNN)))
        .hasMessageContaining("--model cnn does not fit a text dataset");
    assertThatThrownBy(() -> Networks.build(ModelType.LSTM, Fixtures.image(8, 8, 1, 2), Fixtures.options(ModelType.LSTM)))
        .hasMessageContaining("--model lstm does not fit a image dataset");
  }
}
