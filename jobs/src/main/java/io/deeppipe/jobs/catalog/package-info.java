/**
 * The {@code catalog} command's work: {@link io.deeppipe.jobs.catalog.CatalogScanner} finds every
 * card (dataset.json, model.json, metrics.json, predictions.json) under a storage root, reads each
 * on its own so that a damaged one becomes a listed error rather than a crash, and links them into
 * lineage through recorded fingerprints only (folders get copied and renamed, so names and paths
 * prove nothing); {@link io.deeppipe.jobs.catalog.ItemDetails} reads what the cards do not hold
 * (counts per label, sample rows) with Spark; {@link io.deeppipe.jobs.catalog.CatalogSite} writes
 * catalog.json and a static site that opens from file:// with nothing fetched.
 */
package io.deeppipe.jobs.catalog;
