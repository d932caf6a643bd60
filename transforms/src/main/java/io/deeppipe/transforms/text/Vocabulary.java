package io.deeppipe.transforms.text;

import static org.apache.spark.sql.functions.asc;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.desc;
import static org.apache.spark.sql.functions.sum;

import io.deeppipe.transforms.Fingerprint;
import io.deeppipe.transforms.card.BadInputException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import scala.Tuple2;

/**
 * Token ↔ id. Ids 0.. are the special tokens ({@code [PAD]=0}, {@code [UNK]=1}, {@code [CLS]=2}),
 * then corpus tokens by descending count, ties broken by the token, so the same corpus always gives
 * the same ids. Stored as {@code vocab.txt}: one token per line, line number = id.
 */
public final class Vocabulary implements Serializable {
  public static final String PAD = "[PAD]";
  public static final String UNK = "[UNK]";
  public static final String CLS = "[CLS]";
  public static final List<String> SPECIALS = List.of(PAD, UNK, CLS);
  public static final int PAD_ID = 0;
  public static final int UNK_ID = 1;
  public static final String FILE_NAME = "vocab.txt";

  private final List<String> tokens;
  private final Map<String, Integer> ids;

  private Vocabulary(List<String> tokens) {
    this.tokens = Collections.unmodifiableList(new ArrayList<>(tokens));
    this.ids = new HashMap<>();
    for (int i = 0; i < tokens.size(); i++) {
      ids.putIfAbsent(tokens.get(i), i);
    }
  }

  /** Distinct tokens a task holds counts for before it hands them to the shuffle. */
  static final int PARTIAL_COUNTS = 100_000;

  /**
   * Counts {@code tokenizer}'s tokens of the {@code textColumn} of {@code rows}, distributed (only
   * the top {@code size} reach the driver): each task tokenizes its texts and keeps counts in a map
   * of at most {@code PARTIAL_COUNTS} distinct tokens (emitted and cleared when full, so memory stays
   * bounded on any corpus), and only (token, count) pairs are shuffled, not a row per token occurrence.
   */
  public static Vocabulary build(Dataset<Row> rows, String textColumn, Tokenizer tokenizer, int size, int minCount) {
    return build(rows, textColumn, tokenizer, size, minCount, PARTIAL_COUNTS);
  }

  static Vocabulary build(
      Dataset<Row> rows, String textColumn, Tokenizer tokenizer, int size, int minCount, int partialCounts) {
    int corpusTokens = Math.max(0, size - SPECIALS.size());
    List<String> tokens = new ArrayList<>(SPECIALS);
    if (corpusTokens > 0) {
      MapPartitionsFunction<Row, Tuple2<String, Long>> count =
          texts -> new PartialCounts(texts, tokenizer, partialCounts);
      rows.select(col(textColumn))
          .mapPartitions(count, Encoders.tuple(Encoders.STRING(), Encoders.LONG()))
          .toDF("token", "n")
          .groupBy("token")
          .agg(sum("n").as("count"))
          .filter(col("count").geq(minCount))
          .orderBy(desc("count"), asc("token"))
          .limit(corpusTokens)
          .collectAsList()
          .forEach(r -> tokens.add(r.getString(0)));
    }
    return new Vocabulary(tokens);
  }

  /** (token, count) pairs of a partition's texts, emitted whenever the map of counts is full. */
  private static final class PartialCounts implements Iterator<Tuple2<String, Long>> {
    private final Iterator<Row> texts;
    private final Tokenizer tokenizer;
    private final int limit;
    private final Map<String, long[]> counts = new HashMap<>();
    private Iterator<Map.Entry<String, long[]>> out = Collections.emptyIterator();

    PartialCounts(Iterator<Row> texts, Tokenizer tokenizer, int limit) {
      this.texts = texts;
      this.tokenizer = tokenizer;
      this.limit = limit;
    }

    @Override
    public boolean hasNext() {
      if (out.hasNext()) {
        return true;
      }
      counts.clear();
      while (texts.hasNext() && counts.size() < limit) {
        String text = texts.next().getString(0);
        if (text != null) {
          for (String t : tokenizer.tokenize(text)) {
            counts.computeIfAbsent(t, k -> new long[1])[0]++;
          }
        }
      }
      out = counts.entrySet().iterator();
      return out.hasNext();
    }

    @Override
    public Tuple2<String, Long> next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      Map.Entry<String, long[]> e = out.next();
      return new Tuple2<>(e.getKey(), e.getValue()[0]);
    }
  }

  public static Vocabulary of(List<String> tokens) {
    if (tokens.size() < SPECIALS.size() || !tokens.subList(0, SPECIALS.size()).equals(SPECIALS)) {
      throw new BadInputException("vocabulary must start with " + SPECIALS);
    }
    return new Vocabulary(tokens);
  }

  public static Vocabulary parse(String text) {
    List<String> tokens = new ArrayList<>(List.of(text.split("\n", -1)));
    if (!tokens.isEmpty() && tokens.get(tokens.size() - 1).isEmpty()) {
      tokens.remove(tokens.size() - 1);
    }
    return of(tokens);
  }

  public String toText() {
    return String.join("\n", tokens) + "\n";
  }

  public String sha256() {
    return Fingerprint.sha256(toText());
  }

  public int size() {
    return tokens.size();
  }

  public List<String> tokens() {
    return tokens;
  }

  public int id(String token) {
    return ids.getOrDefault(token, UNK_ID);
  }

  /** Encodes to exactly {@code maxLength} ids, padding with {@code [PAD]} at the end. */
  public int[] encode(List<String> tokens, int maxLength, Truncation truncation) {
    int n = Math.min(tokens.size(), maxLength);
    int from = truncation == Truncation.START ? tokens.size() - n : 0;
    int[] out = new int[maxLength];
    for (int i = 0; i < n; i++) {
      out[i] = id(tokens.get(from + i));
    }
    return out;
  }

  /** Which end of a too-long text is cut. */
  public enum Truncation {
    END,
    START;

    public static Truncation parse(String value) {
      return io.deeppipe.transforms.Choices.parse(Truncation.class, "--truncate", value);
    }

    public String optionName() {
      return io.deeppipe.transforms.Choices.name(this);
    }
  }
}
