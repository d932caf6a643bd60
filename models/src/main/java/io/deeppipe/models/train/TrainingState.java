package io.deeppipe.models.train;

import io.deeppipe.transforms.card.ModelCard;
import java.util.ArrayList;
import java.util.List;

/**
 * What a run has done so far, saved beside each checkpoint so {@code --resume} continues where a
 * crashed or killed run stopped. {@code datasetFingerprint} and {@code model} stop a resume onto
 * other data or another architecture. {@code averagingFrequency} is the one the run chose (0 = not
 * chosen yet), so a resumed run averages as the uninterrupted one would have.
 */
public record TrainingState(
    String model,
    String datasetFingerprint,
    List<ModelCard.Epoch> epochs,
    int bestEpoch,
    double bestValidationAccuracy,
    int epochsWithoutImprovement,
    long wallTimeMs,
    int averagingFrequency) {

  public static final String FILE_NAME = "state.json";

  public static TrainingState fresh(String model, String fingerprint) {
    return new TrainingState(model, fingerprint, List.of(), 0, -Double.MAX_VALUE, 0, 0, 0);
  }

  /** The state after one more epoch; {@code improved} when its validation accuracy is the best yet. */
  public TrainingState next(ModelCard.Epoch epoch, long addedMs) {
    List<ModelCard.Epoch> all = new ArrayList<>(epochs);
    all.add(epoch);
    double acc = Double.isNaN(epoch.validationAccuracy()) ? -epoch.trainLoss() : epoch.validationAccuracy();
    boolean improved = acc > bestValidationAccuracy;
    return new TrainingState(
        model, datasetFingerprint, all,
        improved ? epoch.epoch() : bestEpoch,
        improved ? acc : bestValidationAccuracy,
        improved ? 0 : epochsWithoutImprovement + 1,
        wallTimeMs + addedMs, averagingFrequency);
  }

  /** This state, training with {@code frequency} minibatches between averagings. */
  public TrainingState withAveragingFrequency(int frequency) {
    return new TrainingState(model, datasetFingerprint, epochs, bestEpoch, bestValidationAccuracy,
        epochsWithoutImprovement, wallTimeMs, frequency);
  }

  public boolean improvedLast() {
    return !epochs.isEmpty() && bestEpoch == epochs.get(epochs.size() - 1).epoch();
  }
}
