package io.deeppipe.jobs;

import io.deeppipe.transforms.card.Cards;
import io.deeppipe.transforms.card.DatasetCard;
import io.deeppipe.transforms.card.ModelCard;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    description = "Print the card of a dataset or model directory for a person (or as JSON). Starts no Spark.")
public final class InspectCommand extends JobCommand {
  @Parameters(index = "0", paramLabel = "DIR", description = "A dataset (with dataset.json) or model (with model.json) directory.")
  String dir;

  @Option(names = "--json", description = "Print the card as JSON.")
  boolean json;

  private DatasetCard card;
  private ModelCard model;

  @Override
  protected void prepare() {
    Configuration conf = new Configuration();
    if (io.deeppipe.transforms.io.Storage.exists(new Path(dir, ModelCard.FILE_NAME), conf)) {
      model = Cards.readModel(new Path(dir), conf);
      if (io.deeppipe.transforms.card.OnnxSpec.KIND.equals(model.model())) {
        io.deeppipe.models.onnx.OnnxImport.readChecked(new Path(dir), model, conf); // present, unchanged, loadable
        return;
      }
      // the card alone could describe a damaged network: read the archive through
      Path zip = new Path(dir, io.deeppipe.models.train.ModelDir.MODEL);
      if (!io.deeppipe.transforms.io.Storage.exists(zip, conf)) {
        throw new io.deeppipe.transforms.card.BadInputException("model " + dir + " has no " + zip.getName());
      }
      io.deeppipe.models.train.ModelDir.checkArchive(io.deeppipe.transforms.io.Storage.readBytes(zip, conf), zip.toString());
    } else {
      card = Cards.readDataset(new Path(dir), conf);
    }
  }

  @Override
  protected int execute() {
    if (json) {
      println(Cards.toJson(model != null ? model : card));
      return 0;
    }
    if (model != null) {
      printModel();
      return 0;
    }
    println("dataset      " + dir);
    println("kind         " + card.kind());
    println("source       " + card.source());
    println("created      " + card.created());
    println("fingerprint  " + card.fingerprint());
    println("labels       " + card.labels().size() + " " + card.labels());
    println("records      input " + card.inputRecords() + " = train " + card.count("train")
        + " + validation " + card.count("validation") + " + test " + card.count("test")
        + " + rejected " + card.count("rejected") + " + duplicates " + card.duplicatesRemoved());
    for (Map.Entry<String, Long> e : card.rejectedByReason().entrySet()) {
      println("  rejected   " + e.getKey() + ": " + e.getValue());
    }
    if (card.split() != null) {
      println("split        " + card.split().train() + "/" + card.split().validation() + "/"
          + card.split().test() + " seed " + card.split().seed());
    }
    StringBuilder cols = new StringBuilder();
    card.schema().forEach(c -> cols.append(c.name()).append(':').append(c.type()).append(' '));
    println("columns      " + cols.toString().trim());
    if (card.text() != null) {
      var t = card.text();
      println("text         tokenizer " + t.tokenizer() + ", vocabulary " + t.vocabSize() + ", max length "
          + t.maxLength() + " (truncate " + t.truncation() + "), lowercase " + t.lowercase()
          + ", strip html " + t.stripHtml());
    }
    if (card.image() != null) {
      var i = card.image();
      println("image        " + i.height() + "x" + i.width() + "x" + i.channels() + " (" + i.resizeMode()
          + "), mean " + i.mean() + ", std " + i.std());
    }
    return 0;
  }

  private void printModel() {
    println("model        " + dir);
    if (model.onnx() != null) {
      var o = model.onnx();
      println("type         onnx (imported from " + model.hyperParameters().get("source") + ") for " + model.datasetKind()
          + " data");
      println("labels       " + model.labels().size() + " " + model.labels());
      println("input        '" + o.inputName() + "' " + o.inputType() + " " + model.inputShape() + ", layout "
          + o.layout() + (model.image() != null ? ", (v * " + o.scale() + " - " + o.mean() + ") / " + o.std() : "")
          + "; output '" + o.outputName() + "' " + o.outputs());
      if (model.text() != null) {
        var t = model.text();
        println("text         tokenizer " + t.tokenizer() + ", vocabulary " + t.vocabSize() + ", max length "
            + t.maxLength() + " (truncate " + t.truncation() + "), lowercase " + t.lowercase());
      }
      println("sha256       " + o.sha256());
      return;
    }
    println("type         " + model.model() + " (" + model.parameters() + " parameters) on a " + model.datasetKind() + " dataset");
    println("trained on   " + model.datasetPath() + " (fingerprint " + model.datasetFingerprint() + ")");
    println("labels       " + model.labels().size() + " " + model.labels());
    println("input shape  " + model.inputShape());
    println("training     " + model.epochs().size() + " epochs, best " + model.bestEpoch() + " (validation accuracy "
        + String.format(java.util.Locale.ROOT, "%.4f", model.bestValidationAccuracy()) + "), " + model.stoppedBecause()
        + ", " + model.wallTimeMs() / 1000 + " s, " + model.trainingMaster() + " over " + model.workers() + " workers");
    println("hyper        " + model.hyperParameters());
  }
}
