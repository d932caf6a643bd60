package io.deeppipe.transforms.io;

import io.deeppipe.transforms.card.BadInputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsAction;
import org.apache.hadoop.security.AccessControlException;
import org.apache.hadoop.security.UserGroupInformation;

/**
 * Small file operations on any Hadoop FileSystem URI (file:, hdfs:, s3a:), plus the atomic
 * publish of an output directory: everything is written under a temporary sibling and renamed into
 * place once complete, so a killed job never leaves something that looks finished.
 */
public final class Storage {
  private Storage() {}

  public static FileSystem fs(Path path, Configuration conf) {
    try {
      return path.getFileSystem(conf);
    } catch (IOException e) {
      throw new BadInputException("cannot open file system for " + path + ": " + e.getMessage(), e);
    }
  }

  public static boolean exists(Path path, Configuration conf) {
    try {
      return fs(path, conf).exists(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Refuses, before any work, an output the current user could not publish: the nearest existing
   * directory above {@code target} (where the temporary sibling is created and renamed) and
   * {@code target} itself if it exists (a resumed run writes into it, an overwrite moves it) must
   * be writable. Without this, a permission problem on HDFS surfaces only when the first task
   * writes, after the whole input was read, as a runtime failure.
   */
  public static void checkCreatable(String option, Path target, Configuration conf) {
    FileSystem fs = fs(target, conf);
    try {
      Path dir = target.getParent();
      while (dir != null && !fs.exists(dir)) {
        dir = dir.getParent();
      }
      if (dir != null) {
        checkWritableDirectory(option, target, fs, fs.getFileStatus(dir));
      }
      if (fs.exists(target)) {
        checkWritableDirectory(option, target, fs, fs.getFileStatus(target));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check " + option + " " + target, e);
    }
  }

  private static void checkWritableDirectory(String option, Path target, FileSystem fs, FileStatus status)
      throws IOException {
    Path dir = status.getPath();
    if (!status.isDirectory()) {
      throw new BadInputException(option + " " + target + ": " + dir + " is a file, not a directory");
    }
    boolean writable;
    if ("file".equals(fs.getScheme())) {
      // the local file system's access() compares mode bits only and would refuse root
      writable = new java.io.File(dir.toUri().getPath()).canWrite();
    } else {
      try {
        fs.access(dir, FsAction.WRITE_EXECUTE);
        writable = true;
      } catch (AccessControlException e) {
        writable = false;
      }
    }
    if (!writable) {
      throw new BadInputException(option + " " + target + " cannot be written: user "
          + UserGroupInformation.getCurrentUser().getShortUserName() + " has no write permission on " + dir
          + " (owner " + status.getOwner() + ", mode " + status.getPermission() + ")");
    }
  }

  public static String readString(Path path, Configuration conf) {
    return new String(readBytes(path, conf), StandardCharsets.UTF_8);
  }

  /**
   * The whole file. A file that no longer matches the checksum Hadoop wrote beside it (the hidden
   * {@code .NAME.crc} of a local or checksummed file system) was changed or damaged after it was
   * written: that is bad input, not a failure of the job.
   */
  public static byte[] readBytes(Path path, Configuration conf) {
    try (InputStream in = fs(path, conf).open(path)) {
      return in.readAllBytes();
    } catch (org.apache.hadoop.fs.ChecksumException e) {
      throw new BadInputException(path + " does not match its checksum file (." + path.getName()
          + ".crc): it was changed or damaged after it was written", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }

  public static void writeString(Path path, String content, Configuration conf) {
    writeBytes(path, content.getBytes(StandardCharsets.UTF_8), conf);
  }

  public static void writeBytes(Path path, byte[] content, Configuration conf) {
    try (OutputStream out = fs(path, conf).create(path, true)) {
      out.write(content);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + path, e);
    }
  }

  /** A fresh temporary sibling of {@code target}, hidden from Spark/Hadoop listings by its dot. */
  public static Path temporarySibling(Path target) {
    return new Path(target.getParent(), "." + target.getName() + ".tmp-" + UUID.randomUUID());
  }

  /**
   * Moves a complete {@code staged} directory to {@code target}. With {@code overwrite}, an existing
   * target is first moved aside and deleted only after the new one is in place.
   */
  public static void publish(Path staged, Path target, boolean overwrite, Configuration conf) {
    try {
      FileSystem fs = fs(target, conf);
      Path old = null;
      if (fs.exists(target)) {
        if (!overwrite) {
          throw new BadInputException(
              "output " + target + " already exists (use --mode overwrite to replace it)");
        }
        old = new Path(target.getParent(), "." + target.getName() + ".old-" + UUID.randomUUID());
        if (!fs.rename(target, old)) {
          throw new IOException("cannot move existing " + target + " aside");
        }
      }
      if (!fs.rename(staged, target)) {
        throw new IOException("cannot rename " + staged + " to " + target);
      }
      if (old != null) {
        fs.delete(old, true);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Renames {@code from} to {@code to} (which must not exist), or fails saying which. */
  public static void rename(Path from, Path to, Configuration conf) {
    try {
      if (!fs(from, conf).rename(from, to)) {
        throw new IOException("cannot rename " + from + " to " + to);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static void deleteQuietly(Path path, Configuration conf) {
    try {
      fs(path, conf).delete(path, true);
    } catch (IOException | RuntimeException ignored) {
      // best effort: a leftover temporary directory is hidden and harmless
    }
  }

  /** The files directly in {@code dir} whose names end with {@code suffix}, sorted; none if it does not exist. */
  public static java.util.List<Path> list(Path dir, String suffix, Configuration conf) {
    try {
      FileSystem fs = fs(dir, conf);
      if (!fs.exists(dir)) {
        return java.util.List.of();
      }
      java.util.List<Path> out = new java.util.ArrayList<>();
      for (var status : fs.listStatus(dir, p -> p.getName().endsWith(suffix))) {
        out.add(status.getPath());
      }
      java.util.Collections.sort(out);
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static void mkdirs(Path dir, Configuration conf) {
    try {
      fs(dir, conf).mkdirs(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
