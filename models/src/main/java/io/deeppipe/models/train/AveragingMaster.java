package io.deeppipe.models.train;

import org.apache.spark.api.java.JavaRDD;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.dataset.DataSet;

/**
 * DL4J's parameter averaging, minus two costs it pays on every {@code fit}. DL4J persists the
 * minibatches, counts them (a Spark job that builds every minibatch) and splits them into one RDD
 * per averaging round (each round's job filters all of them). When the caller knows the epoch has
 * at most one round's minibatches (an upper bound is enough), the epoch is that one round: no
 * persist, no count, no split. Otherwise DL4J's path runs and its persisted minibatches are
 * released after the epoch (DL4J leaves them cached, one copy per epoch, until Spark evicts them).
 */
final class AveragingMaster extends ParameterAveragingTrainingMaster {
  private final long minibatches;

  /**
   * @param minibatches an upper bound of the minibatches in each {@code fit}'s RDD, over all workers;
   *     negative = unknown
   */
  AveragingMaster(Builder builder, long minibatches) {
    super(builder);
    this.minibatches = minibatches;
  }

  /** Whether an epoch of this master is a single averaging round. */
  boolean oneRoundPerEpoch() {
    return minibatches >= 0 && minibatches <= getNumDataSetObjectsPerSplit(rddDataSetNumExamples);
  }

  @Override
  protected void executeTrainingDirect(SparkDl4jMultiLayer network, JavaRDD<DataSet> trainingData) {
    if (oneRoundPerEpoch()) {
      doIteration(network, trainingData, 1, 1);
    } else {
      super.executeTrainingDirect(network, trainingData);
      trainingData.unpersist(false);
    }
  }
}
