package io.deeppipe.models.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.spark.TaskContext;

/**
 * The ONNX Runtime sessions of one JVM, one per model (keyed by the SHA-256 of its file): created
 * by the first task that needs it and shared by every later and concurrent task, since
 * {@code OrtSession.run} is thread-safe; closed when the JVM exits. A session's intra-op threads
 * are the cores Spark gives a task ({@code spark.task.cpus}), so concurrent tasks do not
 * over-subscribe the executor's cores (the same reason ND4J runs with one OpenMP thread here).
 * Where the {@code onnxruntime_gpu} jar is on the classpath (the {@code gpu} profile) the CUDA
 * execution provider is used.
 */
public final class OnnxSessions {
  private static final Map<String, OrtSession> SESSIONS = new ConcurrentHashMap<>();
  /** Sessions created in this JVM (tests check a model is not loaded per partition or per batch). */
  static final AtomicInteger LOADS = new AtomicInteger();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(OnnxSessions::closeAll, "onnx-sessions-close"));
  }

  private OnnxSessions() {}

  /** The session of the model {@code sha256}, created from {@code bytes} on first use in this JVM. */
  static OrtSession get(String sha256, Supplier<byte[]> bytes) {
    return SESSIONS.computeIfAbsent(sha256, k -> {
      try {
        LOADS.incrementAndGet();
        return open(bytes.get(), taskCores());
      } catch (OrtException e) {
        throw new IllegalStateException("ONNX Runtime cannot load the model " + sha256 + ": " + e.getMessage(), e);
      }
    });
  }

  /** A new session; the caller closes it. */
  static OrtSession open(byte[] model, int threads) throws OrtException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(threads);
      options.setInterOpNumThreads(1);
      if (OrtEnvironment.getAvailableProviders().contains(ai.onnxruntime.OrtProvider.CUDA)) {
        options.addCUDA(0);
      }
      return env.createSession(model, options);
    }
  }

  /** Sessions created in this JVM so far. */
  public static int loadsInThisJvm() {
    return LOADS.get();
  }

  private static int taskCores() {
    TaskContext task = TaskContext.get();
    return task == null ? 1 : Math.max(1, task.cpus());
  }

  private static void closeAll() {
    for (OrtSession s : SESSIONS.values()) {
      try {
        s.close();
      } catch (OrtException | RuntimeException ignored) {
        // the JVM is exiting: nothing more to do with a session that will not close
      }
    }
    SESSIONS.clear();
  }
}
