package io.deeppipe.jobs.catalog;

import static org.apache.spark.sql.functions.col;

import io.deeppipe.jobs.catalog.Catalog.Item;
import io.deeppipe.jobs.catalog.Catalog.Kind;
import io.deeppipe.models.infer.Predictor;
import io.deeppipe.transforms.IngestSteps;
import io.deeppipe.transforms.Outcomes;
import io.deeppipe.transforms.SplitAssigner;
import io.deeppipe.transforms.card.ImageSpec;
import io.deeppipe.transforms.card.Json;
import io.deeppipe.transforms.image.ImageIngest;
import io.deeppipe.transforms.io.DatasetWriter;
import io.deeppipe.transforms.io.Storage;
import io.deeppipe.transforms.text.TextIngest;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * What a page shows beyond the card, read from the output's own files with Spark: rows per label
 * and split, a few sample rows (text snippets, image thumbnails as {@code data:} URIs, so the page
 * needs no other file), rejected records with their reasons, and predicted labels. Each read that
 * fails becomes a {@code problem} on the page; the catalog goes on.
 */
public final class ItemDetails {
  static final int SAMPLE_ROWS = 6;
  static final int SNIPPET_CHARS = 160;
  static final int THUMBNAIL_PX = 96;

  /** One sample row: its fields as text, and an image thumbnail ({@code data:image/png;base64,...}) or null. */
  public record Sample(Map<String, String> fields, String thumbnail) {}

  /**
   * @param labelCounts label → split → rows (datasets), or predicted label → rows under "predicted"
   */
  public record Details(Map<String, Map<String, Long>> labelCounts, List<Sample> samples, List<Sample> rejected,
      List<String> problems) {
    static Details none() {
      return new Details(Map.of(), List.of(), List.of(), List.of());
    }
  }

  private final SparkSession spark;
  private final Configuration conf;

  public ItemDetails(SparkSession spark) {
    this.spark = spark;
    this.conf = spark.sparkContext().hadoopConfiguration();
  }

  public Details of(Item item, com.fasterxml.jackson.databind.JsonNode card) {
    if (!item.readable()) {
      return Details.none();
    }
    List<String> problems = new ArrayList<>();
    Map<String, Map<String, Long>> counts = new TreeMap<>();
    List<Sample> samples = new ArrayList<>();
    List<Sample> rejected = new ArrayList<>();
    spark.sparkContext().setJobDescription("catalog: " + item.path());
    try {
      if (item.kind() == Kind.dataset) {
        ImageSpec image = card.has("image") && !card.get("image").isNull()
            ? Json.mapper().treeToValue(card.get("image"), ImageSpec.class) : null;
        for (String split : SplitAssigner.SPLITS) {
          Path dir = new Path(item.path(), DatasetWriter.PARQUET + "/" + split);
          attempt(problems, "counts of the " + split + " split", () -> {
            if (Storage.exists(dir, conf)) {
              countBy(spark.read().parquet(dir.toString()), IngestSteps.LABEL, split, counts);
            }
          });
        }
        attempt(problems, "sample rows", () -> samples.addAll(datasetSamples(item.path(), image)));
        attempt(problems, "rejected records", () -> rejected.addAll(rejectedSamples(item.path())));
      } else if (item.kind() == Kind.predictions) {
        Path dir = new Path(item.path(), DatasetWriter.PARQUET);
        attempt(problems, "predicted labels", () -> {
          Dataset<Row> rows = spark.read().parquet(dir.toString());
          countBy(rows, Predictor.PREDICTION, "predicted", counts);
          samples.addAll(samples(rows, List.of(IngestSteps.ID, IngestSteps.LABEL, Outcomes.SOURCE, Predictor.PREDICTION,
              Predictor.PROBABILITY), null));
        });
        attempt(problems, "rejected records", () -> rejected.addAll(rejectedSamples(item.path())));
      }
    } catch (IOException e) {
      problems.add("the image spec in the card cannot be read: " + e.getMessage());
    } finally {
      spark.sparkContext().setJobDescription(null);
    }
    return new Details(counts, samples, rejected, problems);
  }

  private interface Read {
    void run() throws Exception;
  }

  private static void attempt(List<String> problems, String what, Read read) {
    try {
      read.run();
    } catch (Exception e) {
      problems.add(what + " cannot be read: " + (e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("")));
    }
  }

  private static void countBy(Dataset<Row> rows, String column, String series, Map<String, Map<String, Long>> into) {
    if (!Arrays.asList(rows.columns()).contains(column)) {
      return;
    }
    for (Row r : rows.groupBy(col(column)).count().collectAsList()) {
      String key = r.isNullAt(0) ? "(none)" : r.get(0).toString();
      into.computeIfAbsent(key, k -> new LinkedHashMap<>()).merge(series, r.getLong(1), Long::sum);
    }
  }

  private List<Sample> datasetSamples(String dataset, ImageSpec image) {
    for (String split : SplitAssigner.SPLITS) {
      Path dir = new Path(dataset, DatasetWriter.PARQUET + "/" + split);
      if (Storage.exists(dir, conf)) {
        List<Sample> rows = samples(spark.read().parquet(dir.toString()),
            List.of(IngestSteps.ID, IngestSteps.LABEL, TextIngest.TEXT), image);
        if (!rows.isEmpty()) {
          return rows;
        }
      }
    }
    return List.of();
  }

  private List<Sample> rejectedSamples(String output) {
    Path dir = new Path(output, DatasetWriter.REJECTED);
    if (!Storage.exists(dir, conf)) {
      return List.of();
    }
    return samples(spark.read().parquet(dir.toString()), List.of(Outcomes.REASON, Outcomes.SOURCE, Outcomes.RECORD), null);
  }

  /** The first rows' {@code columns} that exist, as text snippets; with {@code image}, a thumbnail of each. */
  private static List<Sample> samples(Dataset<Row> rows, List<String> columns, ImageSpec image) {
    List<String> present = Arrays.asList(rows.columns());
    List<String> shown = columns.stream().filter(present::contains).toList();
    boolean thumbnails = image != null && present.contains(ImageIngest.IMAGE);
    List<String> selected = new ArrayList<>(shown);
    if (thumbnails) {
      selected.add(ImageIngest.IMAGE);
    }
    if (selected.isEmpty()) {
      return List.of();
    }
    List<Sample> samples = new ArrayList<>();
    for (Row r : rows.selectExpr(selected.toArray(new String[0])).limit(SAMPLE_ROWS).collectAsList()) {
      Map<String, String> fields = new LinkedHashMap<>();
      for (int c = 0; c < shown.size(); c++) {
        fields.put(shown.get(c), r.isNullAt(c) ? "" : snippet(r.get(c)));
      }
      String thumb = thumbnails && !r.isNullAt(shown.size()) ? thumbnail((byte[]) r.get(shown.size()), image) : null;
      samples.add(new Sample(fields, thumb));
    }
    return samples;
  }

  private static String snippet(Object value) {
    String s = value instanceof byte[] b ? new String(b, java.nio.charset.StandardCharsets.UTF_8) : String.valueOf(value);
    s = s.replaceAll("\\p{Cntrl}", " ");
    return s.length() > SNIPPET_CHARS ? s.substring(0, SNIPPET_CHARS) + "…" : s;
  }

  /** The HWC uint8 tensor of an ingested image as a PNG data URI, at most {@link #THUMBNAIL_PX} on a side. */
  static String thumbnail(byte[] hwc, ImageSpec spec) {
    int h = spec.height();
    int w = spec.width();
    int c = spec.channels();
    if (hwc.length != h * w * c) {
      return null;
    }
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int o = (y * w + x) * c;
        int r = hwc[o] & 0xff;
        int g = c == 3 ? hwc[o + 1] & 0xff : r;
        int b = c == 3 ? hwc[o + 2] & 0xff : r;
        img.setRGB(x, y, r << 16 | g << 8 | b);
      }
    }
    double scale = Math.min(1.0, (double) THUMBNAIL_PX / Math.max(h, w));
    if (scale < 1.0) {
      BufferedImage small = new BufferedImage(Math.max(1, (int) (w * scale)), Math.max(1, (int) (h * scale)),
          BufferedImage.TYPE_INT_RGB);
      Graphics2D g = small.createGraphics();
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.drawImage(img, 0, 0, small.getWidth(), small.getHeight(), null);
      g.dispose();
      img = small;
    }
    try {
      ByteArrayOutputStream png = new ByteArrayOutputStream();
      ImageIO.write(img, "png", png);
      return "data:image/png;base64," + Base64.getEncoder().encodeToString(png.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
