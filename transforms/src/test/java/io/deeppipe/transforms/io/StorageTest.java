package io.deeppipe.transforms.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deeppipe.transforms.card.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Storage's checks on the local file system; HDFS permissions are HadoopClusterIT's. */
class StorageTest {
  private final Configuration conf = new Configuration();

  @Test
  void anOutputUnderMissingDirectoriesIsCreatable(@TempDir Path tmp) {
    Path target = tmp.resolve("a/b/out");
    Storage.checkCreatable("--output", new org.apache.hadoop.fs.Path(target.toUri()), conf);
    assertThat(tmp.resolve("a")).as("the check creates nothing").doesNotExist();
  }

  @Test
  void anOutputBelowAFileIsRefusedNamingBoth(@TempDir Path tmp) throws Exception {
    Path file = Files.writeString(tmp.resolve("file"), "x");
    org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(file.resolve("sub/out").toUri());
    assertThatThrownBy(() -> Storage.checkCreatable("--output", target, conf))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("--output " + target)
        .hasMessageContaining("is a file, not a directory");
  }
}
