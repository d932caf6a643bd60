/**
 * ONNX interop: {@link io.deeppipe.models.onnx.OnnxImport} turns a model trained elsewhere (PyTorch,
 * Keras, ...) plus its input contract into a model directory, and
 * {@link io.deeppipe.models.onnx.OnnxScorer} scores it with ONNX Runtime on the executors, one
 * session per executor JVM per model ({@link io.deeppipe.models.onnx.OnnxSessions}).
 */
package io.deeppipe.models.onnx;
