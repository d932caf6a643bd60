package io.deeppipe.jobs;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * A command's options derived from a Spark ML stage's Params, so that each option is declared
 * once, as a Param: the flag is the Param's name in kebab-case ({@code maxLength} →
 * {@code --max-length}), the help text is its doc, the default is its default (overridden by
 * {@code --config} and {@code conf/<command>.conf} like every option), and a value is checked by
 * the Param's own validator. A refused value is a {@link UsageException} (exit 2) whose message
 * names the flag instead of the Param.
 */
final class ParamOptions {
  private static final Pattern CAMEL = Pattern.compile("(?<=[a-z0-9])([A-Z])");

  private final Params stage;
  private final Map<Param<Object>, Object> values = new LinkedHashMap<>();
  private final Map<String, String> flags = new LinkedHashMap<>();

  private ParamOptions(Params stage) {
    this.stage = stage;
  }

  /** The CLI flag of a Param name: {@code maxLength} → {@code --max-length}. */
  static String flag(String paramName) {
    return "--" + CAMEL.matcher(paramName).replaceAll("-$1").toLowerCase(Locale.ROOT);
  }

  /**
   * Adds an option to {@code spec} for each Param of {@code stage} except {@code apiOnly} (column
   * names, which only the library API sets; the CLI reads files into the standard columns).
   */
  static ParamOptions bind(CommandSpec spec, Params stage, Set<String> apiOnly) {
    return bind(spec, stage, apiOnly, Map.of());
  }

  /**
   * As {@link #bind(CommandSpec, Params, Set)}, with the flags of some Params named otherwise
   * ({@code network} → {@code --model}: the flag users had before the Param existed).
   */
  @SuppressWarnings("unchecked")
  static ParamOptions bind(CommandSpec spec, Params stage, Set<String> apiOnly, Map<String, String> renamed) {
    ParamOptions bound = new ParamOptions(stage);
    List<Param<?>> params = new ArrayList<>(List.of(stage.params()));
    params.sort(Comparator.comparing(Param::name));
    for (Param<?> p : params) {
      if (apiOnly.contains(p.name())) {
        continue;
      }
      Param<Object> param = (Param<Object>) p;
      String flag = renamed.getOrDefault(param.name(), flag(param.name()));
      bound.flags.put(param.name(), flag);
      Object fallback = stage.getDefault(param).get();
      OptionSpec.Builder option =
          OptionSpec.builder(flag)
              .type(javaType(param))
              .userObject(param)
              .paramLabel(param instanceof BooleanParam ? "BOOL" : param instanceof IntParam || param instanceof LongParam ? "N" : "VALUE")
              .description(param.doc() + " (default: ${DEFAULT-VALUE}).")
              .defaultValue(String.valueOf(fallback))
              .setter(new picocli.CommandLine.Model.ISetter() {
                @Override
                public <T> T set(T value) {
                  bound.values.put(param, value);
                  return null;
                }
              });
      if (param instanceof BooleanParam) {
        option.negatable(true).arity("0..1").fallbackValue("true");
      }
      spec.addOption(option.build());
    }
    return bound;
  }

  private static Class<?> javaType(Param<?> param) {
    if (param instanceof IntParam) {
      return Integer.class;
    }
    if (param instanceof LongParam) {
      return Long.class;
    }
    if (param instanceof DoubleParam) {
      return Double.class;
    }
    if (param instanceof BooleanParam) {
      return Boolean.class;
    }
    return String.class;
  }

  /** Sets the parsed values on the stage; a value its Param refuses is a usage error naming the flag. */
  <P extends Params> P apply() {
    for (Map.Entry<Param<Object>, Object> e : values.entrySet()) {
      try {
        stage.set(e.getKey(), e.getValue());
      } catch (IllegalArgumentException ex) {
        throw new UsageException(withFlags(ex.getMessage()));
      }
    }
    @SuppressWarnings("unchecked")
    P typed = (P) stage;
    return typed;
  }

  /** A validator's message with each Param name replaced by its flag. */
  String withFlags(String message) {
    String out = message;
    for (Map.Entry<String, String> e : flags.entrySet()) {
      out = out.replaceAll("(?<![\\w-])" + Pattern.quote(e.getKey()) + "(?!\\w)", Matcher.quoteReplacement(e.getValue()));
    }
    return out;
  }
}
