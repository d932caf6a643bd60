package io.deeppipe.transforms;

import io.deeppipe.transforms.ml.ParamChecks;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.JavaParams;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;

/**
 * The options of an ingest job that are not preprocessing — how records are de-duplicated, split
 * and written — declared once as Params like the preprocessors' own, so the CLI and conf derive
 * from them the same way. {@link Text} and {@link Images} add what only one job has.
 */
public abstract class IngestParams extends JavaParams {
  private final String uid;
  private final BooleanParam dedup;
  private final Param<String> split;
  private final BooleanParam arrow;

  protected IngestParams(String uid, String dedupDoc) {
    this.uid = uid;
    dedup = new BooleanParam(this, "dedup", dedupDoc);
    split = new Param<>(this, "split",
        "train,validation,test fractions, assigned by a seeded hash of the id.",
        ParamChecks.check("split", "three fractions", (String v) -> SplitAssigner.SplitFractions.parse(v) != null));
    arrow = new BooleanParam(this, "arrow", "Also write the splits as Arrow IPC files.");
    setDefault(dedup, true);
    setDefault(split, "0.8,0.1,0.1");
    setDefault(arrow, true);
  }

  @Override
  public String uid() {
    return uid;
  }

  public BooleanParam dedup() { return dedup; }

  public Param<String> split() { return split; }

  public BooleanParam arrow() { return arrow; }

  public boolean getDedup() { return (Boolean) getOrDefault(dedup); }

  public SplitAssigner.SplitFractions getSplit() { return SplitAssigner.SplitFractions.parse(getOrDefault(split)); }

  public boolean getArrow() { return (Boolean) getOrDefault(arrow); }

  @Override
  public IngestParams copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  /** {@code ingest-text}'s own: where the fields are and near-duplicate removal. */
  public static final class Text extends IngestParams {
    private final Param<String> format;
    private final Param<String> textField;
    private final Param<String> labelField;
    private final Param<String> idField;
    private final org.apache.spark.ml.param.DoubleParam nearDupThreshold;

    public Text() {
      this(org.apache.spark.ml.util.Identifiable$.MODULE$.randomUID("textIngest"));
    }

    public Text(String uid) {
      super(uid, "Drop exact duplicates of the cleaned text, counted in dataset.json.");
      format = new Param<>(this, "format", "Input format: auto (by extension or layout), jsonl, csv, parquet, text, folder.",
          ParamChecks.oneOf("format", ParamChecks.names(io.deeppipe.transforms.text.TextFormat.class)));
      textField = new Param<>(this, "textField", "Column holding the text.", ParamChecks.nonBlank("textField"));
      labelField = new Param<>(this, "labelField", "Column holding the label; absent = unlabelled.");
      idField = new Param<>(this, "idField", "Column holding the record id; where absent the id is a hash of the cleaned text.");
      nearDupThreshold = new org.apache.spark.ml.param.DoubleParam(this, "nearDupThreshold",
          "Also drop near duplicates: texts whose token sets have Jaccard similarity >= this (MinHash LSH); 0 = off.",
          ParamChecks.check("nearDupThreshold", "0 (off) or a Jaccard similarity in (0, 1)",
              v -> (Double) v == 0 || (Double) v > 0 && (Double) v < 1));
      setDefault(format, "auto");
      setDefault(textField, "text");
      setDefault(labelField, "label");
      setDefault(idField, "id");
      setDefault(nearDupThreshold, 0.0);
    }

    public Param<String> format() { return format; }

    public Param<String> textField() { return textField; }

    public Param<String> labelField() { return labelField; }

    public Param<String> idField() { return idField; }

    public org.apache.spark.ml.param.DoubleParam nearDupThreshold() { return nearDupThreshold; }

    public io.deeppipe.transforms.text.TextFormat getFormat() {
      return io.deeppipe.transforms.text.TextFormat.parse(getOrDefault(format));
    }

    public double getNearDupThreshold() { return (Double) getOrDefault(nearDupThreshold); }
  }

  /** {@code ingest-images}' own: the Parquet row-group size (image rows are large). */
  public static final class Images extends IngestParams {
    private final org.apache.spark.ml.param.IntParam rowGroupMb;

    public Images() {
      this(org.apache.spark.ml.util.Identifiable$.MODULE$.randomUID("imageIngest"));
    }

    public Images(String uid) {
      super(uid, "Drop exact duplicate files (same SHA-256), counted in dataset.json.");
      rowGroupMb = new org.apache.spark.ml.param.IntParam(this, "rowGroupMb", "Parquet row-group size in MiB.",
          ParamChecks.intRange("rowGroupMb", 1, 1024));
      setDefault(rowGroupMb, 32);
    }

    public org.apache.spark.ml.param.IntParam rowGroupMb() { return rowGroupMb; }

    public int getRowGroupMb() { return (Integer) getOrDefault(rowGroupMb); }
  }
}
