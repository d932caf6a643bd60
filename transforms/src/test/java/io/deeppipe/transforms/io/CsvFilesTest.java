package io.deeppipe.transforms.io;

import static org.assertj.core.api.Assertions.assertThat;

import io.deeppipe.transforms.card.Json;
import io.deeppipe.transforms.testing.LocalSpark;
import io.deeppipe.transforms.testing.TestData;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CSV files as other people's writers write them — Debian's Python {@code csv} module and Apache
 * Commons CSV, neither written here — read back record for record: every record, every text
 * identical, nothing malformed. The texts are real fortunes: multi-line, with quotes, commas,
 * backslashes and ANSI escapes.
 */
class CsvFilesTest {
  static final List<String> HEADER = List.of("id", "label", "text");
  private final SparkSession spark = LocalSpark.session();
  static final Map<String, String> texts = new TreeMap<>();

  @BeforeAll
  static void fortunes() throws IOException {
    for (String category : List.of("computers", "science")) {
      for (String entry : TestData.fortunes(category)) {
        texts.put(category + "-" + texts.size(), entry);
      }
    }
    assertThat(texts.values()).anyMatch(t -> t.contains("\n")).anyMatch(t -> t.contains("\""))
        .anyMatch(t -> t.contains(","));
  }

  /**
   * Writes {@code texts} as CSV with Debian's Python ({@code /usr/bin/python3}, installed by
   * bin/test) and its {@code csv} module: the default dialect (CRLF record ends, minimal quoting) or,
   * for {@code spreadsheet}, what Excel-compatible exports look like (UTF-8 BOM, every field quoted).
   */
  static Path writeWithPython(Path dir, Map<String, String> rows, boolean spreadsheet) throws Exception {
    Path json = dir.resolve("rows.json");
    Json.mapper().writeValue(json.toFile(), rows);
    Path csv = dir.resolve(spreadsheet ? "spreadsheet.csv" : "python.csv");
    String script = String.join("\n",
        "import csv, json, sys",
        "rows = json.load(open(sys.argv[1], encoding='utf-8'))",
        "spreadsheet = sys.argv[3] == 'spreadsheet'",
        "with open(sys.argv[2], 'w', newline='', encoding='utf-8-sig' if spreadsheet else 'utf-8') as f:",
        "    w = csv.writer(f, quoting=csv.QUOTE_ALL if spreadsheet else csv.QUOTE_MINIMAL)",
        "    w.writerow(['id', 'label', 'text'])",
        "    for key, text in rows.items():",
        "        w.writerow([key, key.split('-')[0], text])");
    Process p = new ProcessBuilder("/usr/bin/python3", "-c", script, json.toString(), csv.toString(),
        spreadsheet ? "spreadsheet" : "plain").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return csv;
  }

  @Test
  void pythonCsvWithCrlfIsReadRecordForRecord(@TempDir Path tmp) throws Exception {
    Path csv = writeWithPython(tmp, texts, false);
    String raw = Files.readString(csv);
    assertThat(raw).startsWith("id,label,text\r\n").contains("\"\"");
    assertReadBack(csv);
  }

  @Test
  void spreadsheetStyleCsvWithBomIsReadRecordForRecord(@TempDir Path tmp) throws Exception {
    Path csv = writeWithPython(tmp, texts, true);
    byte[] raw = Files.readAllBytes(csv);
    assertThat(new String(raw, 0, 3, StandardCharsets.ISO_8859_1)).isEqualTo("\u00EF\u00BB\u00BF");
    assertThat(CsvFiles.header(spark, csv.toString(), "--input")).containsExactlyElementsOf(HEADER);
    assertReadBack(csv);
  }

  @Test
  void commonsCsvRfc4180AndExcelFormatsAreReadRecordForRecord(@TempDir Path tmp) throws Exception {
    for (CSVFormat format : List.of(CSVFormat.RFC4180, CSVFormat.EXCEL)) {
      Path csv = tmp.resolve(format == CSVFormat.RFC4180 ? "rfc4180.csv" : "excel.csv");
      try (Writer w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8);
          CSVPrinter printer = new CSVPrinter(w, format)) {
        printer.printRecord(HEADER);
        for (var e : texts.entrySet()) {
          printer.printRecord(e.getKey(), e.getKey().split("-")[0], e.getValue());
        }
      }
      assertReadBack(csv);
    }
  }

  private void assertReadBack(Path csv) {
    assertThat(CsvFiles.header(spark, csv.toString(), "--input")).containsExactlyElementsOf(HEADER);
    List<Row> rows = CsvFiles.read(spark, csv.toString(), HEADER).collectAsList();
    List<String> corrupt = new ArrayList<>();
    Map<String, String> read = new TreeMap<>();
    for (Row r : rows) {
      if (r.getAs(CsvFiles.CORRUPT) != null) {
        corrupt.add(r.getAs(CsvFiles.CORRUPT));
      }
      read.put(r.getAs("id"), r.getAs("text"));
    }
    assertThat(corrupt).as("malformed rows of " + csv.getFileName()).isEmpty();
    assertThat(rows).hasSize(texts.size());
    assertThat(read).isEqualTo(texts);
  }
}
