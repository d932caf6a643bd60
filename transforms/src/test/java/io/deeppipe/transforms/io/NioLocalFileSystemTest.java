package io.deeppipe.transforms.io;

import static org.assertj.core.api.Assertions.assertThat;

import io.deeppipe.transforms.testing.LocalSpark;
import java.io.OutputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NioLocalFileSystemTest {
  @TempDir java.nio.file.Path tmp;

  private static FileSystem open(FileSystem fs) throws Exception {
    fs.initialize(java.net.URI.create("file:///"), new Configuration());
    return fs;
  }

  /** What a tree of files and directories written through a file system looks like on disk. */
  private List<String> writeTree(FileSystem fs, String name) throws Exception {
    Path root = new Path(tmp.resolve(name).toUri());
    fs.mkdirs(new Path(root, "a/b/c"));
    try (OutputStream out = fs.create(new Path(root, "a/b/c/part-0.parquet"), true)) {
      out.write(new byte[] {1, 2, 3});
    }
    fs.mkdirs(new Path(root, "private"), new FsPermission((short) 0700));
    fs.setPermission(new Path(root, "a/b/c/part-0.parquet"), new FsPermission((short) 0640));
    fs.create(new Path(root, "sticky/file"), true).close();
    fs.setPermission(new Path(root, "sticky"), new FsPermission((short) 01777));
    List<String> seen = new ArrayList<>();
    try (var files = Files.walk(tmp.resolve(name))) {
      for (java.nio.file.Path p : files.sorted().toList()) {
        seen.add(tmp.resolve(name).relativize(p) + " " + java.nio.file.attribute.PosixFilePermissions.toString(
            Files.getPosixFilePermissions(p)));
      }
    }
    seen.add("sticky " + fs.getFileStatus(new Path(root, "sticky")).getPermission());
    return seen;
  }

  @Test
  void writesTheSameFilesChecksumsAndPermissionsAsHadoopsLocalFileSystem() throws Exception {
    List<String> hadoop = writeTree(open(new LocalFileSystem()), "hadoop");
    List<String> nio = writeTree(open(new NioLocalFileSystem()), "nio");
    assertThat(nio).isEqualTo(hadoop);
    assertThat(nio).contains("a/b/c/.part-0.parquet.crc rw-r-----", "a/b/c/part-0.parquet rw-r-----",
        "private rwx------", "sticky rwxrwxrwt");
  }

  @Test
  void theSessionsWriteThroughIt() throws Exception {
    Configuration conf = LocalSpark.session().sparkContext().hadoopConfiguration();
    assertThat(FileSystem.get(java.net.URI.create("file:///"), conf)).isInstanceOf(NioLocalFileSystem.class);
  }
}
