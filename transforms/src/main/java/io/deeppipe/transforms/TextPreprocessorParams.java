package io.deeppipe.transforms;

import io.deeppipe.transforms.ml.ParamChecks;
import io.deeppipe.transforms.text.Tokenizer;
import io.deeppipe.transforms.text.TextCleaner;
import io.deeppipe.transforms.text.Vocabulary;
import java.io.Serializable;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;

/**
 * The Params of {@link TextPreprocessor} and {@link TextPreprocessorModel}, declared once here
 * with doc, default and validator. The CLI's options and conf keys of {@code ingest-text} are
 * derived from them (kebab-case of the name: {@code maxLength} is {@code --max-length}).
 */
public interface TextPreprocessorParams extends Params {
  int MAX_LENGTH_LIMIT = 100_000;

  /** The Param objects of one stage (each Param belongs to the stage that created it). */
  final class Declared implements Serializable {
    final Param<String> inputCol;
    final Param<String> labelCol;
    final Param<String> idCol;
    final BooleanParam lowercase;
    final BooleanParam stripHtml;
    final IntParam minChars;
    final IntParam maxChars;
    final Param<String> tokenizer;
    final IntParam vocabSize;
    final IntParam minCount;
    final IntParam maxLength;
    final Param<String> truncate;

    Declared(Params owner) {
      inputCol = new Param<>(owner, "inputCol", "Column of raw text (a string).", ParamChecks.nonBlank("inputCol"));
      labelCol = new Param<>(owner, "labelCol", "Column of the label (a string); absent = unlabelled.",
          ParamChecks.nonBlank("labelCol"));
      idCol = new Param<>(owner, "idCol", "Column of the record id; passes through.", ParamChecks.nonBlank("idCol"));
      lowercase = new BooleanParam(owner, "lowercase", "Lowercase the cleaned text.");
      stripHtml = new BooleanParam(owner, "stripHtml", "Remove HTML tags and common entities.");
      minChars = new IntParam(owner, "minChars", "Reject texts shorter than this many characters after cleaning.",
          ParamChecks.intAtLeast("minChars", 0));
      maxChars = new IntParam(owner, "maxChars", "Reject texts longer than this many characters after cleaning.",
          ParamChecks.intAtLeast("maxChars", 1));
      tokenizer = new Param<>(owner, "tokenizer",
          "cjk (CJK characters one by one, other scripts as words), word, or char.",
          ParamChecks.oneOf("tokenizer", ParamChecks.names(Tokenizer.class)));
      vocabSize = new IntParam(owner, "vocabSize",
          "Vocabulary size, special tokens included, learned from the data fit sees (the train split).",
          ParamChecks.intRange("vocabSize", Vocabulary.SPECIALS.size() + 1, 10_000_000));
      minCount = new IntParam(owner, "minCount", "Keep tokens seen at least this many times in the fitted data.",
          ParamChecks.intAtLeast("minCount", 1));
      maxLength = new IntParam(owner, "maxLength", "Length of token_ids: padded with [PAD] or truncated.",
          ParamChecks.intRange("maxLength", 1, MAX_LENGTH_LIMIT));
      truncate = new Param<>(owner, "truncate", "Which end of a long text is cut: end or start.",
          ParamChecks.oneOf("truncate", ParamChecks.names(Vocabulary.Truncation.class)));
      owner.setDefault(inputCol, "text");
      owner.setDefault(labelCol, "label");
      owner.setDefault(idCol, "id");
      owner.setDefault(lowercase, false);
      owner.setDefault(stripHtml, false);
      owner.setDefault(minChars, 1);
      owner.setDefault(maxChars, 1_000_000);
      owner.setDefault(tokenizer, "cjk");
      owner.setDefault(vocabSize, 20_000);
      owner.setDefault(minCount, 1);
      owner.setDefault(maxLength, 128);
      owner.setDefault(truncate, "end");
    }
  }

  /** This stage's Params (not itself a Param: Spark finds Params by their accessor methods). */
  Declared declared();

  default Param<String> inputCol() { return declared().inputCol; }

  default Param<String> labelCol() { return declared().labelCol; }

  default Param<String> idCol() { return declared().idCol; }

  default BooleanParam lowercase() { return declared().lowercase; }

  default BooleanParam stripHtml() { return declared().stripHtml; }

  default IntParam minChars() { return declared().minChars; }

  default IntParam maxChars() { return declared().maxChars; }

  default Param<String> tokenizer() { return declared().tokenizer; }

  default IntParam vocabSize() { return declared().vocabSize; }

  default IntParam minCount() { return declared().minCount; }

  default IntParam maxLength() { return declared().maxLength; }

  default Param<String> truncate() { return declared().truncate; }

  default String getInputCol() { return getOrDefault(inputCol()); }

  default String getLabelCol() { return getOrDefault(labelCol()); }

  default String getIdCol() { return getOrDefault(idCol()); }

  default int getMaxLength() { return (Integer) getOrDefault(maxLength()); }

  default int getVocabSize() { return (Integer) getOrDefault(vocabSize()); }

  default int getMinCount() { return (Integer) getOrDefault(minCount()); }

  default Tokenizer getTokenizer() { return Tokenizer.parse(getOrDefault(tokenizer())); }

  default Vocabulary.Truncation getTruncate() { return Vocabulary.Truncation.parse(getOrDefault(truncate())); }

  /** The per-record checks and cleaning these Params describe; refuses minChars > maxChars. */
  default TextCleaner.Checks getChecks() {
    int min = (Integer) getOrDefault(minChars());
    int max = (Integer) getOrDefault(maxChars());
    if (min > max) {
      throw new IllegalArgumentException("minChars must be <= maxChars, got " + min + " > " + max);
    }
    return new TextCleaner.Checks(
        new TextCleaner((Boolean) getOrDefault(lowercase()), (Boolean) getOrDefault(stripHtml())), min, max);
  }
}
