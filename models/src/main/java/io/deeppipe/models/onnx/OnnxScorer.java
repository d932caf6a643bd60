package io.deeppipe.models.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.deeppipe.models.InputSpec;
import io.deeppipe.transforms.card.ModelCard;
import io.deeppipe.transforms.card.OnnxSpec;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.spark.sql.Row;

/**
 * Scores minibatches of dataset rows with an imported ONNX model under its card's input contract:
 * image rows' HWC bytes become {@code (v * scale - mean[c]) / std[c]} in the contract's layout,
 * text rows' {@code token_ids} become int64 or int32 ids; logits get a softmax. Serializable: it
 * travels to the executors, where the model bytes (a broadcast) become one session per JVM.
 */
public final class OnnxScorer implements Serializable {
  /** Where the model file's bytes come from on an executor (a broadcast) or the driver. */
  public interface ModelBytes extends Supplier<byte[]>, Serializable {}

  private final OnnxSpec spec;
  /** The input: text (its maxLength) or images (height, width, channels); and the classes. */
  private final InputSpec contract;
  private final ModelBytes bytes;
  private transient volatile float[][] normalised;

  public OnnxScorer(ModelCard card, ModelBytes bytes) {
    this(card.onnx(), InputSpec.of(card), bytes);
  }

  public OnnxScorer(OnnxSpec spec, InputSpec input, ModelBytes bytes) {
    this.spec = spec;
    this.contract = input;
    this.bytes = bytes;
  }

  /** Class probabilities of {@code rows} (the input column first), {@code [rows × classes]} row-major. */
  public double[] probabilities(List<Row> rows) {
    OrtSession session = OnnxSessions.get(spec.sha256(), bytes);
    return run(session, rows);
  }

  double[] run(OrtSession session, List<Row> rows) {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OnnxTensor input = tensor(env, rows);
        OrtSession.Result result = session.run(Map.of(spec.inputName(), input), java.util.Set.of(spec.outputName()))) {
      OnnxValue out = result.get(0);
      float[] values = floats((OnnxTensor) out);
      int classes = contract.classes();
      if (values.length != rows.size() * classes) {
        throw new IllegalStateException("ONNX output " + spec.outputName() + " has " + values.length + " values for "
            + rows.size() + " rows, expected " + classes + " per row");
      }
      return "logits".equals(spec.outputs()) ? softmax(values, classes) : toDouble(values);
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX Runtime failed to score a batch: " + e.getMessage(), e);
    }
  }

  /** The contract's input tensor for {@code rows}. */
  OnnxTensor tensor(OrtEnvironment env, List<Row> rows) throws OrtException {
    int n = rows.size();
    if (contract.isText()) {
      int maxLength = contract.maxLength();
      long[] shape = {n, maxLength};
      if ("int32".equals(spec.inputType())) {
        int[] ids = new int[n * maxLength];
        for (int i = 0; i < n; i++) {
          List<Integer> tokens = rows.get(i).getList(0);
          for (int j = 0; j < maxLength; j++) {
            ids[i * maxLength + j] = tokens.get(j);
          }
        }
        return OnnxTensor.createTensor(env, IntBuffer.wrap(ids), shape);
      }
      long[] ids = new long[n * maxLength];
      for (int i = 0; i < n; i++) {
        List<Integer> tokens = rows.get(i).getList(0);
        for (int j = 0; j < maxLength; j++) {
          ids[i * maxLength + j] = tokens.get(j);
        }
      }
      return OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape);
    }
    int h = contract.height();
    int w = contract.width();
    int c = contract.channels();
    int hw = h * w;
    boolean chw = "nchw".equals(spec.layout());
    long[] shape = switch (spec.layout()) {
      case "nchw" -> new long[] {n, c, h, w};
      case "nhwc" -> new long[] {n, h, w, c};
      default -> new long[] {n, (long) hw * c};
    };
    if ("uint8".equals(spec.inputType())) {
      ByteBuffer x = ByteBuffer.allocateDirect(n * hw * c); // the graph normalises: the stored bytes go in
      for (int i = 0; i < n; i++) {
        byte[] img = (byte[]) rows.get(i).get(0);
        int base = i * hw * c;
        for (int p = 0; p < hw; p++) {
          for (int k = 0; k < c; k++) {
            x.put(base + (chw ? k * hw + p : p * c + k), img[p * c + k]);
          }
        }
      }
      return OnnxTensor.createTensor(env, x, shape, OnnxJavaType.UINT8);
    }
    float[][] table = normalisedBytes();
    float[] x = new float[n * hw * c];
    for (int i = 0; i < n; i++) {
      byte[] img = (byte[]) rows.get(i).get(0);
      int base = i * hw * c;
      for (int p = 0; p < hw; p++) {
        for (int k = 0; k < c; k++) {
          x[base + (chw ? k * hw + p : p * c + k)] = table[k][img[p * c + k] & 0xFF];
        }
      }
    }
    return OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
  }

  /** Per channel, the model input of each byte value: {@code (v * scale - mean[c]) / std[c]}. */
  private float[][] normalisedBytes() {
    if (normalised == null) {
      float[][] table = new float[contract.channels()][256];
      for (int k = 0; k < table.length; k++) {
        for (int v = 0; v < 256; v++) {
          table[k][v] = (float) ((v * spec.scale() - spec.mean().get(k)) / spec.std().get(k));
        }
      }
      normalised = table;
    }
    return normalised;
  }

  private static float[] floats(OnnxTensor t) {
    return switch (t.getInfo().type) {
      case FLOAT -> {
        FloatBuffer b = t.getFloatBuffer();
        float[] out = new float[b.remaining()];
        b.get(out);
        yield out;
      }
      case DOUBLE -> {
        java.nio.DoubleBuffer b = t.getDoubleBuffer();
        double[] d = new double[b.remaining()];
        b.get(d);
        float[] out = new float[d.length];
        for (int i = 0; i < d.length; i++) {
          out[i] = (float) d[i];
        }
        yield out;
      }
      default -> throw new IllegalStateException("ONNX output is " + t.getInfo().type + ", expected float");
    };
  }

  /** Row-wise softmax, computed in double after subtracting each row's maximum (no overflow). */
  static double[] softmax(float[] logits, int k) {
    double[] out = new double[logits.length];
    for (int r = 0; r < logits.length / k; r++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < k; j++) {
        max = Math.max(max, logits[r * k + j]);
      }
      double sum = 0;
      for (int j = 0; j < k; j++) {
        out[r * k + j] = Math.exp(logits[r * k + j] - max);
        sum += out[r * k + j];
      }
      for (int j = 0; j < k; j++) {
        out[r * k + j] /= sum;
      }
    }
    return out;
  }

  private static double[] toDouble(float[] v) {
    double[] out = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i];
    }
    return out;
  }
}
