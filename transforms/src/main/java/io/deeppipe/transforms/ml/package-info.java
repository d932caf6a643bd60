/**
 * What every Spark ML stage of the project shares: validators that throw a message naming the
 * Param and the value, and the save/load of a fitted stage's data next to Spark's own metadata.
 */
package io.deeppipe.transforms.ml;
