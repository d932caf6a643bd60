package io.deeppipe.transforms.text;

import java.util.Arrays;

/**
 * Distinct tokens looked up by a range of a text, without a string per lookup: an open-addressing
 * table (linear probing, at most half full) of the tokens with their {@link String#hashCode} and a
 * number per token. The vocabulary's ids and a task's token counts are such tables; a
 * {@code HashMap<String, …>} needed a substring per token occurrence, its hash computed again, and
 * was a fifth of ingest-text's CPU time (JFR, see BENCHMARKS.md).
 */
final class TokenTable {
  private String[] keys;
  private int[] hashes;
  private long[] values;
  private int size;
  /** 32 − log2(capacity): the top bits of the Fibonacci-mixed hash pick the slot. */
  private int shift;

  TokenTable(int expected) {
    int capacity = Integer.highestOneBit(Math.max(8, expected) * 2 - 1) << 1;
    keys = new String[capacity];
    hashes = new int[capacity];
    values = new long[capacity];
    shift = Integer.numberOfLeadingZeros(capacity) + 1;
  }

  /**
   * The first slot of a hash. Fibonacci hashing: short tokens' string hashes are close together
   * (31·c1 + c2 …) and with the hash's low bits as the slot they formed long runs that linear
   * probing walks.
   */
  private int home(int hash) {
    return (hash * 0x9E3779B9) >>> shift;
  }

  int size() {
    return size;
  }

  /** {@code text[start, end)}'s hash as {@link String#hashCode} computes it. */
  static int hash(String text, int start, int end) {
    int h = 0;
    for (int i = start; i < end; i++) {
      h = 31 * h + text.charAt(i);
    }
    return h;
  }

  /** The slot of {@code text[start, end)}: where it is, or the empty slot where it would go. */
  private int slot(String text, int start, int end, int hash) {
    int mask = keys.length - 1;
    int length = end - start;
    for (int i = home(hash); ; i = (i + 1) & mask) {
      String key = keys[i];
      if (key == null
          || (hashes[i] == hash && key.length() == length && key.regionMatches(0, text, start, length))) {
        return i;
      }
    }
  }

  /** The value of {@code text[start, end)}, or {@code absent} when it is not in the table. */
  long get(String text, int start, int end, long absent) {
    int i = slot(text, start, end, hash(text, start, end));
    return keys[i] == null ? absent : values[i];
  }

  /** Stores {@code value} for {@code token} unless it is already there (the first value wins). */
  void putIfAbsent(String token, long value) {
    int i = slot(token, 0, token.length(), token.hashCode());
    if (keys[i] == null) {
      insert(i, token, token.hashCode(), value);
    }
  }

  /** Adds {@code n} to the value of {@code text[start, end)}, storing the token at 0 first if absent. */
  void add(String text, int start, int end, long n) {
    int hash = hash(text, start, end);
    int i = slot(text, start, end, hash);
    if (keys[i] == null) {
      insert(i, text.substring(start, end), hash, n);
    } else {
      values[i] += n;
    }
  }

  private void insert(int i, String token, int hash, long value) {
    keys[i] = token;
    hashes[i] = hash;
    values[i] = value;
    if (++size * 2 > keys.length) {
      String[] oldKeys = keys;
      int[] oldHashes = hashes;
      long[] oldValues = values;
      keys = new String[oldKeys.length * 2];
      hashes = new int[keys.length];
      values = new long[keys.length];
      shift--;
      int mask = keys.length - 1;
      for (int j = 0; j < oldKeys.length; j++) {
        if (oldKeys[j] != null) {
          int at = home(oldHashes[j]);
          while (keys[at] != null) {
            at = (at + 1) & mask;
          }
          keys[at] = oldKeys[j];
          hashes[at] = oldHashes[j];
          values[at] = oldValues[j];
        }
      }
    }
  }

  /** Calls {@code each} with every token and its value, in no particular order. */
  void forEach(java.util.function.ObjLongConsumer<String> each) {
    for (int i = 0; i < keys.length; i++) {
      if (keys[i] != null) {
        each.accept(keys[i], values[i]);
      }
    }
  }

  void clear() {
    Arrays.fill(keys, null);
    size = 0;
  }
}
