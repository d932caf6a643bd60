/**
 * One builder per architecture, each sized from an {@link io.deeppipe.models.InputSpec} (that is,
 * from the dataset card) and the training options; plus the SameDiff layer that DL4J lacks for the
 * Transformer encoder.
 */
package io.deeppipe.models.nets;
