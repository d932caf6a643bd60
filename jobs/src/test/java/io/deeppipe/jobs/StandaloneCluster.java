package io.deeppipe.jobs;

import io.deeppipe.transforms.testing.TestData;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A Spark standalone cluster on 127.0.0.1 made of separate JVMs — one Master, N Workers, each
 * Worker starting its own executor JVMs — built from the jars Maven already has, as STACK.md
 * describes: a folder used as {@code SPARK_HOME} whose {@code jars/} holds what a Spark
 * distribution provides (the jobs module's classpath without the application's own libraries,
 * which travel in the shaded jar). Jobs go in with {@code org.apache.spark.deploy.SparkSubmit}, which is
 * what the {@code spark-submit} script runs, and the shaded jar. {@link #close()} kills every
 * process it started, executors included.
 */
public final class StandaloneCluster implements AutoCloseable {
  /**
   * What the application brings in its shaded jar and a Spark distribution does not: DL4J, ND4J
   * and their natives, our CLI and plotting libraries. Everything else on the jobs module's
   * classpath stands for the distribution's {@code jars/}.
   */
  private static final List<String> APPLICATION_GROUPS = List.of("/org/deeplearning4j/", "/org/nd4j/",
      "/org/datavec/", "/org/bytedeco/", "/info/picocli/", "/com/typesafe/", "/org/knowm/", "/de/erichseifert/",
      "/de/rototor/", "/org/apache/pdfbox/", "/com/madgag/", "/io/aeron/", "/com/github/oshi/", "/com/mashape/",
      "/org/freemarker/", "/net/ericaro/", "/com/jakewharton/", "/io/reactivex/",
      "/org/reactivestreams/");

  /** A finished submission: its exit code and its driver's output. */
  public record Run(int code, String out) {}

  private final Path dir;
  private final Path home;
  private final List<Process> processes = new ArrayList<>();
  private final List<Process> workers = new ArrayList<>();
  private final int masterPort;
  private final int masterUiPort;
  private int submissions;

  private StandaloneCluster(Path dir) throws IOException {
    this.dir = dir;
    this.home = sparkHome();
    this.masterPort = freePort();
    this.masterUiPort = freePort();
  }

  /**
   * Starts the Master and {@code workerCount} Workers of one core each and waits until all
   * registered. Their logs and work directories (executor logs) go under {@code dir}, which is
   * emptied first.
   */
  public static StandaloneCluster start(Path dir, int workerCount) throws Exception {
    if (Files.exists(dir)) {
      try (Stream<Path> old = Files.walk(dir)) {
        old.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    StandaloneCluster c = new StandaloneCluster(Files.createDirectories(dir));
    try {
      c.processes.add(c.daemon("master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
          "--port", String.valueOf(c.masterPort), "--webui-port", String.valueOf(c.masterUiPort)));
      for (int i = 0; i < workerCount; i++) {
        Process w = c.daemon("worker-" + i, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
            "--cores", "1", "--memory", "1536m", "--port", String.valueOf(freePort()), "--webui-port",
            String.valueOf(freePort()), "--work-dir", Files.createDirectories(dir.resolve("work-" + i)).toString(),
            c.masterUrl());
        c.processes.add(w);
        c.workers.add(w);
      }
      c.awaitAliveWorkers(workerCount, Duration.ofSeconds(120));
      return c;
    } catch (Exception | Error e) {
      c.close();
      throw e;
    }
  }

  String masterUrl() {
    return "spark://127.0.0.1:" + masterPort;
  }

  /** The Master's JSON status page ({@code /json}): workers, applications and their states. */
  String status() throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + masterUiPort + "/json/")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  int aliveWorkers() throws InterruptedException {
    try {
      Matcher m = Pattern.compile("\"aliveworkers\"\\s*:\\s*(\\d+)").matcher(status());
      return m.find() ? Integer.parseInt(m.group(1)) : 0;
    } catch (IOException e) {
      return 0; // not listening yet
    }
  }

  private void awaitAliveWorkers(int n, Duration timeout) throws Exception {
    long end = System.nanoTime() + timeout.toNanos();
    while (aliveWorkers() < n) {
      for (Process p : processes) {
        if (!p.isAlive()) {
          throw new IllegalStateException("a cluster process exited early:\n" + logs());
        }
      }
      if (System.nanoTime() > end) {
        throw new IllegalStateException("workers did not register in " + timeout + ":\n" + logs());
      }
      Thread.sleep(500);
    }
  }

  /**
   * Submits {@code pipeline ARGS} in client mode with conf/spark-cluster.conf, sized down to the
   * test's one-core Workers, and waits for it. {@code onLine} sees the driver's output as it comes.
   */
  Run submit(Consumer<String> onLine, String... args) throws IOException, InterruptedException {
    return submit(List.of(), onLine, args);
  }

  /**
   * {@link #submit(Consumer, String...)} with more Spark settings ({@code key=value}, e.g.
   * {@code spark.cores.max=1} for an application of one executor).
   */
  public Run submit(List<String> sparkConf, Consumer<String> onLine, String... args)
      throws IOException, InterruptedException {
    Path root = TestData.projectRoot();
    List<String> command = new ArrayList<>(List.of(java(), "-Xmx1g"));
    command.addAll(javaFlags());
    command.addAll(List.of("-Dlog4j2.configurationFile=" + root.resolve("conf/log4j2.properties"),
        "-cp", home.resolve("conf") + ":" + home.resolve("jars") + "/*", "org.apache.spark.deploy.SparkSubmit",
        "--master", masterUrl(), "--deploy-mode", "client",
        "--properties-file", root.resolve("conf/spark-cluster.conf").toString(),
        "--conf", "spark.executor.cores=1", "--conf", "spark.executor.memory=1g",
        "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.ui.enabled=false",
        "--class", "io.deeppipe.jobs.Pipeline"));
    for (String conf : sparkConf) {
      command.addAll(List.of("--conf", conf));
    }
    command.add(shadedJar().toString());
    command.addAll(Arrays.asList(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
    environment(pb);
    Path log = dir.resolve("logs").resolve("submit-" + (++submissions) + "-" + args[0] + ".log");
    return runLogged(pb, log, p -> {}, onLine);
  }

  /**
   * Runs a spark-submit (or any) process to its end, its output copied line by line to {@code log}
   * and to {@code onLine}; {@code onStart} gets the process, e.g. to kill it from another thread.
   */
  static Run runLogged(ProcessBuilder pb, Path log, Consumer<Process> onStart, Consumer<String> onLine)
      throws IOException, InterruptedException {
    Files.createDirectories(log.getParent());
    Process p = pb.redirectErrorStream(true).start();
    onStart.accept(p);
    StringBuilder out = new StringBuilder();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        var w = Files.newBufferedWriter(log)) {
      for (String line; (line = r.readLine()) != null; ) {
        out.append(line).append('\n');
        w.write(line);
        w.newLine();
        w.flush();
        onLine.accept(line);
      }
    }
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException("spark-submit did not finish: " + out);
    }
    return new Run(p.exitValue(), out.toString());
  }

  Run submit(String... args) throws IOException, InterruptedException {
    return submit(line -> {}, args);
  }

  /** Kills Worker {@code i} and the executors it started with SIGKILL: a lost node. */
  void killWorker(int i) throws InterruptedException {
    Process w = workers.get(i);
    List<ProcessHandle> tree = new ArrayList<>(w.descendants().toList());
    tree.add(w.toHandle());
    tree.forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle h : tree) {
      h.onExit().join();
    }
  }

  /** The last lines of the Master's and Workers' logs, for failure messages. */
  public String logs() {
    StringBuilder sb = new StringBuilder();
    try (Stream<Path> files = Files.list(dir.resolve("logs"))) {
      for (Path f : files.filter(f -> !f.getFileName().toString().startsWith("submit-")).sorted().toList()) {
        List<String> lines = Files.readAllLines(f);
        sb.append("== ").append(f).append('\n');
        lines.subList(Math.max(0, lines.size() - 30), lines.size()).forEach(l -> sb.append(l).append('\n'));
      }
    } catch (IOException e) {
      sb.append(e);
    }
    return sb.toString();
  }

  /**
   * The command line each Worker launched an executor with, by application name (e.g.
   * {@code deeppipe train}), in the order launched, from the Workers' logs.
   */
  java.util.Map<String, List<String>> executorLaunchCommands() throws IOException {
    java.util.Map<String, List<String>> byApp = new java.util.LinkedHashMap<>();
    Pattern asked = Pattern.compile("Asked to launch executor \\S+ for (.+)$");
    try (Stream<Path> files = Files.list(dir.resolve("logs"))) {
      for (Path f : files.filter(f -> f.getFileName().toString().startsWith("worker-")).sorted().toList()) {
        String app = null;
        for (String line : Files.readAllLines(f)) {
          Matcher m = asked.matcher(line);
          if (m.find()) {
            app = m.group(1);
          } else if (app != null && line.contains("Launch command: ")) {
            byApp.computeIfAbsent(app, a -> new ArrayList<>()).add(line.substring(line.indexOf("Launch command: ")));
            app = null;
          }
        }
      }
    }
    return byApp;
  }

  /** Each Worker's work directory: {@code app-*}/{@code <executor id>}/{stdout,stderr}. */
  Path workDir(int i) {
    return dir.resolve("work-" + i);
  }

  /** Every process this cluster started, and their children (the executors), still alive. */
  List<ProcessHandle> aliveProcesses() {
    return processes.stream().flatMap(p -> Stream.concat(Stream.of(p.toHandle()), p.descendants()))
        .filter(ProcessHandle::isAlive).toList();
  }

  @Override
  public void close() {
    List<ProcessHandle> all = aliveProcesses();
    all.forEach(ProcessHandle::destroy);
    for (ProcessHandle h : all) {
      try {
        h.onExit().get(20, TimeUnit.SECONDS);
      } catch (Exception e) {
        h.destroyForcibly();
      }
    }
    aliveProcesses().forEach(h -> h.onExit().join());
  }

  private Process daemon(String name, String mainClass, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(java(), "-Xmx256m"));
    command.addAll(javaFlags());
    command.addAll(List.of("-cp", home.resolve("conf") + ":" + home.resolve("jars") + "/*", mainClass));
    command.addAll(Arrays.asList(args));
    Path log = Files.createDirectories(dir.resolve("logs")).resolve(name + ".log");
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    environment(pb);
    return pb.start();
  }

  private void environment(ProcessBuilder pb) {
    pb.environment().put("SPARK_HOME", home.toString());
    // The launch scripts of a Spark distribution set this; without it every executor fails with
    // "Cannot find any build directories".
    pb.environment().put("SPARK_SCALA_VERSION", "2.12");
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    pb.environment().put("OMP_NUM_THREADS", "1");
  }

  /** The Java 17 flags of conf/spark-cluster.conf, for the JVMs started here directly. */
  static List<String> javaFlags() {
    try {
      for (String line : Files.readAllLines(TestData.projectRoot().resolve("conf/spark-cluster.conf"))) {
        if (line.startsWith("spark.driver.extraJavaOptions")) {
          return Arrays.stream(line.split("\\s+")).filter(t -> t.startsWith("--add-opens") || t.startsWith("-Dio.netty"))
              .toList();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new IllegalStateException("conf/spark-cluster.conf has no spark.driver.extraJavaOptions");
  }

  static String java() {
    return ProcessHandle.current().info().command().orElse("java");
  }

  static Path shadedJar() {
    return TestData.projectRoot().resolve("jobs/target/deeppipe-jobs-0.1.0-SNAPSHOT-all.jar");
  }

  /**
   * {@code jobs/target/spark-home}, made on first use: what a Spark distribution's {@code SPARK_HOME}
   * holds for these tests, {@code jars/} (links to the Maven jars) and an empty {@code conf/}.
   */
  static Path sparkHome() throws IOException {
    Path target = TestData.projectRoot().resolve("jobs/target");
    Path home = target.resolve("spark-home");
    List<String> jars = Arrays.stream(Files.readString(target.resolve("classpath.txt")).trim().split(":"))
        .filter(jar -> APPLICATION_GROUPS.stream().noneMatch(jar::contains)).toList();
    Path dir = Files.createDirectories(home.resolve("jars"));
    Files.createDirectories(home.resolve("conf"));
    for (String jar : jars) {
      Path source = Path.of(jar);
      Path link = dir.resolve(source.getFileName());
      if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        Files.createSymbolicLink(link, source);
      }
    }
    return home;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
