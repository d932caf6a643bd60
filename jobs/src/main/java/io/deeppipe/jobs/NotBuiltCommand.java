package io.deeppipe.jobs;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** A command announced in the CLI but not built in this version: exits 2 and says so. */
@Command(description = "Not built yet in this version.", mixinStandardHelpOptions = true)
public final class NotBuiltCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @picocli.CommandLine.Unmatched java.util.List<String> ignored;

  @Override
  public Integer call() {
    spec.commandLine().getErr().println(
        "error: '" + spec.name() + "' is not built yet in this version of deeppipe"
            + " (built: ingest-text, ingest-images, train, inspect, quickstart)");
    return 2;
  }
}
