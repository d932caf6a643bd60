package io.deeppipe.transforms.io;

import static org.assertj.core.api.Assertions.assertThat;

import io.deeppipe.transforms.testing.LocalSpark;
import io.deeppipe.transforms.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A local folder walked with java.nio lists what Spark's own file index lists. */
class FolderListingTest {
  @TempDir Path dir;

  private static void file(Path p, String content) throws Exception {
    Files.createDirectories(p.getParent());
    Files.writeString(p, content);
  }

  @Test
  void aLocalFolderListsWhatSparksFileIndexLists() throws Exception {
    SparkSession spark = LocalSpark.session();
    Path root = dir.resolve("images");
    TestData.writeMnistPngs(root, 2);
    // what Spark's index leaves out, keeps or follows, at several depths
    file(root.resolve("cat/.hidden.png"), "x");
    file(root.resolve("cat/_underscore.png"), "x");
    file(root.resolve("cat/_metadata"), "x");
    file(root.resolve("cat/_common_metadata"), "x");
    file(root.resolve("cat/half.png._COPYING_"), "x");
    file(root.resolve("cat/a=b/in-partition-like-folder.png"), "x");
    file(root.resolve("cat/_a=b/kept-too.png"), "x");
    file(root.resolve("_skipped/inside.png"), "x");
    file(root.resolve(".git/objects/inside.png"), "x");
    file(root.resolve("dog/deeper/still/deep.png"), "x");
    file(root.resolve("dog/with space #1 100%.png"), "x");
    file(root.resolve("dog/ünïcødé 猫.png"), "x");
    file(root.resolve("dog/colon:in:name.png"), "x");
    Files.createFile(root.resolve("dog/zero-bytes.png"));
    Files.createDirectories(root.resolve("empty-folder"));
    Files.createSymbolicLink(root.resolve("dog/link-to-file.png"), root.resolve("dog/deeper/still/deep.png"));
    Files.createSymbolicLink(root.resolve("linked-folder"), root.resolve("dog/deeper"));
    Files.createSymbolicLink(root.resolve("dog/dangling.png"), root.resolve("nowhere.png"));

    org.apache.hadoop.fs.Path qualified = new org.apache.hadoop.fs.Path(root.toUri());
    List<String> local = FolderListing.files(spark, qualified);
    List<String> sparks = FolderListing.spark(spark, qualified);
    java.util.Collections.sort(sparks);
    assertThat(local).isEqualTo(sparks);
    assertThat(local).hasSize(20 + 11)
        .contains("file:" + root.resolve("dog/with space #1 100%.png"), "file:" + root.resolve("cat/_metadata"),
            "file:" + root.resolve("linked-folder/still/deep.png"), "file:" + root.resolve("dog/zero-bytes.png"))
        .noneMatch(p -> p.contains("hidden") || p.contains("_underscore") || p.contains("COPYING")
            || p.contains("_skipped") || p.contains(".git") || p.contains("dangling"));
  }

  @Test
  void aSingleFileListsItself() throws Exception {
    Path png = TestData.writeMnistPngs(dir.resolve("one"), 1).resolve("0/0-0.png");
    org.apache.hadoop.fs.Path qualified = new org.apache.hadoop.fs.Path(png.toUri());
    assertThat(FolderListing.files(LocalSpark.session(), qualified))
        .isEqualTo(FolderListing.spark(LocalSpark.session(), qualified))
        .containsExactly("file:" + png);
  }
}
