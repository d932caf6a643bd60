package io.deeppipe.models;

/** Small training options and input specs for tests. */
public final class Fixtures {
  private Fixtures() {}

  public static TrainOptions options(ModelType model, int epochs, String data, String output) {
    return new TrainOptions(data, output, false, false, model, epochs, 16, 1e-2, 7, TrainOptions.Updater.ADAM,
        0.0, 0.0, 32, 16, 2, 1, TrainOptions.Master.AVERAGING, 1, 5, 0, 5);
  }

  public static TrainOptions options(ModelType model) {
    return options(model, 1, "data", "out");
  }

  public static InputSpec text(int vocab, int length, int classes) {
    return new InputSpec("text", classes, vocab, length, 0, 0, 0, null, null);
  }

  public static InputSpec image(int h, int w, int c, int classes) {
    double[] mean = new double[c];
    double[] std = new double[c];
    java.util.Arrays.fill(mean, 0.5);
    java.util.Arrays.fill(std, 0.25);
    return new InputSpec("image", classes, 0, 0, h, w, c, mean, std);
  }
}
