package io.deeppipe.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The harness at tiny sizes, so it cannot rot: every stage runs (one round, no warm-up), the
 * Markdown and the JSON are written, every stage has a row and every measured figure is finite.
 * The figures themselves mean nothing at this size.
 */
class BenchSmokeIT {
  @Test
  void everyStageRunsAndIsReported(@TempDir Path tmp) throws Exception {
    Path md = tmp.resolve("BENCHMARKS.md");
    Path json = tmp.resolve("bench.json");
    Files.writeString(md, "# Benchmarks\n\nhand-written text stays\n");
    int code = Bench.run("--scale", "smoke", "--out", md.toString(), "--json", json.toString(), "--work",
        tmp.resolve("work").toString());
    assertThat(code).isZero();

    JsonNode root = new ObjectMapper().readTree(json.toFile());
    Set<String> stages = new HashSet<>();
    for (JsonNode row : root.get("rows")) {
      String stage = row.get("stage_key").asText();
      stages.add(stage);
      assertThat(row.get("measure").asText()).as(row.toString()).isNotEqualTo("not measured");
      assertThat(row.get("ratio").isNumber()).as(row.toString()).isTrue();
      assertThat(Double.isFinite(row.get("ratio").asDouble())).as(row.toString()).isTrue();
      for (String side : new String[] {"ours_seconds", "against_seconds"}) {
        JsonNode s = row.get(side);
        if (s != null && !s.isNull()) {
          assertThat(s.get("seconds")).as(row.toString()).isNotEmpty();
          for (JsonNode v : s.get("seconds")) {
            assertThat(Double.isFinite(v.asDouble())).as(row.toString()).isTrue();
          }
        }
      }
    }
    assertThat(stages).containsExactlyInAnyOrderElementsOf(Bench.STAGES);

    String text = Files.readString(md);
    assertThat(text).contains("hand-written text stays", Bench.BEGIN, Bench.END, "| text ingest |",
        "| image ingest (JPEG) |", "| image ingest (MNIST PNG) |", "| training (mlp) |", "| training (cnn) |",
        "| inference |", "| onnx (mlp) |", "| onnx (cnn) |", "| formats (", "| memory |", "Machine:");
    assertThat(text).doesNotContain("not measured");
  }
}
