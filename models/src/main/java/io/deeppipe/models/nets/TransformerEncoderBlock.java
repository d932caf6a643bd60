package io.deeppipe.models.nets;

import java.util.Map;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One pre-norm Transformer encoder block as a SameDiff layer (DL4J has self-attention but no
 * layer normalisation or residual block):
 *
 * <pre>
 *   n   = LayerNorm1(x)
 *   h   = x + MultiHeadAttention(queries = keys = n + P, values = n, mask)
 *   out = h + W2 · ReLU(W1 · LayerNorm2(h) + b1) + b2
 * </pre>
 *
 * on activations of shape [minibatch, width, time] (DL4J's NCW). The padding mask keeps attention
 * off padded tokens. P, fixed sinusoidal position encodings, enters the first block's queries and
 * keys only (position-infused attention, as in Shortformer). Measured on three fortunes categories:
 * post-norm blocks, or positions added to the residual stream that is later mean-pooled, left the
 * classifier near the majority class; this form trains as well as the LSTM.
 */
public class TransformerEncoderBlock extends SameDiffLayer {

  private int heads;
  private int feedForward;
  private boolean positional;
  private long width;
  private long timeSteps;

  /** For Jackson (model JSON). */
  public TransformerEncoderBlock() {}

  public TransformerEncoderBlock(int heads, int feedForward, boolean positional) {
    this.heads = heads;
    this.feedForward = feedForward;
    this.positional = positional;
    this.weightInit = WeightInit.XAVIER;
  }

  @Override
  public InputType getOutputType(int layerIndex, InputType inputType) {
    return InputType.recurrent(width, timeSteps);
  }

  @Override
  public void setNIn(InputType inputType, boolean override) {
    if (!(inputType instanceof InputType.InputTypeRecurrent r)) {
      throw new IllegalStateException("TransformerEncoderBlock needs recurrent input, got " + inputType);
    }
    if (width == 0 || override) {
      width = r.getSize();
      timeSteps = r.getTimeSeriesLength();
    }
  }

  @Override
  public void defineParameters(SDLayerParams params) {
    long headSize = width / heads;
    params.addWeightParam("Wq", heads, headSize, width);
    params.addWeightParam("Wk", heads, headSize, width);
    params.addWeightParam("Wv", heads, headSize, width);
    params.addWeightParam("Wo", heads * headSize, width);
    params.addWeightParam("W1", width, feedForward);
    params.addBiasParam("b1", feedForward);
    params.addWeightParam("W2", feedForward, width);
    params.addBiasParam("b2", width);
    params.addWeightParam("gain1", width);
    params.addBiasParam("bias1", width);
    params.addWeightParam("gain2", width);
    params.addBiasParam("bias2", width);
  }

  @Override
  public void initializeParameters(Map<String, INDArray> params) {
    for (Map.Entry<String, INDArray> e : params.entrySet()) {
      INDArray p = e.getValue();
      String name = e.getKey();
      if (name.startsWith("gain")) {
        p.assign(1);
      } else if (name.startsWith("b")) {
        p.assign(0);
      } else {
        long fanOut = p.size(p.rank() - 1);
        long fanIn = p.length() / fanOut;
        initWeights((int) fanIn, (int) fanOut, WeightInit.XAVIER, p);
      }
    }
  }

  @Override
  public SDVariable defineLayer(SameDiff sd, SDVariable x, Map<String, SDVariable> p, SDVariable mask) {
    SDVariable in = x;
    SDVariable normed = sd.nn.layerNorm(in, p.get("gain1"), p.get("bias1"), true, 1);
    // positions go into the queries and keys only (position-infused attention, as in Shortformer):
    // attention can use order, while the residual stream that is pooled carries tokens alone
    SDVariable located = positional ? normed.add(sd.constant(positions(width, timeSteps, x.dataType()))) : normed;
    SDVariable attention = sd.nn.multiHeadDotProductAttention(
        located, located, normed, p.get("Wq"), p.get("Wk"), p.get("Wv"), p.get("Wo"), mask, true);
    SDVariable h = in.add(attention);
    // position-wise feed-forward on [mb*T, width] rows, then back to [mb, width, T]
    SDVariable rows = sd.reshape(sd.permute(sd.nn.layerNorm(h, p.get("gain2"), p.get("bias2"), true, 1), 0, 2, 1), -1, width);
    SDVariable f = sd.nn.relu(sd.mmul(rows, p.get("W1")).add(p.get("b1")), 0);
    f = sd.mmul(f, p.get("W2")).add(p.get("b2"));
    return h.add(sd.permute(sd.reshape(f, -1, timeSteps, width), 0, 2, 1));
  }

  /** Sinusoidal position encodings, shape [1, width, time]. */
  static INDArray positions(long width, long time, DataType type) {
    INDArray pe = Nd4j.create(DataType.DOUBLE, 1, width, time);
    for (long t = 0; t < time; t++) {
      for (long i = 0; i < width; i++) {
        double angle = t / Math.pow(10_000, (2 * (i / 2)) / (double) width);
        pe.putScalar(new long[] {0, i, t}, i % 2 == 0 ? Math.sin(angle) : Math.cos(angle));
      }
    }
    return pe.castTo(type);
  }

  public int getHeads() {
    return heads;
  }

  public void setHeads(int heads) {
    this.heads = heads;
  }

  public int getFeedForward() {
    return feedForward;
  }

  public void setFeedForward(int feedForward) {
    this.feedForward = feedForward;
  }

  public boolean isPositional() {
    return positional;
  }

  public void setPositional(boolean positional) {
    this.positional = positional;
  }

  public long getWidth() {
    return width;
  }

  public void setWidth(long width) {
    this.width = width;
  }

  public long getTimeSteps() {
    return timeSteps;
  }

  public void setTimeSteps(long timeSteps) {
    this.timeSteps = timeSteps;
  }
}
