package io.deeppipe.transforms;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Option values that name an enum constant, case-insensitively, and the message a user sees when
 * one does not: it names the option, every accepted value and the value given.
 */
public final class Choices {
  private Choices() {}

  public static <E extends Enum<E>> E parse(Class<E> type, String option, String value) {
    for (E e : type.getEnumConstants()) {
      if (e.name().equalsIgnoreCase(value)) {
        return e;
      }
    }
    String accepted = Arrays.stream(type.getEnumConstants()).map(Choices::name).collect(Collectors.joining(", "));
    throw new IllegalArgumentException(option + " must be one of " + accepted + ", got '" + value + "'");
  }

  /** How a constant is written on the command line and in cards: lower case. */
  public static String name(Enum<?> constant) {
    return constant.name().toLowerCase(Locale.ROOT);
  }
}
