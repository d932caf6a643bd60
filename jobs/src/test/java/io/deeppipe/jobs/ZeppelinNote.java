package io.deeppipe.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import io.deeppipe.transforms.card.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Zeppelin note as its {@code .zpln} file stores it (Zeppelin 0.9+: one JSON object, {@code paragraphs} in order,
 * each with its {@code text}; the first line of a text names the interpreter, e.g. {@code %md}, {@code %spark} or
 * {@code %spark(printREPLOutput=false)} with paragraph-local properties).
 */
record ZeppelinNote(Path file, String name, String id, String defaultInterpreterGroup, List<Paragraph> paragraphs) {
  private static final Pattern HEADER = Pattern.compile("^%([\\w.]+)(\\(([^)]*)\\))?[ \\t]*(\\R|$)");

  /** One paragraph: {@code interpreter} without the {@code %}, {@code code} without the header line. */
  record Paragraph(int index, String id, String title, String interpreter, String properties, String code) {
    boolean isMarkdown() {
      return interpreter.equals("md");
    }

    /** Scala run by the Spark interpreter ({@code %spark} or {@code %spark.spark}). */
    boolean isSparkScala() {
      return interpreter.equals("spark") || interpreter.equals("spark.spark");
    }

    String label() {
      return "paragraph " + (index + 1) + (title == null ? "" : " '" + title + "'") + " (" + id + ")";
    }
  }

  static ZeppelinNote read(Path file) throws IOException {
    JsonNode note = Json.mapper().readTree(file.toFile());
    String group = note.path("defaultInterpreterGroup").asText("spark");
    List<Paragraph> paragraphs = new ArrayList<>();
    for (JsonNode p : note.path("paragraphs")) {
      String text = p.path("text").asText("");
      Matcher m = HEADER.matcher(text);
      String interpreter = group;
      String properties = "";
      String code = text;
      if (m.find()) {
        interpreter = m.group(1);
        properties = m.group(3) == null ? "" : m.group(3);
        code = text.substring(m.end());
      }
      String title = p.hasNonNull("title") && !p.get("title").asText().isBlank() ? p.get("title").asText() : null;
      paragraphs.add(new Paragraph(paragraphs.size(), p.path("id").asText(null), title, interpreter, properties, code));
    }
    return new ZeppelinNote(file, note.path("name").asText(null), note.path("id").asText(null), group, paragraphs);
  }
}
