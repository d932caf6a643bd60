package io.deeppipe.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

class SessionsTest {
  private static SparkConf conf(String executorOptions) {
    SparkConf conf = new SparkConf(false);
    return executorOptions == null ? conf : conf.set(Sessions.EXECUTOR_JAVA_OPTIONS, executorOptions);
  }

  @Test
  void trainOnAClusterStartsItsExecutorsWithC1AloneKeepingTheirOtherFlags() {
    assertThat(Sessions.executorJavaOptions("train", "spark://master:7077", conf("--add-opens=a=b -Dx=1")))
        .isEqualTo("--add-opens=a=b -Dx=1 -XX:TieredStopAtLevel=1");
    assertThat(Sessions.executorJavaOptions("train", "yarn", conf(null))).isEqualTo("-XX:TieredStopAtLevel=1");
    assertThat(Sessions.executorJavaOptions("train", "k8s://https://api:6443", conf("  "))).isEqualTo(
        "-XX:TieredStopAtLevel=1");
    assertThat(Sessions.executorJavaOptions("train", "local-cluster[2,1,1024]", conf(null))) // executor JVMs too
        .isEqualTo("-XX:TieredStopAtLevel=1");
  }

  @Test
  void otherJobsLocalMastersAndTheUsersOwnJitFlagsAreLeftAlone() {
    for (String command : new String[] {"ingest-text", "ingest-images", "predict", "evaluate", "quickstart"}) {
      assertThat(Sessions.executorJavaOptions(command, "spark://master:7077", conf("-Dx=1"))).as(command).isNull();
    }
    assertThat(Sessions.executorJavaOptions("train", "local[2]", conf(null))).isNull();
    assertThat(Sessions.executorJavaOptions("train", "yarn", conf("-XX:-TieredCompilation"))).isNull();
    assertThat(Sessions.executorJavaOptions("train", "yarn", conf("-XX:TieredStopAtLevel=4"))).isNull();
    assertThat(Sessions.executorJavaOptions("train", "yarn",
        conf("-Dx=1").set("spark.executor.defaultJavaOptions", "-XX:+TieredCompilation"))).isNull();
  }
}
