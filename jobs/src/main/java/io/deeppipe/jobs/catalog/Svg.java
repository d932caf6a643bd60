package io.deeppipe.jobs.catalog;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The site's charts as inline SVG, drawn here rather than by a JavaScript library, so a page shows
 * them from file:// with nothing fetched and nothing run.
 */
final class Svg {
  static final String[] COLORS = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1"};
  private static final int LABEL_W = 150;
  private static final int BAR_W = 360;
  private static final int ROW_H = 20;

  private Svg() {}

  static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  private static String cut(String s, int max) {
    return s.length() > max ? s.substring(0, max - 1) + "…" : s;
  }

  /** Horizontal bars, one per row, each stacked from its series (in {@code series} order), with a legend. */
  static String stackedBars(String title, Map<String, Map<String, Long>> rows, List<String> series) {
    long max = 1;
    for (Map<String, Long> r : rows.values()) {
      max = Math.max(max, r.values().stream().mapToLong(Long::longValue).sum());
    }
    int height = 30 + ROW_H * rows.size() + 24;
    StringBuilder svg = open(title, LABEL_W + BAR_W + 80, height);
    int y = 24;
    for (var row : rows.entrySet()) {
      svg.append(text(4, y + 14, cut(row.getKey(), 22), "start"));
      double x = LABEL_W;
      long total = 0;
      for (int s = 0; s < series.size(); s++) {
        long n = row.getValue().getOrDefault(series.get(s), 0L);
        double w = BAR_W * (double) n / max;
        if (n > 0) {
          svg.append(String.format(Locale.ROOT,
              "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>%s %s: %d</title></rect>",
              x, y + 2, w, ROW_H - 4, COLORS[s % COLORS.length], esc(row.getKey()), esc(series.get(s)), n));
        }
        x += w;
        total += n;
      }
      svg.append(text((int) x + 4, y + 14, Long.toString(total), "start"));
      y += ROW_H;
    }
    if (series.size() > 1) {
      int lx = LABEL_W;
      for (int s = 0; s < series.size(); s++) {
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>", lx,
            y + 8, COLORS[s % COLORS.length]));
        svg.append(text(lx + 14, y + 17, series.get(s), "start"));
        lx += 24 + 8 * series.get(s).length();
      }
    }
    return svg.append("</svg>").toString();
  }

  /** Plain horizontal bars. */
  static String bars(String title, Map<String, Long> values) {
    Map<String, Map<String, Long>> rows = new LinkedHashMap<>();
    values.forEach((k, v) -> rows.put(k, Map.of("n", v)));
    return stackedBars(title, rows, List.of("n"));
  }

  /** A line over epochs (x = 1..n); non-finite values are left out. */
  static String line(String title, List<Double> values, String color) {
    int w = 320;
    int h = 160;
    int left = 44;
    int top = 22;
    int pw = w - left - 12;
    int ph = h - top - 26;
    List<double[]> points = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      if (Double.isFinite(values.get(i))) {
        points.add(new double[] {i + 1, values.get(i)});
      }
    }
    StringBuilder svg = open(title, w, h);
    svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>",
        left, top, pw, ph));
    if (points.isEmpty()) {
      return svg.append(text(left + 8, top + 20, "no values", "start")).append("</svg>").toString();
    }
    double min = points.stream().mapToDouble(p -> p[1]).min().orElse(0);
    double max = points.stream().mapToDouble(p -> p[1]).max().orElse(1);
    if (max - min < 1e-9) {
      max = min + 1;
    }
    int n = values.size();
    StringBuilder path = new StringBuilder();
    for (double[] p : points) {
      double x = left + (n == 1 ? pw / 2.0 : pw * (p[0] - 1) / (n - 1));
      double y = top + ph * (1 - (p[1] - min) / (max - min));
      path.append(path.isEmpty() ? "" : " ").append(String.format(Locale.ROOT, "%.1f,%.1f", x, y));
      svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"><title>epoch %d: %.4f</title></circle>",
          x, y, color, (int) p[0], p[1]));
    }
    svg.append("<polyline fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"2\" points=\"")
        .append(path).append("\"/>");
    svg.append(text(left - 4, top + 10, String.format(Locale.ROOT, "%.3f", max), "end"));
    svg.append(text(left - 4, top + ph, String.format(Locale.ROOT, "%.3f", min), "end"));
    svg.append(text(left, h - 6, "epoch 1", "start"));
    svg.append(text(left + pw, h - 6, "epoch " + n, "end"));
    return svg.append("</svg>").toString();
  }

  /** The confusion matrix: rows = actual, columns = predicted, shaded by the share of the row. */
  static String confusion(List<String> labels, List<List<Long>> matrix) {
    int n = labels.size();
    int cell = n > 12 ? 28 : 40;
    int left = 110;
    int top = 110;
    StringBuilder svg = open("confusion matrix (rows = actual, columns = predicted)", left + cell * n + 10, top + cell * n + 10);
    for (int p = 0; p < n; p++) {
      int x = left + p * cell + cell / 2;
      svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\" transform=\"rotate(-60 %d %d)\">%s</text>",
          x, top - 4, x, top - 4, esc(cut(labels.get(p), 14))));
    }
    for (int a = 0; a < n; a++) {
      svg.append(text(left - 4, top + a * cell + cell / 2 + 4, cut(labels.get(a), 16), "end"));
      long rowTotal = Math.max(1, matrix.get(a).stream().mapToLong(Long::longValue).sum());
      for (int p = 0; p < n; p++) {
        long v = matrix.get(a).get(p);
        double share = (double) v / rowTotal;
        svg.append(String.format(Locale.ROOT,
            "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\" fill-opacity=\"%.3f\" stroke=\"#ddd\">"
                + "<title>actual %s, predicted %s: %d</title></rect>",
            left + p * cell, top + a * cell, cell, cell, a == p ? "#2e7d32" : "#c62828", 0.08 + 0.92 * share,
            esc(labels.get(a)), esc(labels.get(p)), v));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"10\" text-anchor=\"middle\" fill=\"%s\">%d</text>",
            left + p * cell + cell / 2, top + a * cell + cell / 2 + 4, share > 0.5 ? "#fff" : "#222", v));
      }
    }
    return svg.append("</svg>").toString();
  }

  /** A node of the lineage graph: {@code href} null for raw input (it has no page). */
  record Node(String key, String label, String kind, String href, boolean flagged) {}

  /**
   * The lineage graph: one column per stage (raw input, datasets, models, evaluations and
   * predictions), an arrow per edge; item nodes link to their pages.
   */
  static String lineage(List<Node> nodes, List<String[]> edges, String focus) {
    Map<String, int[]> at = new LinkedHashMap<>();
    int[] rowsPerColumn = new int[4];
    int nodeW = 190;
    int nodeH = 30;
    int gapX = 70;
    int gapY = 14;
    for (Node node : nodes) {
      int c = column(node.kind());
      at.put(node.key(), new int[] {10 + c * (nodeW + gapX), 30 + rowsPerColumn[c]++ * (nodeH + gapY)});
    }
    int maxRows = Math.max(1, java.util.Arrays.stream(rowsPerColumn).max().orElse(1));
    StringBuilder svg = openUncaptioned("lineage", 10 + 4 * (nodeW + gapX), 40 + maxRows * (nodeH + gapY));
    svg.append("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\""
        + " orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#555\"/></marker></defs>");
    String[] heads = {"raw input", "datasets", "models", "evaluations, predictions"};
    for (int c = 0; c < 4; c++) {
      svg.append(text(10 + c * (nodeW + gapX), 18, heads[c], "start"));
    }
    for (String[] e : edges) {
      int[] a = at.get(e[0]);
      int[] b = at.get(e[1]);
      if (a == null || b == null) {
        continue;
      }
      double x1 = a[0] + nodeW;
      double y1 = a[1] + nodeH / 2.0;
      double x2 = b[0];
      double y2 = b[1] + nodeH / 2.0;
      svg.append(String.format(Locale.ROOT,
          "<path class=\"edge\" d=\"M %.1f %.1f C %.1f %.1f, %.1f %.1f, %.1f %.1f\" fill=\"none\" stroke=\"#555\""
              + " marker-end=\"url(#arrow)\"><title>%s</title></path>",
          x1, y1, x1 + 40, y1, x2 - 40, y2, x2, y2, esc(e.length > 2 ? e[2] : "")));
    }
    for (Node node : nodes) {
      int[] p = at.get(node.key());
      String fill = switch (node.kind()) {
        case "dataset" -> "#e3f2fd";
        case "model" -> "#fff3e0";
        case "evaluation", "predictions" -> "#e8f5e9";
        default -> "#f5f5f5";
      };
      String box = String.format(Locale.ROOT,
          "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"5\" fill=\"%s\" stroke=\"%s\" stroke-width=\"%d\"/>%s",
          p[0], p[1], nodeW, nodeH, fill, node.flagged() ? "#c62828" : "#607d8b", node.key().equals(focus) ? 3 : 1,
          text(p[0] + 8, p[1] + 19, (node.flagged() ? "⚠ " : "") + cut(node.label(), 26), "start"))
          + "<title>" + esc(node.kind() + ": " + node.key()) + "</title>";
      svg.append(node.href() == null ? "<g>" + box + "</g>"
          : "<a class=\"lineage-link\" href=\"" + esc(node.href()) + "\">" + box + "</a>");
    }
    return svg.append("</svg>").toString();
  }

  private static int column(String kind) {
    return switch (kind) {
      case "dataset" -> 1;
      case "model" -> 2;
      case "evaluation", "predictions" -> 3;
      default -> 0;
    };
  }

  /** An SVG element of {@code w} × {@code h} with {@code title} as its accessible name and caption. */
  private static StringBuilder open(String title, int w, int h) {
    return openUncaptioned(title, w, h)
        .append("<text x=\"4\" y=\"14\" font-weight=\"bold\">").append(esc(title)).append("</text>");
  }

  private static StringBuilder openUncaptioned(String title, int w, int h) {
    return new StringBuilder().append(String.format(Locale.ROOT,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\""
            + " font-family=\"sans-serif\" font-size=\"12\"><title>%s</title>", w, h, w, h, esc(title)));
  }

  private static String text(int x, int y, String s, String anchor) {
    return String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"%s\">%s</text>", x, y, anchor, esc(s));
  }
}
