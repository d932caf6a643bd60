package io.deeppipe.jobs;

import picocli.CommandLine.Option;

/**
 * Options shared by several commands, each defined once here and mixed into the commands that
 * take it. Their defaults, like every option's, come from {@code conf/<command>.conf}.
 */
public final class SharedOptions {
  private SharedOptions() {}

  /** Whether an existing output may be replaced. */
  public enum WriteMode {
    error,
    overwrite
  }

  public static final class Input {
    @Option(
        names = "--input",
        paramLabel = "PATH",
        description = "Input file, directory or glob, on any Hadoop file system (file:, hdfs:, s3a:).")
    public String input;
  }

  public static final class Output {
    @Option(
        names = "--output",
        paramLabel = "DIR",
        description = "Output directory; written under a temporary name and renamed when complete.")
    public String output;

    @Option(
        names = "--mode",
        paramLabel = "MODE",
        description = "What to do if the output exists: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    public WriteMode mode;

    public boolean overwrite() {
      return mode == WriteMode.overwrite;
    }
  }

  public static final class Seed {
    @Option(names = "--seed", paramLabel = "N", description = "Random seed (default: ${DEFAULT-VALUE}).")
    public long seed;
  }

  public static final class Spark {
    @Option(
        names = "--config",
        paramLabel = "FILE",
        description = "HOCON file of option defaults (keys = option names without --; may be scoped by command).")
    public String config;

    @Option(
        names = "--master",
        paramLabel = "URL",
        description = "Spark master (local[*], spark://host:7077, yarn, k8s://...). Default: the one spark-submit "
            + "or SPARK_MASTER gives, else local[*].")
    public String master;
  }
}
