/**
 * The cards that carry the contract between jobs: {@code dataset.json} (what a dataset is) and the
 * preprocessing spec it records, read and written with Jackson under a schema version.
 */
package io.deeppipe.transforms.card;
