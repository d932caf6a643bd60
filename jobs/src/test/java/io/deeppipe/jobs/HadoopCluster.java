package io.deeppipe.jobs;

import io.deeppipe.transforms.testing.TestData;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.MiniYARNCluster;

/**
 * HDFS and YARN in this JVM — Hadoop's own {@link MiniDFSCluster} (one NameNode, one DataNode) and
 * {@link MiniYARNCluster} (a ResourceManager and one NodeManager that starts every container as a
 * real JVM) — with their client configuration written to a {@code HADOOP_CONF_DIR}, so that
 * {@code org.apache.spark.deploy.SparkSubmit --master yarn} in a child JVM submits to them as
 * {@code spark-submit} would to a real cluster. The shaded jar is put on HDFS once, where the README
 * says it goes, and the NodeManager localizes it from there.
 */
final class HadoopCluster implements AutoCloseable {
  static final String APP_JAR = "/apps/deeppipe/deeppipe-jobs-all.jar";
  /** Small containers: 2 executors of 1 GB + 384 MB and an ApplicationMaster, with room for one replacement. */
  private static final int NODE_MEMORY_MB = 5120;

  private final Path dir;
  private final MiniDFSCluster dfs;
  private final MiniYARNCluster yarn;
  private final Path confDir;
  private final Path sparkHome;
  private int submissions;

  private HadoopCluster(Path dir, MiniDFSCluster dfs, MiniYARNCluster yarn, Path confDir, Path sparkHome) {
    this.dir = dir;
    this.dfs = dfs;
    this.yarn = yarn;
    this.confDir = confDir;
    this.sparkHome = sparkHome;
  }

  /** Starts HDFS and YARN under {@code dir} (emptied first) and puts Spark's jars and the shaded jar on HDFS. */
  static HadoopCluster start(Path dir) throws Exception {
    if (Files.exists(dir)) {
      try (Stream<Path> old = Files.walk(dir)) {
        old.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    Files.createDirectories(dir);
    Configuration conf = new Configuration();
    conf.setInt("dfs.replication", 1);
    // a nearly full disk would otherwise mark the only NodeManager unhealthy
    conf.setFloat("yarn.nodemanager.disk-health-checker.max-disk-utilization-per-disk-percentage", 100f);
    MiniDFSCluster dfs = new MiniDFSCluster.Builder(conf, dir.resolve("dfs").toFile()).numDataNodes(1).build();
    MiniYARNCluster yarn = null;
    try {
      dfs.waitActive();
      YarnConfiguration yc = new YarnConfiguration(conf);
      yc.set("fs.defaultFS", dfs.getURI().toString());
      yc.setInt(YarnConfiguration.NM_PMEM_MB, NODE_MEMORY_MB);
      yc.setInt(YarnConfiguration.NM_VCORES, 4);
      yc.setInt(YarnConfiguration.RM_SCHEDULER_MINIMUM_ALLOCATION_MB, 128);
      yc.setInt(YarnConfiguration.RM_SCHEDULER_MAXIMUM_ALLOCATION_MB, 2048);
      // ND4J's native arrays and thread stacks make virtual and physical size differ from the heap;
      // the containers are sized by Spark's memoryOverhead, not policed here
      yc.setBoolean(YarnConfiguration.NM_PMEM_CHECK_ENABLED, false);
      yc.setBoolean(YarnConfiguration.NM_VMEM_CHECK_ENABLED, false);
      // FIFO: the capacity scheduler's default AM share (10 % of 5 GB) would hold ApplicationMasters back
      yc.set(YarnConfiguration.RM_SCHEDULER,
          "org.apache.hadoop.yarn.server.resourcemanager.scheduler.fifo.FifoScheduler");
      yc.setBoolean(YarnConfiguration.LOG_AGGREGATION_ENABLED, false);
      yarn = new MiniYARNCluster("hadoop-cluster-yarn", 1, 1, 1);
      yarn.init(yc);
      yarn.start();
      Configuration client = awaitAddresses(yarn);
      // MiniDFSCluster's rack mapping is a test class that a client's classpath does not have
      client.unset("net.topology.node.switch.mapping.impl");
      // nor this JVM's file: file system (NioLocalFileSystem, installed by the tests' sessions):
      // spark-submit resolves paths before it loads the application jar
      client.unset("fs.file.impl");
      Path confDir = Files.createDirectories(dir.resolve("hadoop-conf"));
      for (String site : List.of("core-site.xml", "hdfs-site.xml", "yarn-site.xml")) {
        try (OutputStream out = Files.newOutputStream(confDir.resolve(site))) {
          client.writeXml(out);
        }
      }
      HadoopCluster c = new HadoopCluster(dir, dfs, yarn, confDir, StandaloneCluster.sparkHome());
      c.uploadJars();
      return c;
    } catch (Exception | Error e) {
      if (yarn != null) {
        yarn.stop();
      }
      dfs.shutdown();
      throw e;
    }
  }

  /** The ResourceManager binds its ports after start() returns; a client needs the real ones. */
  private static Configuration awaitAddresses(MiniYARNCluster yarn) throws InterruptedException {
    long end = System.nanoTime() + 60_000_000_000L;
    while (yarn.getConfig().get(YarnConfiguration.RM_ADDRESS, ":0").endsWith(":0")) {
      if (System.nanoTime() > end) {
        throw new IllegalStateException("the ResourceManager did not bind its address");
      }
      Thread.sleep(100);
    }
    return new Configuration(yarn.getConfig());
  }

  /**
   * The shaded jar goes to HDFS once, and every submission names it there, as the README says.
   * Spark's own jars (300 MB) are not uploaded: they are on this one node already, so the test
   * points spark.yarn.jars at them with {@code local:}, the other form the README describes;
   * uploading them and localizing them back took minutes of a two-core machine.
   */
  private void uploadJars() throws IOException {
    long t0 = System.nanoTime();
    fs().copyFromLocalFile(new org.apache.hadoop.fs.Path(StandaloneCluster.shadedJar().toUri()),
        new org.apache.hadoop.fs.Path(APP_JAR));
    System.err.printf("HadoopCluster: the shaded jar put on HDFS in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
  }

  /** The test's own HDFS client, as the superuser (the user who started the NameNode). */
  FileSystem fs() throws IOException {
    return dfs.getFileSystem();
  }

  /** {@code hdfs://127.0.0.1:PORT} + path. */
  String uri(String path) {
    return dfs.getURI() + path;
  }

  /** Applications the ResourceManager has accepted so far. */
  int applications() {
    return yarn.getResourceManager().getRMContext().getRMApps().size();
  }

  /**
   * Runs {@code pipeline ARGS} with SparkSubmit in client mode against this YARN, with
   * conf/spark-yarn.conf sized down to the test's small containers, as {@code user} on HDFS
   * ({@code HADOOP_USER_NAME}; null: the OS user). {@code onStart} gets the driver process,
   * {@code onLine} its output as it comes.
   */
  StandaloneCluster.Run submit(String user, Consumer<Process> onStart, Consumer<String> onLine, String... args)
      throws IOException, InterruptedException {
    Path root = TestData.projectRoot();
    String javaHome = Path.of(StandaloneCluster.java()).getParent().getParent().toString();
    List<String> command = new ArrayList<>(List.of(StandaloneCluster.java(), "-Xmx768m"));
    command.addAll(StandaloneCluster.javaFlags());
    command.addAll(List.of("-Dlog4j2.configurationFile=" + root.resolve("conf/log4j2.properties"),
        "-cp", confDir + ":" + sparkHome.resolve("conf") + ":" + sparkHome.resolve("jars") + "/*",
        "org.apache.spark.deploy.SparkSubmit", "--master", "yarn", "--deploy-mode", "client",
        "--properties-file", root.resolve("conf/spark-yarn.conf").toString(),
        "--files", root.resolve("conf/log4j2.properties").toString(),
        "--conf", "spark.executor.cores=1", "--conf", "spark.executor.memory=1g",
        "--conf", "spark.executor.memoryOverhead=384m", "--conf", "spark.yarn.am.memory=384m",
        "--conf", "spark.yarn.am.memoryOverhead=256m",
        // the NodeManager hands containers no JAVA_HOME of its own here
        "--conf", "spark.executorEnv.JAVA_HOME=" + javaHome, "--conf", "spark.yarn.appMasterEnv.JAVA_HOME=" + javaHome,
        "--conf", "spark.yarn.jars=local:" + sparkHome.resolve("jars") + "/*",
        "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.ui.enabled=false",
        "--class", "io.deeppipe.jobs.Pipeline", uri(APP_JAR)));
    command.addAll(Arrays.asList(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
    Map<String, String> env = pb.environment();
    env.put("HADOOP_CONF_DIR", confDir.toString());
    env.put("SPARK_HOME", sparkHome.toString());
    env.put("SPARK_SCALA_VERSION", "2.12");
    env.put("OMP_NUM_THREADS", "1");
    env.put("SPARK_LOCAL_IP", "127.0.0.1");
    if (user != null) {
      env.put("HADOOP_USER_NAME", user);
    } else {
      env.remove("HADOOP_USER_NAME");
    }
    Path log = dir.resolve("logs").resolve("submit-" + (++submissions) + "-" + args[0] + ".log");
    return StandaloneCluster.runLogged(pb, log, onStart, onLine);
  }

  StandaloneCluster.Run submit(String... args) throws IOException, InterruptedException {
    return submit(null, p -> {}, line -> {}, args);
  }

  /**
   * The executor JVMs of this cluster's containers that are alive now: java processes (not the
   * {@code bash -c} that the container's launch script runs them from) of Spark's YARN executor
   * class whose command line names a container directory under this checkout's jobs/target.
   */
  List<ProcessHandle> executors() {
    String workDir = TestData.projectRoot().resolve("jobs/target").toString();
    return ProcessHandle.allProcesses().filter(ProcessHandle::isAlive)
        .filter(h -> h.info().command().map(c -> c.endsWith("/java")).orElse(false))
        .filter(h -> h.info().commandLine().map(c -> c.contains("YarnCoarseGrainedExecutorBackend")
            && c.contains(workDir)).orElse(false))
        .toList();
  }

  @Override
  public void close() {
    try {
      yarn.stop();
    } finally {
      dfs.shutdown();
      // containers the NodeManager did not stop in time
      executors().forEach(ProcessHandle::destroyForcibly);
    }
  }
}
