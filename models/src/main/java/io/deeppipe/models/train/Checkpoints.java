package io.deeppipe.models.train;

import io.deeppipe.transforms.card.Cards;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * Where {@link SparkTrainer#fit} leaves each epoch's network, and where the best one is found after
 * the last epoch: a model directory's {@code checkpoints/} (what {@code --resume} continues from)
 * or memory.
 */
public interface Checkpoints {
  /** Called after every epoch with the network and the state after it. */
  void save(MultiLayerNetwork net, TrainingState state);

  /** The network of the state's best epoch. */
  MultiLayerNetwork best();

  /**
   * {@code dir/checkpoints/}: network first, state last, previous network deleted after, so a kill
   * at any point leaves a state whose network exists. A best.zip newer than the state is rewritten
   * identically on resume, since the redone epoch is deterministic.
   */
  static Checkpoints in(ModelDir dir) {
    return new Checkpoints() {
      @Override
      public void save(MultiLayerNetwork net, TrainingState state) {
        int epochs = state.epochs().size();
        dir.writeNetwork(ModelDir.lastCheckpoint(epochs), net);
        if (state.improvedLast()) {
          dir.writeNetwork(ModelDir.BEST, net);
        }
        dir.writeAtomically(ModelDir.CHECKPOINTS + "/" + TrainingState.FILE_NAME, Cards.toJson(state));
        dir.deleteQuietly(ModelDir.lastCheckpoint(epochs - 1));
      }

      @Override
      public MultiLayerNetwork best() {
        return dir.readNetwork(ModelDir.BEST);
      }
    };
  }

  /** A copy of the best network so far, in memory (nothing survives the JVM). */
  static Checkpoints inMemory() {
    return new Checkpoints() {
      private MultiLayerNetwork best;

      @Override
      public void save(MultiLayerNetwork net, TrainingState state) {
        if (state.improvedLast()) {
          best = net.clone();
        }
      }

      @Override
      public MultiLayerNetwork best() {
        return best;
      }
    };
  }
}
