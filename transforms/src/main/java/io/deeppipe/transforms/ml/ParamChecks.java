package io.deeppipe.transforms.ml;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import scala.Function1;

/**
 * Validators for Spark ML {@code Param}s. Spark's own ({@code ParamValidators}) return false and
 * Spark then says only "given invalid value"; these throw an {@link IllegalArgumentException}
 * that names the Param, the rule and the value ("maxLength must be in 1..100000, got 0"), which
 * {@code jobs/} turns into exit 2 with the flag's name.
 */
public final class ParamChecks {
  private ParamChecks() {}

  /** A serializable test on a Param value (stages travel to executors with their Params). */
  @FunctionalInterface
  public interface Rule<T> extends Serializable {
    boolean test(T value);
  }

  /** A validator that throws {@code "<param> must be <rule>, got <value>"} when {@code ok} fails. */
  @SuppressWarnings("unchecked")
  public static <T> Function1<T, Object> check(String param, String rule, Rule<T> ok) {
    return (Function1<T, Object> & Serializable)
        value -> {
          if (value == null || !ok.test(value)) {
            throw new IllegalArgumentException(param + " must be " + rule + ", got " + render(value));
          }
          return Boolean.TRUE;
        };
  }

  public static Function1<Object, Object> intRange(String param, int min, int max) {
    return check(param, "in " + min + ".." + max, v -> (Integer) v >= min && (Integer) v <= max);
  }

  public static Function1<Object, Object> intAtLeast(String param, int min) {
    return check(param, ">= " + min, v -> (Integer) v >= min);
  }

  public static Function1<Object, Object> longAtLeast(String param, long min) {
    return check(param, ">= " + min, v -> ((Number) v).longValue() >= min);
  }

  /** A double in [min, max) or [min, max] ({@code maxIncluded}); {@code minExcluded} makes it (min, ...]. */
  public static Function1<Object, Object> doubleRange(
      String param, double min, boolean minExcluded, double max, boolean maxIncluded) {
    String rule = "in " + (minExcluded ? "(" : "[") + fmt(min) + ", " + fmt(max) + (maxIncluded ? "]" : ")");
    return check(param, rule, v -> {
      double d = ((Number) v).doubleValue();
      return (minExcluded ? d > min : d >= min) && (maxIncluded ? d <= max : d < max);
    });
  }

  private static String fmt(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf((long) d) : String.valueOf(d);
  }

  /** A string Param that takes one of {@code choices}, compared without case. */
  public static Function1<String, Object> oneOf(String param, List<String> choices) {
    return check(param, "one of " + String.join(", ", choices),
        v -> choices.contains(v.toLowerCase(Locale.ROOT)));
  }

  public static Function1<String, Object> nonBlank(String param) {
    return check(param, "a non-empty name", v -> !v.isBlank());
  }

  /** The lower-case names of an enum's constants, as options spell them. */
  public static List<String> names(Class<? extends Enum<?>> type) {
    return Arrays.stream(type.getEnumConstants()).map(e -> e.name().toLowerCase(Locale.ROOT)).toList();
  }

  private static String render(Object value) {
    return value instanceof String s ? "'" + s + "'" : String.valueOf(value);
  }
}
