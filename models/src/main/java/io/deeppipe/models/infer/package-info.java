/**
 * Batch inference: {@link io.deeppipe.models.infer.Predictor} applies a trained model to any
 * {@code Dataset<Row>} through the model's Spark ML stage ({@link io.deeppipe.models.DeepClassificationModel}:
 * model loaded once per executor, minibatches per partition), the raw-data
 * preparation through the model's saved preprocessor ({@link io.deeppipe.models.infer.RawInputs}),
 * and evaluation metrics.
 */
package io.deeppipe.models.infer;
