/**
 * Data-parallel training on Spark with DL4J's parameter averaging: per-epoch validation, early
 * stopping, checkpoints and resume, and the model directory (model.zip, model.json, metrics.csv,
 * training.png).
 */
package io.deeppipe.models.train;
