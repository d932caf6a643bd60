package io.deeppipe.jobs;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the real CLI in-process and captures what it printed. */
public record Cli(int code, String out, String err) {
  public static Cli run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Pipeline.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Cli(code, out.toString(), err.toString());
  }

  /** What a failing assertion shows: the exit code and both streams. */
  public String describe() {
    return "exit " + code + "\nstdout: " + out + "\nstderr: " + err;
  }
}
