/**
 * Pure preprocessing on Spark SQL: readers for each input format, cleaning, tokenizing, the
 * vocabulary, split assignment, de-duplication, and the writers of the dataset format. Nothing
 * here knows DL4J or the command line; every step is a static function over a {@code Dataset<Row>}
 * (or a per-record function) so that tests call it directly and {@code predict} reuses it.
 */
package io.deeppipe.transforms;
