package io.deeppipe.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.deeppipe.transforms.testing.TestData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bin/pipeline as a user runs it: a real process, its exit codes and what it prints. */
class LauncherIT {
  record Run(int code, String out) {}

  static Run launch(Path workdir, List<String> env, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(TestData.projectRoot().resolve("bin/pipeline").toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(workdir.toFile()).redirectErrorStream(true);
    pb.environment().put("DEEPPIPE_NO_BUILD", "1"); // mvn verify has just built it
    pb.environment().put("DEEPPIPE_DRIVER_MEMORY", "1g");
    for (String kv : env) {
      String[] p = kv.split("=", 2);
      pb.environment().put(p[0], p[1]);
    }
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(10, TimeUnit.MINUTES)).isTrue();
    return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  @Test
  void exitCodesAreHonest(@TempDir Path tmp) throws Exception {
    assertThat(launch(tmp, List.of(), "--help").code()).isZero();
    Run bad = launch(tmp, List.of(), "ingest-text", "--input", "x.jsonl", "--output", "o", "--max-length", "0");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.out()).contains("--max-length must be in 1..100000, got 0");
    Run missing = launch(tmp, List.of(), "ingest-images", "--input", tmp.resolve("none").toString(), "--output", "o");
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.out()).contains("does not exist");
    assertThat(launch(tmp, List.of(), "predict").code()).isEqualTo(2);
    assertThat(tmp.resolve("o")).doesNotExist();
    // a runtime failure is 1, never 0: a file the JVM cannot write as output parent
    Path blocker = Files.writeString(tmp.resolve("blocker"), "a file, not a directory");
    Path in = Files.writeString(tmp.resolve("in.txt"), "hello\n");
    Run failed = launch(tmp, List.of(), "ingest-text", "--input", in.toString(), "--output", blocker.resolve("out").toString());
    assertThat(failed.code()).as(failed.out()).isEqualTo(1);
  }

  @Test
  void quickstartRunsEndToEndAndPrintsWhereOutputsAre(@TempDir Path tmp) throws Exception {
    Run r = launch(tmp, List.of(), "quickstart", "--workdir", tmp.resolve("qs").toString());
    assertThat(r.code()).as(r.out()).isZero();
    assertThat(r.out()).contains("[4/4] image dataset: " + tmp.resolve("qs/datasets/mnist"));
    assertThat(tmp.resolve("qs/datasets/languages/dataset.json")).exists();
    assertThat(tmp.resolve("qs/datasets/mnist/dataset.json")).exists();
    assertThat(Files.readString(tmp.resolve("qs/datasets/mnist/dataset.json"))).contains("\"input_records\" : 3000");
    // a rerun replaces the outputs and gives the same datasets
    String first = Files.readString(tmp.resolve("qs/datasets/languages/dataset.json"));
    Run again = launch(tmp, List.of(), "quickstart", "--workdir", tmp.resolve("qs").toString());
    assertThat(again.code()).isZero();
    String second = Files.readString(tmp.resolve("qs/datasets/languages/dataset.json"));
    assertThat(fingerprint(second)).isEqualTo(fingerprint(first));
  }

  private static String fingerprint(String card) {
    int i = card.indexOf("\"fingerprint\"");
    return card.substring(i, card.indexOf('\n', i));
  }
}
