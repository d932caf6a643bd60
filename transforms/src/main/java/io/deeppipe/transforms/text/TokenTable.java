package io.deeppipe.transforms.text;

import java.util.Arrays;

/**
 * Distinct tokens looked up by a range of a text, without a string per lookup: an open-addressing
 * table (linear probing, at most half full) of the tokens' {@link String#hashCode}s, with the
 * tokens' characters side by side in one array, and a number per token. The vocabulary's ids and a
 * task's token counts are such tables; a {@code HashMap<String, …>} needed a substring per token
 * occurrence, its hash computed again and two objects visited per comparison, and was a fifth of
 * ingest-text's CPU time (JFR, see BENCHMARKS.md).
 */
final class TokenTable {
  /** Per slot: the token's number (in the order stored) + 1, or 0 when empty. */
  private int[] slots;
  private int[] hashes;
  /** 32 − log2(capacity): the top bits of the Fibonacci-mixed hash pick the slot. */
  private int shift;
  /** Token {@code t}'s characters are {@code chars[starts[t], starts[t + 1])}. */
  private int[] starts;
  private char[] chars;
  private long[] values;
  private int size;

  TokenTable(int expected) {
    int capacity = Integer.highestOneBit(Math.max(8, expected) * 2 - 1) << 1;
    slots = new int[capacity];
    hashes = new int[capacity];
    shift = Integer.numberOfLeadingZeros(capacity) + 1;
    values = new long[Math.max(8, expected)];
    starts = new int[values.length + 1];
    chars = new char[values.length * 8];
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

  /**
   * The first slot of a hash. Fibonacci hashing: short tokens' string hashes are close together
   * (31·c1 + c2 …) and with the hash's low bits as the slot they formed long runs that linear
   * probing walks.
   */
  private int home(int hash) {
    return (hash * 0x9E3779B9) >>> shift;
  }

  /** The slot of {@code text[start, end)}: where it is, or the empty slot where it would go. */
  private int slot(String text, int start, int end, int hash) {
    int mask = slots.length - 1;
    for (int i = home(hash); ; i = (i + 1) & mask) {
      int t = slots[i] - 1;
      if (t < 0 || (hashes[i] == hash && sameChars(t, text, start, end))) {
        return i;
      }
    }
  }

  private boolean sameChars(int token, String text, int start, int end) {
    int from = starts[token];
    if (starts[token + 1] - from != end - start) {
      return false;
    }
    for (int i = start; i < end; i++) {
      if (chars[from++] != text.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** The value of {@code text[start, end)}, or {@code absent} when it is not in the table. */
  long get(String text, int start, int end, long absent) {
    int t = slots[slot(text, start, end, hash(text, start, end))] - 1;
    return t < 0 ? absent : values[t];
  }

  /** Stores {@code value} for {@code token} unless it is already there (the first value wins). */
  void putIfAbsent(String token, long value) {
    int hash = token.hashCode();
    int i = slot(token, 0, token.length(), hash);
    if (slots[i] == 0) {
      insert(i, token, 0, token.length(), hash, value);
    }
  }

  /** Adds {@code n} to the value of {@code text[start, end)}, storing the token at 0 first if absent. */
  void add(String text, int start, int end, long n) {
    int hash = hash(text, start, end);
    int i = slot(text, start, end, hash);
    if (slots[i] == 0) {
      insert(i, text, start, end, hash, n);
    } else {
      values[slots[i] - 1] += n;
    }
  }

  /** Stores {@code text[start, end)} with {@code value} in the empty slot {@code i}. */
  private void insert(int i, String text, int start, int end, int hash, long value) {
    if (size == values.length) {
      starts = Arrays.copyOf(starts, size * 2 + 1);
      values = Arrays.copyOf(values, size * 2);
    }
    int from = starts[size];
    int length = end - start;
    if (from + length > chars.length) {
      chars = Arrays.copyOf(chars, Math.max(chars.length * 2, from + length));
    }
    text.getChars(start, end, chars, from);
    starts[size + 1] = from + length;
    values[size] = value;
    slots[i] = ++size;
    hashes[i] = hash;
    if (size * 2 > slots.length) {
      int[] oldSlots = slots;
      int[] oldHashes = hashes;
      slots = new int[oldSlots.length * 2];
      hashes = new int[slots.length];
      shift--;
      int mask = slots.length - 1;
      for (int j = 0; j < oldSlots.length; j++) {
        if (oldSlots[j] != 0) {
          int at = home(oldHashes[j]);
          while (slots[at] != 0) {
            at = (at + 1) & mask;
          }
          slots[at] = oldSlots[j];
          hashes[at] = oldHashes[j];
        }
      }
    }
  }

  /** Calls {@code each} with every token (a string made here) and its value, in the order they were stored. */
  void forEach(java.util.function.ObjLongConsumer<String> each) {
    for (int t = 0; t < size; t++) {
      each.accept(new String(chars, starts[t], starts[t + 1] - starts[t]), values[t]);
    }
  }

  void clear() {
    Arrays.fill(slots, 0);
    size = 0;
  }
}
