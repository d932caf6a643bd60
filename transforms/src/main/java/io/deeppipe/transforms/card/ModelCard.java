package io.deeppipe.transforms.card;

import java.util.List;
import java.util.Map;

/**
 * {@code model.json}: what a trained model expects and how it was made. The dataset facts (kind,
 * labels, preprocessing spec, fingerprint) are copied from the dataset card it was trained on, so
 * {@code predict} can rebuild the exact preprocessing and refuse data that disagrees. Written last;
 * a model directory without it is an unfinished run. {@code onnx} is set only for an imported ONNX
 * model ({@code model} is then {@code onnx}); it is null for the networks trained here.
 *
 * @param fingerprint the SHA-256 of the model file ({@code model.zip}): what evaluations and
 *     predictions record as their {@code model_fingerprint}, so lineage survives copies and renames
 *     (absent from cards written before it was added; those remain readable)
 */
public record ModelCard(
    int schemaVersion,
    String model,
    String datasetKind,
    List<String> labels,
    String datasetFingerprint,
    String datasetPath,
    List<Integer> inputShape,
    TextSpec text,
    ImageSpec image,
    Map<String, Object> hyperParameters,
    List<Epoch> epochs,
    int bestEpoch,
    double bestValidationAccuracy,
    String stoppedBecause,
    long wallTimeMs,
    String trainingMaster,
    int workers,
    long parameters,
    String created,
    String fingerprint,
    OnnxSpec onnx) implements java.io.Serializable {

  public static final int SCHEMA_VERSION = 1;
  public static final String FILE_NAME = "model.json";

  /** One epoch of the training history. */
  public record Epoch(int epoch, double trainLoss, double validationAccuracy, long millis)
      implements java.io.Serializable {}
}
