package io.deeppipe.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import io.deeppipe.transforms.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** The README, the launcher and conf/ name commands and options: they must exist. */
class ProjectFilesTest {
  private final Path root = TestData.projectRoot();
  private final CommandLine cli = Pipeline.commandLine(ConfigDefaults.fromArgs(new String[0]));
  /** Options without a default on purpose: where data comes from and goes, and per-run switches. */
  private static final Set<String> NO_DEFAULT =
      Set.of("input", "output", "manifest", "data", "model", "config", "master", "help", "version", "json", "root",
          "onnx", "labels");

  @Test
  void everyCommandAndOptionInTheReadmeExists() throws Exception {
    String readme = Files.readString(root.resolve("README.md"));
    Matcher m = Pattern.compile("bin/pipeline ([a-z][a-z-]*)((?: +[^\\n`|#]*)?)").matcher(readme);
    Set<String> seen = new TreeSet<>();
    while (m.find()) {
      String command = m.group(1);
      if (command.equals("COMMAND")) {
        continue;
      }
      seen.add(command);
      assertThat(cli.getSubcommands()).as("README names 'bin/pipeline " + command + "'").containsKey(command);
      Matcher opt = Pattern.compile("(--[a-z-]+)").matcher(m.group(2));
      while (opt.find()) {
        String name = opt.group(1);
        assertThat(cli.getSubcommands().get(command).getCommandSpec().findOption(name))
            .as("README: bin/pipeline " + command + " " + name)
            .isNotNull();
      }
    }
    assertThat(seen).contains("quickstart", "ingest-text", "ingest-images", "inspect");
    assertThat(readme).contains("bin/test");
    String ci = Files.readString(root.resolve(".ci/run"));
    assertThat(ci).contains("bin/test");
    assertThat(Files.readString(root.resolve("bin/test"))).contains("mvn -B verify");
    assertThat(Files.readString(root.resolve("bin/pipeline"))).contains("io.deeppipe.jobs.Pipeline");
    assertThat(readme).contains("--class io.deeppipe.jobs.Pipeline");
  }

  @Test
  void everyTestTheReadmeCitesAsProofExists() throws Exception {
    String readme = Files.readString(root.resolve("README.md"));
    String guarantees = readme.substring(readme.indexOf("## Guarantees"), readme.indexOf("## Layout"));
    Set<String> tests = new TreeSet<>();
    try (var files = Files.walk(root, 12)) {
      files.filter(f -> f.toString().contains("/src/test/java/")).map(f -> f.getFileName().toString())
          .filter(n -> n.endsWith(".java")).forEach(n -> tests.add(n.substring(0, n.length() - 5)));
    }
    Matcher m = Pattern.compile("\\b[A-Z][A-Za-z0-9]*(?:Test|IT)\\b").matcher(guarantees);
    Set<String> cited = new TreeSet<>();
    while (m.find()) {
      cited.add(m.group());
    }
    assertThat(cited).contains("BadInputCorpusTest", "BadOptionsTest", "KillIT", "UntrustedFilesTest");
    assertThat(tests).as("test classes the README's Guarantees cite").containsAll(cited);
  }

  @Test
  void everyJvmTheProjectStartsGetsTheJava17Flags() throws Exception {
    String pom = Files.readString(root.resolve("pom.xml"));
    String opens = pom.substring(pom.indexOf("<java17.opens>") + 14, pom.indexOf("</java17.opens>"));
    String launcher = Files.readString(root.resolve("bin/pipeline"));
    for (String flag : opens.split(" ")) {
      assertThat(launcher).as("bin/pipeline").contains(flag);
      for (String file : List.of("conf/spark-local.conf", "conf/spark-cluster.conf", "conf/spark-gpu.conf",
          "conf/spark-yarn.conf")) {
        String conf = Files.readString(root.resolve(file));
        assertThat(conf).as(file).contains("spark.driver.extraJavaOptions");
        for (String line : conf.split("\n")) {
          if (line.matches("spark\\.(driver|executor|yarn\\.am)\\.extraJavaOptions\\s.*")) {
            assertThat(line).as(file).contains(flag);
          }
        }
      }
    }
  }

  /**
   * No GPU here: the discovery script runs against a stand-in {@code nvidia-smi} printing what the
   * real one prints for {@code --query-gpu=index --format=csv,noheader}, and without one.
   */
  @Test
  void theGpuDiscoveryScriptPrintsWhatSparkExpects(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
    Path script = root.resolve("conf/gpu/discover-gpus.sh");
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    Path smi = Files.writeString(bin.resolve("nvidia-smi"), "#!/bin/sh\nprintf '0\\n1\\n'\n");
    smi.toFile().setExecutable(true);
    String found = runScript(script, bin + ":/usr/bin:/bin", 0);
    assertThat(com.fasterxml.jackson.databind.json.JsonMapper.builder().build().readTree(found).toString())
        .isEqualTo("{\"name\":\"gpu\",\"addresses\":[\"0\",\"1\"]}");
    assertThat(runScript(script, "/usr/bin:/bin", 1)).contains("nvidia-smi not found");
    String conf = Files.readString(root.resolve("conf/spark-gpu.conf"));
    assertThat(conf).contains("spark.executor.resource.gpu.amount", "spark.task.resource.gpu.amount",
        "spark.executor.resource.gpu.discoveryScript ./" + script.getFileName());
  }

  private static String runScript(Path script, String path, int expectedCode) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(script.toString()).redirectErrorStream(true);
    pb.environment().put("PATH", path);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isEqualTo(expectedCode);
    return out;
  }

  @Test
  void everyOptionOfEveryCommandHasItsDefaultDeclaredOnceInConfOrAsAParam() throws Exception {
    for (var e : cli.getSubcommands().entrySet()) {
      Path conf = root.resolve("conf/" + e.getKey() + ".conf");
      assertThat(conf).as("conf for " + e.getKey()).exists();
      Config defaults = ConfigDefaults.fromArgs(new String[0]).builtIn(e.getKey());
      for (OptionSpec o : e.getValue().getCommandSpec().options()) {
        String key = ConfigDefaults.key(o);
        if (o.userObject() instanceof org.apache.spark.ml.param.Param<?> param) {
          // derived from a Spark ML Param: its default lives in the Param, not a second time in conf
          assertThat(defaults.hasPath("\"" + key + "\"")).as(conf + " repeats the Param default of " + key).isFalse();
          assertThat(o.defaultValue()).as(key).isNotNull();
          assertThat(o.description()[0]).as(key).startsWith(param.doc());
        } else if (!NO_DEFAULT.contains(key)) {
          assertThat(defaults.hasPath("\"" + key + "\"")).as(conf + " sets " + key).isTrue();
        }
      }
      for (String key : defaults.root().keySet()) {
        assertThat(e.getValue().getCommandSpec().findOption("--" + key))
            .as(conf + " key " + key + " is an option of " + e.getKey()).isNotNull();
      }
    }
  }
}
