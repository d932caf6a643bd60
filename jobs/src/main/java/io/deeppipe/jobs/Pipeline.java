package io.deeppipe.jobs;

import io.deeppipe.transforms.card.BadInputException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The one entry point: {@code bin/pipeline COMMAND} locally, or
 * {@code spark-submit --class io.deeppipe.jobs.Pipeline deeppipe-jobs-*-all.jar COMMAND} on a cluster.
 */
@Command(
    name = "pipeline",
    mixinStandardHelpOptions = true,
    versionProvider = Pipeline.Version.class,
    description = {
      "Spark jobs that turn text and image data sets into Parquet + Arrow and train DL4J networks on them.",
      "",
      "Option defaults come from, in order: the command-line flag, --config FILE (HOCON), then"
          + " conf/<command>.conf.",
      "",
      "Exit codes: 0 success, 2 bad usage or input, 1 failure."
    },
    subcommands = {
      IngestTextCommand.class, IngestImagesCommand.class, TrainCommand.class, PredictCommand.class,
      EvaluateCommand.class, InspectCommand.class, CatalogCommand.class, QuickstartCommand.class,
      ImportOnnxCommand.class, ExportOnnxCommand.class
    })
public final class Pipeline implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);

  @Spec CommandSpec spec;
  private final ConfigDefaults defaults;

  Pipeline(ConfigDefaults defaults) {
    this.defaults = defaults;
  }

  ConfigDefaults defaults() {
    return defaults;
  }

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    spec.commandLine().getErr().println("error: a COMMAND is required");
    return 2;
  }

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs a command and returns its exit code (tests call this instead of main). */
  public static int execute(String... args) {
    return execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
  }

  public static int execute(PrintWriter out, PrintWriter err, String... args) {
    io.deeppipe.transforms.io.NioLocalFileSystem.install();
    ConfigDefaults defaults;
    try {
      defaults = ConfigDefaults.fromArgs(args);
    } catch (UsageException e) {
      err.println("error: " + e.getMessage());
      return 2;
    }
    CommandLine cl = commandLine(defaults);
    cl.setOut(out);
    cl.setErr(err);
    return cl.execute(args);
  }

  static CommandLine commandLine(ConfigDefaults defaults) {
    CommandLine cl = new CommandLine(new Pipeline(defaults));
    for (CommandLine sub : cl.getSubcommands().values()) {
      if (sub.getCommand() instanceof JobCommand job) {
        job.bindParams(sub.getCommandSpec());
      }
    }
    cl.setDefaultValueProvider(defaults);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setParameterExceptionHandler(
        (ex, args) -> {
          PrintWriter err = ex.getCommandLine().getErr();
          err.println("error: " + ex.getMessage());
          err.println("see: pipeline " + commandPath(ex.getCommandLine()) + "--help");
          return 2;
        });
    cl.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          PrintWriter err = commandLine.getErr();
          if (ex instanceof UsageException || ex instanceof BadInputException) {
            err.println("error: " + ex.getMessage());
            return 2;
          }
          LOG.error("{} failed", commandLine.getCommandName(), ex);
          err.println("error: " + commandLine.getCommandName() + " failed: " + ex);
          return 1;
        });
    return cl;
  }

  private static String commandPath(CommandLine cl) {
    return cl.getParent() == null ? "" : cl.getCommandName() + " ";
  }

  /** The version from the jar manifest, when packaged. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Pipeline.class.getPackage().getImplementationVersion();
      return new String[] {"deeppipe " + (v == null ? "(development build)" : v)};
    }
  }
}
