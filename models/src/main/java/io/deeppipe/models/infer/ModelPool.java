package io.deeppipe.models.infer;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

/**
 * The models of one executor JVM: each model is deserialised once per JVM, and every task that
 * runs at the same time borrows its own copy (a network is not safe to share between threads).
 */
final class ModelPool {
  private static final Map<String, MultiLayerNetwork> LOADED = new ConcurrentHashMap<>();
  private static final Map<String, Queue<MultiLayerNetwork>> IDLE = new ConcurrentHashMap<>();
  /** Deserialisations in this JVM (tests check the model is not loaded per partition). */
  static final AtomicInteger LOADS = new AtomicInteger();

  private ModelPool() {}

  static MultiLayerNetwork borrow(String key, byte[] modelZip) {
    MultiLayerNetwork idle = IDLE.computeIfAbsent(key, k -> new ConcurrentLinkedQueue<>()).poll();
    if (idle != null) {
      return idle;
    }
    MultiLayerNetwork loaded = LOADED.computeIfAbsent(key, k -> load(modelZip));
    return loaded.clone();
  }

  static void release(String key, MultiLayerNetwork net) {
    IDLE.computeIfAbsent(key, k -> new ConcurrentLinkedQueue<>()).offer(net);
  }

  static MultiLayerNetwork load(byte[] modelZip) {
    LOADS.incrementAndGet();
    try {
      return ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(modelZip), false);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
