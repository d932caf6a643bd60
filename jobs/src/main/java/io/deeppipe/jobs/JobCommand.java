package io.deeppipe.jobs;

import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * A subcommand: checks the {@code --config} keys, builds the validated options record (a bad
 * value becomes a {@link UsageException}, exit 2), then runs.
 */
public abstract class JobCommand implements Callable<Integer> {
  protected final Logger log = LoggerFactory.getLogger(getClass());

  @Spec protected CommandSpec spec;
  @ParentCommand protected Pipeline pipeline;
  @Mixin protected SharedOptions.Spark sparkOptions = new SharedOptions.Spark();

  /**
   * Adds the options derived from Spark ML Params ({@link ParamOptions}) to this command's spec;
   * called once when the command line is built, before parsing.
   */
  protected void bindParams(CommandSpec spec) {}

  /** Builds and validates the options; may also check inputs and outputs. No Spark yet. */
  protected abstract void prepare();

  /** Does the work; returns the exit code. */
  protected abstract int execute() throws Exception;

  @Override
  public final Integer call() throws Exception {
    pipeline.defaults().checkKeys(spec, spec.parent().subcommands().keySet());
    checkMaster(sparkOptions.master);
    try {
      prepare();
    } catch (UsageException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    return execute();
  }

  /** Spark's own master URL forms; anything else would fail later, inside Spark, with a stack trace. */
  private static final java.util.regex.Pattern MASTER = java.util.regex.Pattern.compile(
      "local(\\[(\\*|[1-9][0-9]*)(,[0-9]+)?])?|local-cluster\\[[0-9]+, *[0-9]+, *[0-9]+]"
          + "|yarn|(spark|mesos|k8s)://\\S+");

  static void checkMaster(String master) {
    if (master != null && !MASTER.matcher(master).matches()) {
      throw new UsageException("--master must be local, local[N], local[*], spark://HOST:PORT, yarn or k8s://URL, got '"
          + master + "'");
    }
  }

  /** Refuses, naming the option, a path that does not exist (before any reader names it otherwise). */
  protected static void requireExisting(String option, String path) {
    if (path != null && !path.isBlank()
        && !io.deeppipe.transforms.io.Storage.exists(new org.apache.hadoop.fs.Path(path),
            new org.apache.hadoop.conf.Configuration())) {
      throw new io.deeppipe.transforms.card.BadInputException(option + " " + path + " does not exist");
    }
  }

  protected SparkSession spark() {
    return Sessions.create(spec.name(), sparkOptions.master);
  }

  protected void println(String line) {
    spec.commandLine().getOut().println(line);
  }
}
