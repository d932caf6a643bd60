/**
 * Deep learning on the ingested datasets: one network builder per architecture sized from the
 * dataset card ({@code nets}), the row → {@code DataSet} adapter that builds minibatches on the
 * executors, and data-parallel training on Spark with checkpoints and early stopping
 * ({@code train}). Knows the dataset schema from {@code transforms}, never the command line.
 */
package io.deeppipe.models;
