package io.deeppipe.transforms.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsAction;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * Hadoop's checksummed {@code file:} file system, except that permissions are set through {@code
 * java.nio} instead of a forked {@code chmod}. Without Hadoop's native library (which no Maven
 * artifact ships) {@link RawLocalFileSystem} forks {@code chmod} for every file it creates and every
 * directory it makes: about 20 ms each from a JVM with a large heap, which made writing a few dozen
 * small Parquet, Arrow or checkpoint files take seconds (measured in BENCHMARKS.md). Same files, same
 * permissions, same checksums; a permission {@code java.nio} cannot express (sticky bit, a file
 * system without POSIX attributes) still goes to Hadoop's own code. {@link #install} makes it the
 * {@code file:} file system of every Hadoop {@code Configuration} of this JVM (the jobs call it before
 * anything touches a file system: Hadoop caches one instance per scheme, whatever the configuration);
 * Spark sessions also pass it to executors ({@link #CONF}).
 */
public final class NioLocalFileSystem extends LocalFileSystem {
  /** The Hadoop key (as a Spark setting) that makes {@code file:} paths use this class. */
  public static final String CONF = "spark.hadoop.fs.file.impl";

  /** The Hadoop resource that names this class for {@code file:}. */
  static final String RESOURCE = "deeppipe-local-fs.xml";
  private static boolean tried;
  private static boolean installed;

  /**
   * Makes this the {@code file:} file system of every Hadoop configuration in this JVM, unless one
   * is configured already (a {@code core-site.xml} that sets {@code fs.file.impl}, or Spark's {@code
   * spark.hadoop.fs.file.impl}, wins) or Hadoop cannot see this class (under {@code spark-submit} the
   * application jar has a class loader of its own: Hadoop's code there keeps its own file system).
   * Idempotent; returns whether it is in use.
   */
  public static synchronized boolean install() {
    if (!tried) {
      tried = true;
      try {
        Class.forName(NioLocalFileSystem.class.getName(), false, org.apache.hadoop.conf.Configuration.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        return false;
      }
      // spark-submit's --conf arrives as a system property that SparkConf reads
      if (new org.apache.hadoop.conf.Configuration().get("fs.file.impl") == null
          && !new org.apache.spark.SparkConf().contains(CONF)) {
        org.apache.hadoop.conf.Configuration.addDefaultResource(RESOURCE);
        installed = true;
      }
    }
    return installed;
  }

  public NioLocalFileSystem() {
    super(new Raw());
  }

  /** The raw (unchecksummed) file system under it. */
  public static final class Raw extends RawLocalFileSystem {
    @Override
    public void setPermission(Path p, FsPermission permission) throws IOException {
      java.nio.file.Path file = pathToFile(p).toPath();
      if (permission.getStickyBit()
          || !Files.getFileStore(file).supportsFileAttributeView(java.nio.file.attribute.PosixFileAttributeView.class)) {
        super.setPermission(p, permission);
        return;
      }
      Files.setPosixFilePermissions(file, posix(permission));
    }
  }

  static Set<PosixFilePermission> posix(FsPermission permission) {
    Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
    add(out, permission.getUserAction(), PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
        PosixFilePermission.OWNER_EXECUTE);
    add(out, permission.getGroupAction(), PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
        PosixFilePermission.GROUP_EXECUTE);
    add(out, permission.getOtherAction(), PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE,
        PosixFilePermission.OTHERS_EXECUTE);
    return out;
  }

  private static void add(Set<PosixFilePermission> out, FsAction action, PosixFilePermission read,
      PosixFilePermission write, PosixFilePermission execute) {
    if (action.implies(FsAction.READ)) {
      out.add(read);
    }
    if (action.implies(FsAction.WRITE)) {
      out.add(write);
    }
    if (action.implies(FsAction.EXECUTE)) {
      out.add(execute);
    }
  }
}
