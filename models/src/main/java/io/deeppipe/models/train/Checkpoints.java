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
   *
   * <p>The writing (a zip of the parameters and the updater state, copied to best.zip when the epoch
   * is the best so far: a tenth of an MLP epoch on MNIST) runs on a thread of its own, from a copy of the
   * network, while the next epoch trains. One write is in flight at most: {@code save} first waits
   * for the previous one and rethrows its failure, and {@link #best()} waits for the last.
   */
  static Checkpoints in(ModelDir dir) {
    return new Checkpoints() {
      private Thread writing;
      private volatile RuntimeException failed;

      @Override
      public void save(MultiLayerNetwork net, TrainingState state) {
        await();
        MultiLayerNetwork copy = net.clone(); // the next epoch updates net in place
        writing = new Thread(() -> {
          try {
            write(copy, state);
          } catch (RuntimeException e) {
            failed = e;
          }
        }, "checkpoint-epoch-" + state.epochs().size());
        writing.setDaemon(true);
        writing.start();
      }

      private void write(MultiLayerNetwork net, TrainingState state) {
        int epochs = state.epochs().size();
        dir.writeNetwork(ModelDir.lastCheckpoint(epochs), net);
        if (state.improvedLast()) {
          dir.copy(ModelDir.lastCheckpoint(epochs), ModelDir.BEST);
        }
        dir.writeAtomically(ModelDir.CHECKPOINTS + "/" + TrainingState.FILE_NAME, Cards.toJson(state));
        dir.deleteQuietly(ModelDir.lastCheckpoint(epochs - 1));
      }

      private void await() {
        if (writing != null) {
          try {
            writing.join();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing a checkpoint", e);
          }
          writing = null;
        }
        if (failed != null) {
          RuntimeException e = failed;
          failed = null;
          throw e;
        }
      }

      @Override
      public MultiLayerNetwork best() {
        await();
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
