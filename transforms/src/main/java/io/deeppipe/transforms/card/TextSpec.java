package io.deeppipe.transforms.card;

import java.io.Serializable;
import java.util.List;

/**
 * How raw text becomes {@code token_ids}: everything {@code predict} needs to repeat the ingest
 * preprocessing exactly. The vocabulary itself lives in {@code vocab.txt} beside the card; its
 * SHA-256 is recorded here so a changed file is noticed.
 */
public record TextSpec(
    String tokenizer,
    boolean lowercase,
    boolean stripHtml,
    int maxLength,
    String truncation,
    int vocabSize,
    int minCount,
    String vocabSha256,
    List<String> specialTokens)
    implements Serializable {}
