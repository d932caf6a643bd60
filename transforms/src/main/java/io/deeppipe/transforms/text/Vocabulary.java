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
import java.util.Iterator;
import java.util.List;
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
  /**
   * Token → id (the first id of a token listed twice): not serialized, built again from
   * {@code tokens} where first needed (a vocabulary in a task's closure).
   */
  private transient volatile TokenTable ids;

  private Vocabulary(List<String> tokens) {
    this.tokens = Collections.unmodifiableList(new ArrayList<>(tokens));
    this.ids = index(this.tokens);
  }

  private static TokenTable index(List<String> tokens) {
    TokenTable table = new TokenTable(tokens.size());
    for (int i = 0; i < tokens.size(); i++) {
      table.putIfAbsent(tokens.get(i), i);
    }
    return table;
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

  /** (token, count) pairs of a partition's texts, emitted whenever the table of counts is full. */
  private static final class PartialCounts implements Iterator<Tuple2<String, Long>> {
    private final Iterator<Row> texts;
    private final Tokenizer tokenizer;
    private final int limit;
    private final TokenTable counts;
    private final Tokenizer.Sink count;
    private Iterator<Tuple2<String, Long>> out = Collections.emptyIterator();

    PartialCounts(Iterator<Row> texts, Tokenizer tokenizer, int limit) {
      this.texts = texts;
      this.tokenizer = tokenizer;
      this.limit = limit;
      this.counts = new TokenTable(Math.min(limit, 1 << 16));
      this.count = (text, start, end) -> {
        counts.add(text, start, end, 1);
        return true;
      };
    }

    @Override
    public boolean hasNext() {
      if (out.hasNext()) {
        return true;
      }
      while (texts.hasNext() && counts.size() < limit) {
        tokenizer.scan(texts.next().getString(0), count);
      }
      List<Tuple2<String, Long>> pairs = new ArrayList<>(counts.size());
      counts.forEach((token, n) -> pairs.add(new Tuple2<>(token, n)));
      counts.clear();
      out = pairs.iterator();
      return out.hasNext();
    }

    @Override
    public Tuple2<String, Long> next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return out.next();
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
    return id(token, 0, token.length());
  }

  /** The id of the token {@code text[start, end)}. */
  public int id(String text, int start, int end) {
    return id(table(), text, start, end);
  }

  private static int id(TokenTable table, String text, int start, int end) {
    return (int) table.get(text, start, end, UNK_ID);
  }

  private TokenTable table() {
    TokenTable table = ids;
    if (table == null) {
      table = index(tokens);
      ids = table;
    }
    return table;
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

  /**
   * {@code tokenizer}'s tokens of {@code text} encoded as {@link #encode(List, int, Truncation)}
   * does, with the number of tokens kept ({@code min(tokens, maxLength)}) in {@code length[0]}:
   * no string per token, and with {@code END} the scan stops at the last token kept.
   */
  public int[] encode(String text, Tokenizer tokenizer, int maxLength, Truncation truncation, int[] length) {
    TokenTable table = table();
    int[] out = new int[maxLength];
    int[] seen = {0};
    if (truncation == Truncation.END) {
      tokenizer.scan(text, (t, start, end) -> {
        out[seen[0]++] = id(table, t, start, end);
        return seen[0] < maxLength;
      });
      length[0] = seen[0];
      return out;
    }
    // START keeps the last maxLength tokens: their ids go round a ring, then into place
    int[] ring = new int[maxLength];
    tokenizer.scan(text, (t, start, end) -> {
      ring[seen[0]++ % maxLength] = id(table, t, start, end);
      return true;
    });
    int n = Math.min(seen[0], maxLength);
    int from = seen[0] - n;
    for (int i = 0; i < n; i++) {
      out[i] = ring[(from + i) % maxLength];
    }
    length[0] = n;
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
