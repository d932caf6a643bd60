package io.deeppipe.transforms.text;

import java.io.Serializable;
import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Cleans one text: strips ANSI escape sequences (colour codes from terminals), optionally HTML
 * tags, applies Unicode NFKC, turns control characters into spaces, collapses whitespace and
 * optionally lowercases. Pure and serialisable: the same instance runs at ingest and at predict.
 */
public record TextCleaner(boolean lowercase, boolean stripHtml) implements Serializable {
  // CSI (ESC [ ... final byte), OSC (ESC ] ... BEL or ESC \), and two-byte ESC sequences.
  private static final Pattern ANSI =
      Pattern.compile("\u001B\\[[0-?]*[ -/]*[@-~]|\u001B\\][^\u0007\u001B]*(?:\u0007|\u001B\\\\)?|\u001B[@-Z\\\\-_]");
  private static final Pattern HTML_TAG = Pattern.compile("<[^>]{0,1000}>");
  private static final Pattern CONTROL = Pattern.compile("[\\p{Cc}\uFEFF\u200B]");
  private static final Pattern WHITESPACE = Pattern.compile("[\\s\\p{Z}]+");

  public String clean(String raw) {
    if (raw == null) {
      return null;
    }
    String s = ANSI.matcher(raw).replaceAll("");
    if (stripHtml) {
      s = unescapeHtml(HTML_TAG.matcher(s).replaceAll(" "));
    }
    s = Normalizer.normalize(s, Normalizer.Form.NFKC);
    s = CONTROL.matcher(s).replaceAll(" ");
    s = WHITESPACE.matcher(s).replaceAll(" ").trim();
    return lowercase ? s.toLowerCase(Locale.ROOT) : s;
  }

  private static String unescapeHtml(String s) {
    if (s.indexOf('&') < 0) {
      return s;
    }
    return s.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&amp;", "&");
  }
}
