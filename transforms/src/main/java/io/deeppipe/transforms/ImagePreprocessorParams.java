package io.deeppipe.transforms;

import io.deeppipe.transforms.image.Resizer;
import io.deeppipe.transforms.ml.ParamChecks;
import java.io.Serializable;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;

/**
 * The Params of {@link ImagePreprocessor} and {@link ImagePreprocessorModel}, declared once here
 * with doc, default and validator; {@code ingest-images}' options and conf keys derive from them.
 */
public interface ImagePreprocessorParams extends Params {
  int MAX_SIDE = 8192;

  /** The Param objects of one stage. */
  final class Declared implements Serializable {
    final Param<String> inputCol;
    final Param<String> pathCol;
    final Param<String> labelCol;
    final IntParam height;
    final IntParam width;
    final IntParam channels;
    final Param<String> resizeMode;
    final LongParam maxPixels;

    Declared(Params owner) {
      inputCol = new Param<>(owner, "inputCol", "Column of the file's bytes (binary), as Spark's binaryFile source gives.",
          ParamChecks.nonBlank("inputCol"));
      pathCol = new Param<>(owner, "pathCol", "Column of the file's path (string); copied to source.",
          ParamChecks.nonBlank("pathCol"));
      labelCol = new Param<>(owner, "labelCol", "Column of the label (a string); absent = unlabelled.",
          ParamChecks.nonBlank("labelCol"));
      height = new IntParam(owner, "height", "Output height in pixels.", ParamChecks.intRange("height", 1, MAX_SIDE));
      width = new IntParam(owner, "width", "Output width in pixels.", ParamChecks.intRange("width", 1, MAX_SIDE));
      channels = new IntParam(owner, "channels", "1 = grayscale (BT.601 luma), 3 = RGB.",
          ParamChecks.check("channels", "1 or 3", v -> (Integer) v == 1 || (Integer) v == 3));
      resizeMode = new Param<>(owner, "resizeMode",
          "crop (scale the shorter side, centre-crop), pad (letterbox on black) or stretch.",
          ParamChecks.oneOf("resizeMode", ParamChecks.names(Resizer.Mode.class)));
      maxPixels = new LongParam(owner, "maxPixels",
          "Refuse images whose header declares more pixels (decompression bombs).", ParamChecks.longAtLeast("maxPixels", 1));
      owner.setDefault(inputCol, "content");
      owner.setDefault(pathCol, "path");
      owner.setDefault(labelCol, "label");
      owner.setDefault(height, 224);
      owner.setDefault(width, 224);
      owner.setDefault(channels, 3);
      owner.setDefault(resizeMode, "crop");
      owner.setDefault(maxPixels, 100_000_000L);
    }
  }

  /** This stage's Params (not itself a Param: Spark finds Params by their accessor methods). */
  Declared declared();

  default Param<String> inputCol() { return declared().inputCol; }

  default Param<String> pathCol() { return declared().pathCol; }

  default Param<String> labelCol() { return declared().labelCol; }

  default IntParam height() { return declared().height; }

  default IntParam width() { return declared().width; }

  default IntParam channels() { return declared().channels; }

  default Param<String> resizeMode() { return declared().resizeMode; }

  default LongParam maxPixels() { return declared().maxPixels; }

  default String getInputCol() { return getOrDefault(inputCol()); }

  default String getPathCol() { return getOrDefault(pathCol()); }

  default String getLabelCol() { return getOrDefault(labelCol()); }

  default int getHeight() { return (Integer) getOrDefault(height()); }

  default int getWidth() { return (Integer) getOrDefault(width()); }

  default int getChannels() { return (Integer) getOrDefault(channels()); }

  default Resizer.Mode getResizeMode() { return Resizer.Mode.parse(getOrDefault(resizeMode())); }

  default long getMaxPixels() { return (Long) getOrDefault(maxPixels()); }
}
