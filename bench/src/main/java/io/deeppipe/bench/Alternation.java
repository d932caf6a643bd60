package io.deeppipe.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs several runners side by side: one unmeasured warm-up round, then {@code reps} rounds in
 * which every runner runs once. The order rotates each round (A B C, B C A, C A B, …), so a slow
 * phase of the shared machine does not always fall on the same runner; ratios are taken per round,
 * between runs that were seconds apart.
 */
public final class Alternation {
  private static final Logger LOG = LoggerFactory.getLogger(Alternation.class);

  /** One thing to time; setup that must not count goes in {@link #prepare()}. */
  public interface Runner {
    default void prepare() throws Exception {}

    void run() throws Exception;
  }

  private final Map<String, Runner> runners = new LinkedHashMap<>();

  public Alternation add(String name, Runner runner) {
    runners.put(name, runner);
    return this;
  }

  public Map<String, Sample> run(String stage, int reps, boolean warmUp) throws Exception {
    Map<String, Sample> samples = new LinkedHashMap<>();
    List<String> names = new ArrayList<>(runners.keySet());
    for (String n : names) {
      samples.put(n, new Sample(n));
    }
    for (int round = warmUp ? -1 : 0; round < reps; round++) {
      int r = Math.max(round, 0);
      for (int k = 0; k < names.size(); k++) {
        String name = names.get((k + r) % names.size());
        Runner runner = runners.get(name);
        runner.prepare();
        long t0 = System.nanoTime();
        runner.run();
        double s = (System.nanoTime() - t0) / 1e9;
        LOG.info("bench {} round {} {}: {} s", stage, round < 0 ? "warm-up" : round + 1, name, Report.fmt(s));
        System.err.printf("bench %s %s %s: %.3f s%n", stage, round < 0 ? "warm-up" : "round " + (round + 1), name, s);
        if (round >= 0) {
          samples.get(name).add(s);
        }
      }
    }
    return samples;
  }

  /**
   * Per round, a side's time on its whole input minus its time on the input's head: what start-up
   * (a JVM, a Spark session, the first of each job) does not explain. Both samples come from the same rounds.
   */
  public static Sample net(Sample whole, Sample head, String name) {
    Sample net = new Sample(name);
    for (int i = 0; i < Math.min(whole.seconds().size(), head.seconds().size()); i++) {
      net.add(whole.seconds().get(i) - head.seconds().get(i));
    }
    return net;
  }

  /** The median over rounds of {@code num[i] / den[i]} (both samples taken in the same rounds). */
  public static double pairedRatio(Sample num, Sample den) {
    List<Double> r = new ArrayList<>();
    for (int i = 0; i < Math.min(num.seconds().size(), den.seconds().size()); i++) {
      r.add(num.seconds().get(i) / den.seconds().get(i));
    }
    return Sample.median(r);
  }

  /** min and max over rounds of {@code num[i] / den[i]}. */
  public static double[] pairedRatioRange(Sample num, Sample den) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < Math.min(num.seconds().size(), den.seconds().size()); i++) {
      double v = num.seconds().get(i) / den.seconds().get(i);
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    return new double[] {lo, hi};
  }
}
