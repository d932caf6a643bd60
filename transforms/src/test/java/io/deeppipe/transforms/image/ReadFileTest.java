package io.deeppipe.transforms.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deeppipe.transforms.io.NioLocalFileSystem;
import io.deeppipe.transforms.testing.TestData;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How ingest reads one image file: local files through {@code java.nio} unless Hadoop keeps a checksum
 * beside them, every other file through Hadoop — the same bytes and the same reasons either way.
 */
class ReadFileTest {
  @TempDir Path dir;

  /** Our checksummed local file system (the jobs install it) and Hadoop's own. */
  private static List<Configuration> configurations() {
    NioLocalFileSystem.install();
    Configuration hadoops = new Configuration();
    hadoops.set("fs.file.impl", LocalFileSystem.class.getName());
    hadoops.setBoolean("fs.file.impl.disable.cache", true);
    return List.of(new Configuration(), hadoops);
  }

  private static byte[] read(Path file, Configuration conf) throws RejectedImage {
    return ImageIngest.readAll(new org.apache.hadoop.fs.Path(file.toUri()), conf);
  }

  /** Hadoop's own read of a file: what ingest did for every file before. */
  private static byte[] hadoopRead(Path file, Configuration conf) throws IOException {
    org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(file.toUri());
    try (var in = path.getFileSystem(conf).open(path)) {
      return in.readAllBytes();
    }
  }

  @Test
  void realImagesReadAsHadoopReadsThem() throws Exception {
    List<Path> files;
    try (Stream<Path> s = Files.list(TestData.sklearnPhotosDir())) {
      files = s.filter(Files::isRegularFile).toList();
    }
    Path pngs = TestData.writeMnistPngs(dir.resolve("mnist"), 2);
    try (Stream<Path> s = Files.walk(pngs)) {
      files = Stream.concat(files.stream(), s.filter(Files::isRegularFile)).toList();
    }
    assertThat(files).hasSizeGreaterThan(10);
    for (Configuration conf : configurations()) {
      for (Path f : files) {
        assertThat(read(f, conf)).as(f.toString()).isEqualTo(hadoopRead(f, conf)).isEqualTo(Files.readAllBytes(f));
      }
    }
  }

  @Test
  void aChecksumBesideTheFileIsStillChecked() throws Exception {
    for (Configuration conf : configurations()) {
      Path file = dir.resolve("written-by-hadoop-" + conf.get("fs.file.impl").hashCode() + ".png");
      org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(file.toUri());
      FileSystem fs = path.getFileSystem(conf);
      byte[] bytes = Files.readAllBytes(TestData.sklearnPhotosDir().resolve("china.jpg"));
      try (OutputStream out = fs.create(path)) {
        out.write(bytes);
      }
      assertThat(Files.exists(dir.resolve("." + file.getFileName() + ".crc"))).isTrue();
      assertThat(read(file, conf)).isEqualTo(bytes);
      // one byte changed behind Hadoop's back: its checksum refuses the file, as it always did
      bytes[bytes.length / 2] ^= 1;
      Files.write(file, bytes);
      assertThatThrownBy(() -> read(file, conf)).isInstanceOfSatisfying(RejectedImage.class, e -> {
        assertThat(e.reason()).isEqualTo(RejectedImage.UNREADABLE);
        assertThat(e.getMessage()).contains("Checksum");
      });
    }
  }

  @Test
  void missingDirectoryEmptyAndTooLargeFilesKeepTheirReasons() throws Exception {
    Path empty = Files.createFile(dir.resolve("empty.png"));
    Path huge = dir.resolve("huge.png");
    try (RandomAccessFile f = new RandomAccessFile(huge.toFile(), "rw")) {
      f.setLength(ImageIngest.MAX_FILE_BYTES + 1); // sparse: refused before a byte is read
    }
    for (Configuration conf : configurations()) {
      assertThat(read(empty, conf)).isEmpty();
      assertThatThrownBy(() -> read(dir.resolve("no-such.png"), conf)).isInstanceOfSatisfying(RejectedImage.class,
          e -> assertThat(e.reason()).isEqualTo(RejectedImage.MISSING_FILE));
      assertThatThrownBy(() -> read(dir, conf)).isInstanceOfSatisfying(RejectedImage.class, e -> {
        assertThat(e.reason()).isEqualTo(RejectedImage.UNREADABLE);
        assertThat(e.getMessage()).isEqualTo("is a directory");
      });
      assertThatThrownBy(() -> read(huge, conf)).isInstanceOfSatisfying(RejectedImage.class, e -> {
        assertThat(e.reason()).isEqualTo(RejectedImage.TOO_MANY_PIXELS);
        assertThat(e.getMessage()).isEqualTo("file of " + (ImageIngest.MAX_FILE_BYTES + 1) + " bytes");
      });
    }
  }
}
