package io.deeppipe.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;

/**
 * Where a run's time goes, by Spark job description (the jobs label their work with
 * {@code setJobDescription}): wall time from job start to job end, summed per description.
 */
public final class JobTimes extends SparkListener {
  private final Map<Integer, long[]> started = new ConcurrentHashMap<>();
  private final Map<Integer, String> names = new ConcurrentHashMap<>();
  private final Map<String, Double> seconds = new LinkedHashMap<>();
  private final Map<String, Integer> jobs = new LinkedHashMap<>();
  /** The suffix {@link #take} gives a description several jobs shared. */
  private static final java.util.regex.Pattern SHARED = java.util.regex.Pattern.compile(" \\[(\\d+) jobs\\]$");

  @Override
  public void onJobStart(SparkListenerJobStart e) {
    String d = e.properties() == null ? null : e.properties().getProperty("spark.job.description");
    String g = e.properties() == null ? null : e.properties().getProperty("spark.jobGroup.id");
    names.put(e.jobId(), d != null ? d : g != null ? g + " (no description)" : "(unlabelled)");
    started.put(e.jobId(), new long[] {e.time()});
  }

  @Override
  public void onJobEnd(SparkListenerJobEnd e) {
    long[] t = started.remove(e.jobId());
    String n = names.remove(e.jobId());
    if (t != null) {
      synchronized (seconds) {
        seconds.merge(n, (e.time() - t[0]) / 1000.0, Double::sum);
        jobs.merge(n, 1, Integer::sum);
      }
    }
  }

  /**
   * The times since the last call, and starts over. A description that several jobs shared says how
   * many: "collect labels [2 jobs]".
   */
  public Map<String, Double> take() {
    synchronized (seconds) {
      Map<String, Double> out = new LinkedHashMap<>();
      seconds.forEach((name, s) -> {
        int n = jobs.getOrDefault(name, 1);
        out.put(n > 1 ? name + " [" + n + " jobs]" : name, s);
      });
      seconds.clear();
      jobs.clear();
      return out;
    }
  }

  /** How many Spark jobs the times of {@link #take} cover. */
  public static int jobs(Map<String, Double> times) {
    int n = 0;
    for (String name : times.keySet()) {
      java.util.regex.Matcher m = SHARED.matcher(name);
      n += m.find() ? Integer.parseInt(m.group(1)) : 1;
    }
    return n;
  }

  /** "description 1.2 s; …", largest first. */
  public static String describe(Map<String, Double> times) {
    StringBuilder sb = new StringBuilder();
    times.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue(), a.getValue())).forEach(e -> {
      if (sb.length() > 0) {
        sb.append("; ");
      }
      sb.append(e.getKey().replace('|', '/')).append(' ').append(Report.fmt(e.getValue())).append(" s");
    });
    return sb.toString();
  }
}
