package io.deeppipe.transforms.text;

import static org.assertj.core.api.Assertions.assertThat;

import io.deeppipe.transforms.Outcomes;
import io.deeppipe.transforms.testing.LocalSpark;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An RFC 4180 file with multi-line quoted records around truly bad ones: the bad records, and only
 * they, are rejected with their own reason, and the records after them are still read whole.
 */
class CsvReasonsTest {
  private final SparkSession spark = LocalSpark.session();

  @Test
  void malformedAndInvalidUtf8RecordsAreRejectedAndTheCountsAddUp(@TempDir Path tmp) throws Exception {
    ByteArrayOutputStream csv = new ByteArrayOutputStream();
    csv.writeBytes(("id,label,text\r\n"
        + "a,en,\"first line\r\nsecond \"\"quoted\"\" line, with a comma\"\r\n"
        + "b,en,\"ends in a backslash \\\"\r\n"
        + "c,en,one,field,too,many\r\n"
        + "d,en,\"a \"\"good\"\" one\nafter the bad one\"\r\n"
        + "e,en,\"bad bytes ").getBytes(StandardCharsets.UTF_8));
    csv.write(new byte[] {(byte) 0xC3, (byte) 0x28}); // not UTF-8
    csv.writeBytes((" inside\r\na quoted field\"\r\n"
        + "f,en,\"last\"\r\n").getBytes(StandardCharsets.UTF_8));
    Path file = tmp.resolve("in.csv");
    Files.write(file, csv.toByteArray());

    List<Row> rows = TextReaders.read(spark, TextIngestTest.options(file.toString(), tmp.resolve("out").toString(), TextFormat.AUTO))
        .collectAsList();
    Map<String, String> reasonById = new HashMap<>();
    Map<String, String> textById = new HashMap<>();
    for (Row r : rows) {
      String id = r.getAs(TextReaders.ID_RAW);
      reasonById.put(id, r.getAs(Outcomes.REASON));
      textById.put(id, r.getAs(TextReaders.TEXT_RAW));
    }
    assertThat(rows).hasSize(6);
    assertThat(reasonById).containsEntry("c", "malformed_csv").containsEntry("e", "invalid_utf8");
    assertThat(reasonById.values().stream().filter(r -> r == null)).hasSize(4);
    assertThat(textById)
        .containsEntry("a", "first line\nsecond \"quoted\" line, with a comma")
        .containsEntry("b", "ends in a backslash \\")
        .containsEntry("d", "a \"good\" one\nafter the bad one")
        .containsEntry("f", "last");
  }
}
