package io.deeppipe.transforms.card;

import java.io.Serializable;
import java.util.List;

/**
 * How an image file becomes the {@code image} bytes (HWC uint8), and the per-channel
 * normalisation computed over the training split that models apply (never baked into the bytes).
 */
public record ImageSpec(
    int height,
    int width,
    int channels,
    String resizeMode,
    long maxPixels,
    List<Double> mean,
    List<Double> std)
    implements Serializable {}
