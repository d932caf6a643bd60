package io.deeppipe.jobs;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import scala.collection.JavaConverters;
import scala.tools.nsc.Settings;
import scala.tools.nsc.interpreter.IMain;
import scala.tools.nsc.interpreter.Results;

/**
 * The Scala 2.12 REPL as Zeppelin's Spark interpreter sets it up: class-based line wrappers
 * ({@code -Yrepl-class-based}, so closures serialise without dragging whole objects) compiled to a directory
 * ({@code -Yrepl-outdir}) that the SparkContext serves to its executors ({@code spark.repl.class.outputDir}), a
 * whole paragraph per {@code interpret} call, values bound {@code @transient}.
 */
final class ScalaRepl {
  private final IMain imain;
  private final Capture capture = new Capture();
  private final PrintStream console = new PrintStream(capture, true, StandardCharsets.UTF_8);

  /** What one paragraph did: its REPL status and everything it printed (output, echoes, compile errors, traces). */
  record Outcome(boolean success, String output) {}

  ScalaRepl(Path outputDir) {
    Settings settings = new Settings();
    List<String> args = List.of("-Yrepl-class-based", "-Yrepl-outdir", outputDir.toString(), "-classpath", classpath());
    settings.processArguments(JavaConverters.asScalaBuffer(args).toList(), true);
    imain = new IMain(settings, new PrintWriter(console, true));
    imain.initializeSynchronous();
  }

  PrintStream console() {
    return console;
  }

  void bind(String name, String type, Object value) {
    Results.Result r =
        imain.bind(name, type, value, JavaConverters.asScalaBuffer(List.of("@transient")).toList());
    if (r != Results.Success$.MODULE$) {
      throw new IllegalStateException("cannot bind " + name + ": " + capture.take());
    }
    capture.take();
  }

  /** Interprets one paragraph; Scala's println (Console.out) is captured with the REPL's own output. */
  Outcome run(String code) {
    capture.take();
    Results.Result r = scala.Console$.MODULE$.withOut(console, (scala.Function0<Results.Result>) () -> imain.interpret(code));
    if (r == Results.Incomplete$.MODULE$) {
      // what Zeppelin does: a paragraph that ends in a comment reads as incomplete until something follows it
      r = scala.Console$.MODULE$.withOut(console, (scala.Function0<Results.Result>) () -> imain.interpret(code + "\nprint(\"\")"));
    }
    console.flush();
    return new Outcome(r == Results.Success$.MODULE$, capture.take());
  }

  /**
   * The value of a top-level term the paragraphs defined, through {@code IMain.valueOfTerm} (Scala runtime
   * reflection). It answered None for a value typed with a nested Java class ({@code Evaluator.Metrics}) here:
   * check such results through what they wrote instead.
   */
  Object value(String term) {
    scala.Option<Object> v = imain.valueOfTerm(term);
    if (v.isEmpty()) {
      throw new AssertionError("the notes define no value '" + term + "'");
    }
    return v.get();
  }

  void close() {
    imain.close();
  }

  /**
   * The compiler needs the test classpath as files. Surefire and failsafe hand the JVM a manifest-only jar whose
   * Class-Path lists the real one; they also put it in {@code surefire.test.class.path}. Either way, expand it.
   */
  static String classpath() {
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Set<String> out = new LinkedHashSet<>();
    for (String entry : cp.split(File.pathSeparator)) {
      if (entry.isBlank()) {
        continue;
      }
      out.add(entry);
      out.addAll(manifestClassPath(Path.of(entry)));
    }
    return String.join(File.pathSeparator, out);
  }

  private static List<String> manifestClassPath(Path jar) {
    List<String> out = new ArrayList<>();
    if (!jar.toString().endsWith(".jar") || !Files.isRegularFile(jar)) {
      return out;
    }
    try (JarFile f = new JarFile(jar.toFile())) {
      Manifest m = f.getManifest();
      String cp = m == null ? null : m.getMainAttributes().getValue("Class-Path");
      if (cp != null) {
        for (String url : cp.trim().split("\\s+")) {
          out.add(Path.of(jar.toUri().resolve(url)).toString());
        }
      }
    } catch (IOException | IllegalArgumentException e) {
      // not a readable jar or a URL we cannot turn into a file: the entry itself stays on the classpath
    }
    return out;
  }

  /** Everything written since the last {@link #take}. */
  private static final class Capture extends OutputStream {
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

    @Override
    public synchronized void write(int b) {
      buffer.write(b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      buffer.write(b, off, len);
    }

    synchronized String take() {
      String s = buffer.toString(StandardCharsets.UTF_8);
      buffer.reset();
      return s;
    }
  }
}
