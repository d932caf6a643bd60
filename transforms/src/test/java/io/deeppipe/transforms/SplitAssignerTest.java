package io.deeppipe.transforms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deeppipe.transforms.SplitAssigner.SplitFractions;
import io.deeppipe.transforms.testing.LocalSpark;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

class SplitAssignerTest {
  private final SparkSession spark = LocalSpark.session();

  private Map<String, String> assign(List<String> ids, long seed) {
    Dataset<Row> rows = spark.createDataset(ids, Encoders.STRING()).toDF("id");
    return SplitAssigner.assign(rows, "id", SplitFractions.parse("0.8,0.1,0.1"), seed)
        .collectAsList().stream()
        .collect(Collectors.toMap(r -> r.getString(0), r -> r.getString(1)));
  }

  @Test
  void splitDependsOnlyOnIdAndSeed() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      ids.add("doc-" + i);
    }
    Map<String, String> first = assign(ids, 42);
    List<String> shuffled = new ArrayList<>(ids);
    Collections.shuffle(shuffled, new java.util.Random(1));
    List<String> grown = new ArrayList<>(shuffled);
    grown.add("doc-new");
    Map<String, String> again = assign(grown, 42);
    for (String id : ids) {
      assertThat(again.get(id)).as(id).isEqualTo(first.get(id));
    }
    long train = first.values().stream().filter("train"::equals).count();
    long validation = first.values().stream().filter("validation"::equals).count();
    assertThat(train).isBetween(3850L, 4150L);
    assertThat(validation).isBetween(420L, 580L);
    Map<String, String> otherSeed = assign(ids, 7);
    assertThat(ids.stream().filter(id -> !otherSeed.get(id).equals(first.get(id))).count()).isGreaterThan(500);
  }

  @Test
  void fractionsAreValidatedWithTheValueInTheMessage() {
    assertThatThrownBy(() -> SplitFractions.parse("0.5,0.6,0.1"))
        .hasMessage("--split must sum to 1.0, got 0.5,0.6,0.1");
    assertThatThrownBy(() -> SplitFractions.parse("0.8,0.2")).hasMessageContaining("'0.8,0.2'");
    assertThatThrownBy(() -> SplitFractions.parse("a,b,c")).hasMessageContaining("'a,b,c'");
    assertThatThrownBy(() -> SplitFractions.parse("1.2,-0.1,-0.1")).hasMessageContaining("[0,1]");
    assertThat(SplitFractions.parse("1,0,0").train()).isEqualTo(1.0);
  }
}
