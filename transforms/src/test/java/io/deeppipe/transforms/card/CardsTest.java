package io.deeppipe.transforms.card;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deeppipe.transforms.testing.LocalSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CardsTest {
  private final Configuration conf = LocalSpark.session().sparkContext().hadoopConfiguration();

  private void refuse(Path dir, String json, String expected) throws Exception {
    Files.createDirectories(dir);
    if (json != null) {
      Files.writeString(dir.resolve("dataset.json"), json);
    }
    assertThatThrownBy(() -> Cards.readDataset(new org.apache.hadoop.fs.Path(dir.toString()), conf))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining(expected);
  }

  @Test
  void refusesMissingCorruptAndForeignCards(@TempDir Path tmp) throws Exception {
    assertThatThrownBy(() -> Cards.readDataset(new org.apache.hadoop.fs.Path(tmp.resolve("none").toString()), conf))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("does not exist");
    refuse(tmp.resolve("unfinished"), null, "has no dataset.json");
    refuse(tmp.resolve("corrupt"), "{\"kind\": \"text\", ", "not a valid DatasetCard");
    refuse(tmp.resolve("empty"), "", "not a valid DatasetCard");
    refuse(tmp.resolve("future"), "{\"schema_version\": 99, \"kind\": \"text\"}", "schema_version 99");
    refuse(tmp.resolve("model"), "{\"schema_version\": 1, \"kind\": \"mlp\"}", "kind 'mlp'");
    refuse(tmp.resolve("partial"), "{\"schema_version\": 1, \"kind\": \"text\"}", "incomplete");
  }
}
