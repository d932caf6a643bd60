package io.deeppipe.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A real multilingual language-identification corpus built from what the JDK ships: the names of
 * every country and language, as written in each of twelve languages (CLDR data), three names to
 * a record, labelled by the language they are written in. Chinese, Japanese, Arabic and Russian
 * included; names that a language writes like English (e.g. "Chile") become real duplicates.
 */
public final class LanguageSample {
  public static final List<String> LANGUAGES =
      List.of("ar", "de", "en", "es", "fr", "it", "ja", "nl", "pl", "pt", "ru", "zh");
  private static final int NAMES_PER_RECORD = 3;

  private LanguageSample() {}

  /** The records, in a fixed order: each {@code id}, {@code label}, {@code text}. */
  public static List<Map<String, String>> records() {
    String[] countries = Locale.getISOCountries();
    String[] languages = Locale.getISOLanguages();
    Arrays.sort(countries);
    Arrays.sort(languages);
    List<Map<String, String>> records = new ArrayList<>();
    for (String lang : LANGUAGES) {
      Locale in = Locale.forLanguageTag(lang);
      List<String> names = new ArrayList<>();
      for (String c : countries) {
        String name = new Locale("", c).getDisplayCountry(in);
        if (!name.isBlank() && !name.equals(c)) {
          names.add(name);
        }
      }
      for (String l : languages) {
        String name = new Locale(l).getDisplayLanguage(in);
        if (!name.isBlank() && !name.equals(l)) {
          names.add(name);
        }
      }
      for (int i = 0; i + NAMES_PER_RECORD <= names.size(); i += NAMES_PER_RECORD) {
        Map<String, String> r = new LinkedHashMap<>();
        r.put("id", lang + "-" + (i / NAMES_PER_RECORD));
        r.put("label", lang);
        r.put("text", String.join(", ", names.subList(i, i + NAMES_PER_RECORD)));
        records.add(r);
      }
    }
    return records;
  }

  /** Writes the corpus as JSON Lines; returns the number of records. */
  public static int writeJsonLines(Path file) {
    ObjectMapper mapper = new ObjectMapper();
    StringBuilder sb = new StringBuilder();
    List<Map<String, String>> records = records();
    try {
      for (Map<String, String> r : records) {
        sb.append(mapper.writeValueAsString(r)).append('\n');
      }
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return records.size();
  }
}
