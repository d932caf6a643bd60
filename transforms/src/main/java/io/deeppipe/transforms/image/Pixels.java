package io.deeppipe.transforms.image;

/** An image as raw uint8 samples in HWC order (row by row, channels interleaved). */
public record Pixels(int height, int width, int channels, byte[] data) {
  public Pixels {
    if (data.length != height * width * channels) {
      throw new IllegalArgumentException(
          "pixel buffer of " + data.length + " bytes for " + height + "x" + width + "x" + channels);
    }
  }

  public int get(int y, int x, int c) {
    return data[(y * width + x) * channels + c] & 0xFF;
  }
}
