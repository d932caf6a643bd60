/**
 * Text preprocessing: readers for each corpus format, cleaning, tokenizing, the vocabulary and
 * encoding to fixed-length {@code token_ids}. {@link io.deeppipe.transforms.text.TextIngest} chains
 * them for the ingest job; {@code predict} reuses the same functions from a {@code TextSpec}.
 */
package io.deeppipe.transforms.text;
