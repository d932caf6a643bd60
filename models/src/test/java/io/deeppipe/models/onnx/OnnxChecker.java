package io.deeppipe.models.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Runtimes outside the JVM: the reference checker, Debian's {@code python3-onnx} under
 * {@code /usr/bin/python3} (full shape inference, and the IR version and opset the export
 * promises), and npm's {@code onnxruntime-node} (both installed by bin/test, the latter under
 * {@code target/onnxruntime-node}).
 */
public final class OnnxChecker {
  private static final String SCRIPT = String.join("\n",
      "import sys, onnx",
      "m = onnx.load(sys.argv[1])",
      "onnx.checker.check_model(m, full_check=True)",
      "print(m.ir_version, [o.version for o in m.opset_import if o.domain in ('', 'ai.onnx')][0])");

  private OnnxChecker() {}

  public static void check(Path file) throws Exception {
    Process p = new ProcessBuilder("/usr/bin/python3", "-c", SCRIPT, file.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("onnx.checker on " + file + ":\n" + out).isZero();
    assertThat(out.trim()).isEqualTo(OnnxExport.IR_VERSION + " " + OnnxExport.OPSET);
  }

  /** The model's first output for one input, computed by onnxruntime-node. */
  public static double[][] nodeProbabilities(Path model, String input, String type, long[] dims, byte[] littleEndian)
      throws Exception {
    Path root = io.deeppipe.transforms.testing.TestData.projectRoot();
    Path modules = root.resolve("target/onnxruntime-node/node_modules");
    assertThat(modules.resolve("onnxruntime-node")).as("bin/test installs onnxruntime-node under target/").exists();
    Path data = java.nio.file.Files.createTempFile(model.getParent(), "input", ".bin");
    java.nio.file.Files.write(data, littleEndian);
    StringBuilder shape = new StringBuilder();
    for (long d : dims) {
      shape.append(shape.length() == 0 ? "" : ",").append(d);
    }
    ProcessBuilder pb = new ProcessBuilder("node", root.resolve("models/src/test/node/score-onnx.js").toString(),
        model.toString(), input, type, shape.toString(), data.toString());
    pb.environment().put("NODE_PATH", modules.toString());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("onnxruntime-node on " + model + ":\n" + err).isZero();
    var rows = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out).get("probabilities");
    double[][] result = new double[rows.size()][];
    for (int i = 0; i < rows.size(); i++) {
      result[i] = new double[rows.get(i).size()];
      for (int j = 0; j < result[i].length; j++) {
        result[i][j] = rows.get(i).get(j).asDouble();
      }
    }
    return result;
  }
}
