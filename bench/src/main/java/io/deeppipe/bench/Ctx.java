package io.deeppipe.bench;

import io.deeppipe.jobs.Pipeline;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.spark.sql.SparkSession;

/** What every stage gets: the session, the sizes, where to write, and the report to fill. */
public record Ctx(SparkSession spark, Scale scale, Path root, Path work, Report report, JobTimes jobTimes) {

  /** Spark job time by description since the last call (waits for the listener bus first). */
  public java.util.Map<String, Double> phases() {
    try {
      spark.sparkContext().listenerBus().waitUntilEmpty();
    } catch (java.util.concurrent.TimeoutException e) {
      // a figure may miss its last job; the timing itself is unaffected
    }
    return jobTimes.take();
  }

  /** Runs a command and returns its Spark job times by description. */
  public java.util.Map<String, Double> pipelinePhases(String... args) {
    phases();
    pipeline(args);
    return phases();
  }

  /** Runs a deeppipe command in this JVM, exactly as {@code bin/pipeline} would parse it. */
  public String pipeline(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Pipeline.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    if (code != 0) {
      throw new IllegalStateException("pipeline " + Arrays.toString(args) + " exited " + code + ": " + err + out);
    }
    return out.toString();
  }

  /**
   * A process as the harness starts them: output and errors together, on the build that bin/bench
   * made ({@code DEEPPIPE_NO_BUILD}), on {@code local[2]} like the in-JVM runners.
   */
  public static ProcessBuilder process(java.util.List<String> cmd) {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("DEEPPIPE_NO_BUILD", "1");
    pb.environment().put("SPARK_MASTER", "local[2]");
    return pb;
  }

  /**
   * Runs {@code cmd} as {@link #process} does, its output in {@code log}, and waits for it; a non-zero
   * exit fails the stage, naming {@code what} and the log.
   */
  public static void run(java.util.List<String> cmd, Path log, String what) throws Exception {
    int code = process(cmd).redirectOutput(log.toFile()).start().waitFor();
    if (code != 0) {
      throw new IllegalStateException(what + " exited " + code + ", see " + log);
    }
  }

  /** A Java command with this JVM's flags and class path, for {@link #process}. */
  public static java.util.List<String> java(String mainClass, String... args) {
    java.util.List<String> cmd = new java.util.ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(mainClass);
    cmd.addAll(java.util.List.of(args));
    return cmd;
  }

  /** Whether to run a warm-up round: never in the smoke run, whose figures only prove it works. */
  public boolean warmUp(boolean wanted) {
    return wanted && !scale.name().equals("smoke");
  }

  public Path dir(String name) {
    return work.resolve(name);
  }
}
