package io.deeppipe.transforms.card;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.deeppipe.transforms.io.Storage;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/** Reads and writes cards, refusing missing, corrupt or foreign ones with a clear message. */
public final class Cards {
  private Cards() {}

  public static String toJson(Object card) {
    try {
      return Json.mapper().writeValueAsString(card);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise " + card.getClass().getSimpleName(), e);
    }
  }

  public static void write(Path file, Object card, Configuration conf) {
    Storage.writeString(file, toJson(card) + "\n", conf);
  }

  /** The card of the dataset in {@code dir}; {@link BadInputException} if it is not a dataset. */
  public static DatasetCard readDataset(Path dir, Configuration conf) {
    Path file = new Path(dir, DatasetCard.FILE_NAME);
    if (!Storage.exists(dir, conf)) {
      throw new BadInputException("dataset " + dir + " does not exist");
    }
    if (!Storage.exists(file, conf)) {
      throw new BadInputException(
          "not a dataset: " + dir + " has no " + DatasetCard.FILE_NAME
              + " (an unfinished ingest, or not an ingest output)");
    }
    DatasetCard card = parse(file, Storage.readString(file, conf), DatasetCard.class);
    if (card.schemaVersion() != DatasetCard.SCHEMA_VERSION) {
      throw new BadInputException(
          file + " has schema_version " + card.schemaVersion() + ", this build reads "
              + DatasetCard.SCHEMA_VERSION + ": re-ingest the raw data with this build (bin/pipeline ingest-text or"
              + " ingest-images --input RAW --output " + dir + " --mode overwrite)");
    }
    if (!DatasetCard.KIND_TEXT.equals(card.kind()) && !DatasetCard.KIND_IMAGE.equals(card.kind())) {
      throw new BadInputException(file + " has kind '" + card.kind() + "', expected text or image");
    }
    if (card.labels() == null || card.counts() == null || card.fingerprint() == null) {
      throw new BadInputException(file + " is incomplete: labels, counts and fingerprint are required");
    }
    if (DatasetCard.KIND_TEXT.equals(card.kind()) && card.text() == null
        || DatasetCard.KIND_IMAGE.equals(card.kind()) && card.image() == null) {
      throw new BadInputException(file + " lacks the preprocessing spec for kind " + card.kind());
    }
    return card;
  }

  /** The card of the model in {@code dir}; {@link BadInputException} if it is not a finished model. */
  public static ModelCard readModel(Path dir, Configuration conf) {
    Path file = new Path(dir, ModelCard.FILE_NAME);
    if (!Storage.exists(dir, conf)) {
      throw new BadInputException("model " + dir + " does not exist");
    }
    if (!Storage.exists(file, conf)) {
      throw new BadInputException(
          "not a model: " + dir + " has no " + ModelCard.FILE_NAME + " (an unfinished training run, or not a model)");
    }
    ModelCard card = parse(file, Storage.readString(file, conf), ModelCard.class);
    if (card.schemaVersion() != ModelCard.SCHEMA_VERSION) {
      throw new BadInputException(
          file + " has schema_version " + card.schemaVersion() + ", this build reads " + ModelCard.SCHEMA_VERSION);
    }
    if (card.model() == null || card.labels() == null || card.datasetKind() == null) {
      throw new BadInputException(file + " is incomplete: model, labels and dataset_kind are required");
    }
    return card;
  }

  public static <T> T parse(Object origin, String json, Class<T> type) {
    try {
      T value = Json.mapper().readValue(json, type);
      if (value == null) {
        throw new BadInputException(origin + " is empty");
      }
      return value;
    } catch (JsonProcessingException e) {
      throw new BadInputException(
          origin + " is not a valid " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
    }
  }
}
