package io.deeppipe.models.onnx;

import io.deeppipe.models.train.ModelDir;
import io.deeppipe.transforms.card.BadInputException;
import io.deeppipe.transforms.card.Cards;
import io.deeppipe.transforms.card.ModelCard;
import io.deeppipe.transforms.card.OnnxSpec;
import io.deeppipe.transforms.io.Storage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import onnx.Onnx;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.protobuf.ByteString;

/**
 * {@code export-onnx}: writes a trained model as one ONNX file that needs nothing of this project.
 * An image model takes what the dataset stores, uint8 {@code [N, H, W, C]}, and normalises inside
 * the graph ({@code (v - 255·mean[c]) / (255·std[c])}, the card's statistics); a text model takes
 * the token ids {@code [N, max_length]} ({@code [PAD]} = 0 is masked out of the average, as DL4J's
 * mask does). The graph's only output is {@code probabilities [N, classes]}; the batch dimension is
 * symbolic. IR version 8, opset 13, so that older runtimes and Debian's onnx 1.12 checker accept
 * it. Labels, the dataset fingerprint and the preprocessing go into {@code metadata_props}.
 * Only layers with an exact ONNX counterpart are exported; any other is refused by name.
 */
public final class OnnxExport {
  public static final int IR_VERSION = 8;
  public static final int OPSET = 13;
  public static final String OUTPUT = "probabilities";

  private OnnxExport() {}

  /** Checks the model and the output (nothing written); returns the ONNX model's bytes. */
  public static byte[] build(String modelDir, Configuration conf) {
    ModelCard card = Cards.readModel(new Path(modelDir), conf);
    if (OnnxSpec.KIND.equals(card.model())) {
      throw new BadInputException("--model " + modelDir + " is an imported ONNX model: its " + OnnxSpec.FILE_NAME
          + " is already the export");
    }
    Path zip = new Path(modelDir, ModelDir.MODEL);
    if (!Storage.exists(zip, conf)) {
      throw new BadInputException("model " + modelDir + " has no " + ModelDir.MODEL);
    }
    byte[] bytes = Storage.readBytes(zip, conf);
    ModelDir.checkArchive(bytes, zip.toString());
    MultiLayerNetwork net;
    try {
      net = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(bytes), false);
    } catch (IOException | RuntimeException e) {
      throw new BadInputException(zip + " is not a readable DL4J model", e);
    }
    return toOnnx(net, card).toByteArray();
  }

  /** Writes {@code file} (under a temporary name, then renamed). */
  public static void run(String modelDir, String file, boolean overwrite, Configuration conf) {
    io.deeppipe.transforms.io.DatasetWriter.checkWritable(new Path(file), overwrite, conf);
    byte[] model = build(modelDir, conf);
    Path target = new Path(file);
    Path staged = Storage.temporarySibling(target);
    try (var out = Storage.fs(staged, conf).create(staged, false)) {
      out.write(model);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot write " + staged, e);
    }
    try {
      Storage.publish(staged, target, overwrite, conf);
    } finally {
      Storage.deleteQuietly(staged, conf);
    }
  }

  static Onnx.ModelProto toOnnx(MultiLayerNetwork net, ModelCard card) {
    Graph g = new Graph();
    String x;
    if (card.text() != null) {
      int t = card.text().maxLength();
      g.input("token_ids", Onnx.TensorProto.DataType.INT64, List.of(-1L, (long) t));
      x = "token_ids";
    } else {
      var im = card.image();
      g.input("image", Onnx.TensorProto.DataType.UINT8, List.of(-1L, (long) im.height(), (long) im.width(),
          (long) im.channels()));
      float[] shift = new float[im.channels()];
      float[] scale = new float[im.channels()];
      for (int c = 0; c < shift.length; c++) {
        shift[c] = (float) (255 * im.mean().get(c));
        scale[c] = (float) (255 * Math.max(im.std().get(c), 1e-6)); // the floor InputSpec applies
      }
      String f = g.node("Cast", List.of("image"), Map.of("to", (long) Onnx.TensorProto.DataType.FLOAT_VALUE));
      f = g.node("Sub", List.of(f, g.floats("mean_255", new long[] {shift.length}, shift)), Map.of());
      x = g.node("Div", List.of(f, g.floats("std_255", new long[] {scale.length}, scale)), Map.of());
      boolean cnn = net.getLayerWiseConfigurations().getConf(0).getLayer() instanceof ConvolutionLayer;
      x = cnn
          ? g.node("Transpose", List.of(x), Map.of("perm", new long[] {0, 3, 1, 2}))
          : g.node("Reshape", List.of(x, g.longs("flat_shape", new long[] {0, -1})), Map.of());
    }
    String ids = card.text() != null ? "token_ids" : null;
    for (int i = 0; i < net.getnLayers(); i++) {
      Layer layer = net.getLayerWiseConfigurations().getConf(i).getLayer();
      InputPreProcessor pre = net.getLayerWiseConfigurations().getInputPreProcess(i);
      boolean afterPooling = i > 0
          && net.getLayerWiseConfigurations().getConf(i - 1).getLayer() instanceof GlobalPoolingLayer;
      if (pre instanceof org.deeplearning4j.nn.conf.preprocessor.RnnToFeedForwardPreProcessor && afterPooling) {
        // a no-op: global pooling already gave [N, E]
      } else if (pre instanceof CnnToFeedForwardPreProcessor) {
        x = g.node("Flatten", List.of(x), Map.of("axis", 1L)); // NCHW, C-order: DL4J's own flattening
      } else if (pre != null && !(layer instanceof EmbeddingSequenceLayer) && !(layer instanceof GlobalPoolingLayer)) {
        throw refused(i, layer, "its input preprocessor " + pre.getClass().getSimpleName());
      }
      String name = "l" + i;
      if (layer instanceof DenseLayer || layer instanceof OutputLayer) {
        x = g.node("Gemm", List.of(x, g.param(name + "_W", net.getLayer(i).getParam("W")),
            g.param(name + "_b", net.getLayer(i).getParam("b").reshape(-1))), Map.of());
        x = activation(g, x, ((BaseLayer) layer).getActivationFn(), i, layer);
      } else if (layer instanceof ConvolutionLayer c && c.getClass() == ConvolutionLayer.class) {
        long[] pads = pads(c.getConvolutionMode(), c.getKernelSize(), c.getStride(), c.getPadding(), c.getDilation(), i, c);
        List<String> in = new ArrayList<>(List.of(x, g.param(name + "_W", net.getLayer(i).getParam("W"))));
        if (c.hasBias()) {
          in.add(g.param(name + "_b", net.getLayer(i).getParam("b").reshape(-1)));
        }
        x = g.node("Conv", in, Map.of("kernel_shape", toLongs(c.getKernelSize()), "strides", toLongs(c.getStride()),
            "pads", pads, "dilations", toLongs(c.getDilation())));
        x = activation(g, x, c.getActivationFn(), i, layer);
      } else if (layer instanceof SubsamplingLayer s && s.getClass() == SubsamplingLayer.class
          && (s.getPoolingType() == PoolingType.MAX || s.getPoolingType() == PoolingType.AVG)) {
        long[] pads = pads(s.getConvolutionMode(), s.getKernelSize(), s.getStride(), s.getPadding(), s.getDilation(), i, s);
        String op = s.getPoolingType() == PoolingType.MAX ? "MaxPool" : "AveragePool";
        x = g.node(op, List.of(x), Map.of("kernel_shape", toLongs(s.getKernelSize()), "strides",
            toLongs(s.getStride()), "pads", pads));
      } else if (layer instanceof EmbeddingSequenceLayer e && !e.hasBias() && ids != null) {
        x = g.node("Gather", List.of(g.param(name + "_W", net.getLayer(i).getParam("W")), x), Map.of()); // [N, T, E]
      } else if (layer instanceof GlobalPoolingLayer p && p.getPoolingType() == PoolingType.AVG && ids != null) {
        // the masked average: padding ([PAD] = 0) does not count, as DL4J's mask from `length`
        String mask = g.node("Cast", List.of(g.node("Not", List.of(g.node("Equal", List.of(ids,
            g.longs("pad_id", new long[] {0})), Map.of())), Map.of())), Map.of("to",
            (long) Onnx.TensorProto.DataType.FLOAT_VALUE));
        String sum = g.node("ReduceSum", List.of(g.node("Mul", List.of(x, g.node("Unsqueeze", List.of(mask,
            g.longs("axis2", new long[] {2})), Map.of())), Map.of()), g.longs("axis1", new long[] {1})),
            Map.of("keepdims", 0L));
        String count = g.node("ReduceSum", List.of(mask, g.longs("axis1b", new long[] {1})), Map.of("keepdims", 1L));
        count = g.node("Max", List.of(count, g.floats("one", new long[] {1}, new float[] {1f})), Map.of());
        x = g.node("Div", List.of(sum, count), Map.of());
      } else {
        throw refused(i, layer, "it");
      }
    }
    g.output(x, card.labels().size());
    Onnx.ModelProto.Builder model = Onnx.ModelProto.newBuilder()
        .setIrVersion(IR_VERSION)
        .setProducerName("deeppipe")
        .setDocString(card.model() + " trained on " + card.datasetPath())
        .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
        .setGraph(g.build(card.model()));
    meta(model, "labels", compactJson(card.labels()));
    meta(model, "dataset_fingerprint", String.valueOf(card.datasetFingerprint()));
    meta(model, "dataset_kind", card.datasetKind());
    meta(model, "model", card.model());
    meta(model, "preprocessing", compactJson(card.text() != null ? card.text() : card.image()));
    return model.build();
  }

  private static BadInputException refused(int i, Layer layer, String what) {
    return new BadInputException("export-onnx: layer " + i + " (" + layer.getClass().getSimpleName()
        + (layer.getLayerName() != null ? " '" + layer.getLayerName() + "'" : "") + "): " + what
        + " has no ONNX mapping in this exporter (it maps dense, output, convolution, max/avg pooling, embedding"
        + " and masked average pooling: the mlp and cnn models)");
  }

  private static String activation(Graph g, String x, IActivation fn, int i, Layer layer) {
    if (fn instanceof ActivationReLU) {
      return g.node("Relu", List.of(x), Map.of());
    }
    if (fn instanceof ActivationSoftmax) {
      return g.node("Softmax", List.of(x), Map.of("axis", 1L));
    }
    if (fn instanceof ActivationIdentity) {
      return x;
    }
    throw refused(i, layer, "its activation " + fn);
  }

  /** ONNX pads for DL4J's convolution modes (Same with stride 1 and an odd kernel is symmetric). */
  private static long[] pads(ConvolutionMode mode, int[] k, int[] s, int[] p, int[] d, int i, Layer layer) {
    if (mode == ConvolutionMode.Same) {
      if (s[0] != 1 || s[1] != 1 || k[0] % 2 == 0 || k[1] % 2 == 0 || d[0] != 1 || d[1] != 1) {
        throw refused(i, layer, "Same padding with stride " + s[0] + " and kernel " + k[0] + "x" + k[1]);
      }
      return new long[] {k[0] / 2, k[1] / 2, k[0] / 2, k[1] / 2};
    }
    if (mode == ConvolutionMode.Truncate || mode == ConvolutionMode.Strict) {
      return new long[] {p[0], p[1], p[0], p[1]};
    }
    throw refused(i, layer, "convolution mode " + mode);
  }

  private static long[] toLongs(int[] v) {
    long[] out = new long[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i];
    }
    return out;
  }

  private static String compactJson(Object value) {
    try {
      return io.deeppipe.transforms.card.Json.mapper().writer()
          .without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT).writeValueAsString(value);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void meta(Onnx.ModelProto.Builder model, String key, String value) {
    model.addMetadataProps(Onnx.StringStringEntryProto.newBuilder().setKey(key).setValue(value));
  }

  /** Nodes, initializers, one input and one output, named as they are added. */
  private static final class Graph {
    private final Onnx.GraphProto.Builder graph = Onnx.GraphProto.newBuilder();
    private int next;

    void input(String name, Onnx.TensorProto.DataType type, List<Long> dims) {
      graph.addInput(valueInfo(name, type, dims));
    }

    void output(String from, int classes) {
      graph.addNode(Onnx.NodeProto.newBuilder().setOpType("Identity").addInput(from).addOutput(OUTPUT)
          .setName("output"));
      graph.addOutput(valueInfo(OUTPUT, Onnx.TensorProto.DataType.FLOAT, List.of(-1L, (long) classes)));
    }

    Onnx.GraphProto build(String name) {
      return graph.setName(name).build();
    }

    String node(String op, List<String> inputs, Map<String, Object> attributes) {
      String out = op.toLowerCase(java.util.Locale.ROOT) + "_" + (next++);
      Onnx.NodeProto.Builder n = Onnx.NodeProto.newBuilder().setOpType(op).setName(out).addOutput(out);
      inputs.forEach(n::addInput);
      attributes.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
        Onnx.AttributeProto.Builder a = Onnx.AttributeProto.newBuilder().setName(e.getKey());
        if (e.getValue() instanceof Long v) {
          a.setType(Onnx.AttributeProto.AttributeType.INT).setI(v);
        } else {
          a.setType(Onnx.AttributeProto.AttributeType.INTS);
          for (long v : (long[]) e.getValue()) {
            a.addInts(v);
          }
        }
        n.addAttribute(a);
      });
      graph.addNode(n);
      return out;
    }

    String param(String name, INDArray value) {
      float[] data = value.dup('c').data().asFloat();
      return floats(name, value.shape(), data);
    }

    String floats(String name, long[] dims, float[] data) {
      ByteBuffer buf = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
      for (float f : data) {
        buf.putFloat(f);
      }
      return initializer(name, Onnx.TensorProto.DataType.FLOAT, dims, buf.array());
    }

    String longs(String name, long[] data) {
      ByteBuffer buf = ByteBuffer.allocate(data.length * 8).order(ByteOrder.LITTLE_ENDIAN);
      for (long v : data) {
        buf.putLong(v);
      }
      return initializer(name, Onnx.TensorProto.DataType.INT64, new long[] {data.length}, buf.array());
    }

    private String initializer(String name, Onnx.TensorProto.DataType type, long[] dims, byte[] raw) {
      Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(name).setRawData(ByteString.copyFrom(raw));
      setTypeField(t, "data_type", type);
      for (long d : dims) {
        t.addDims(d);
      }
      graph.addInitializer(t);
      return name;
    }

    private static Onnx.ValueInfoProto valueInfo(String name, Onnx.TensorProto.DataType type, List<Long> dims) {
      Onnx.TensorShapeProto.Builder shape = Onnx.TensorShapeProto.newBuilder();
      for (long d : dims) {
        shape.addDim(d < 0 ? Onnx.TensorShapeProto.Dimension.newBuilder().setDimParam("N")
            : Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
      }
      Onnx.TypeProto.Tensor.Builder tensor = Onnx.TypeProto.Tensor.newBuilder().setShape(shape);
      setTypeField(tensor, "elem_type", type);
      return Onnx.ValueInfoProto.newBuilder().setName(name).setType(Onnx.TypeProto.newBuilder().setTensorType(tensor))
          .build();
    }

    /**
     * Sets an element-type field by number: nd4j-api M2 generates it as an enum, M2.1 (the gpu
     * profile's core) as an int32, as onnx.proto declares it; the descriptor serves both.
     */
    private static void setTypeField(org.nd4j.shade.protobuf.Message.Builder b, String field,
        Onnx.TensorProto.DataType type) {
      var f = b.getDescriptorForType().findFieldByName(field);
      b.setField(f, f.getJavaType() == org.nd4j.shade.protobuf.Descriptors.FieldDescriptor.JavaType.ENUM
          ? f.getEnumType().findValueByNumber(type.getNumber()) : (Object) type.getNumber());
    }
  }
}
