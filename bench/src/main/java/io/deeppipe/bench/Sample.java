package io.deeppipe.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The repeated wall times (seconds) of one runner, in the order they were taken. */
public final class Sample {
  private final String name;
  private final List<Double> seconds = new ArrayList<>();

  public Sample(String name) {
    this.name = name;
  }

  public String name() {
    return name;
  }

  public void add(double s) {
    seconds.add(s);
  }

  public List<Double> seconds() {
    return seconds;
  }

  public double median() {
    return median(seconds);
  }

  public double min() {
    return seconds.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
  }

  public double max() {
    return seconds.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
  }

  public static double median(List<Double> values) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  /** "median (min–max)" in seconds. */
  public String describe() {
    return Report.fmt(median()) + " s (" + Report.fmt(min()) + "–" + Report.fmt(max()) + ", n=" + seconds.size() + ")";
  }

  Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("seconds", seconds);
    m.put("median_s", median());
    m.put("min_s", min());
    m.put("max_s", max());
    return m;
  }
}
