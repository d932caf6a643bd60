package io.deeppipe.jobs.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.deeppipe.jobs.Cli;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Datasets and model directories are inputs too: damaged, foreign or hostile ones given to every
 * command that reads them are refused with exit 2 and a message naming the file, never a stack
 * trace, and nothing is written. (Card-level refusals of the library are in CardsTest and
 * InferenceTest; these go through the CLI.)
 */
class UntrustedFilesTest {
  static Path tmp;

  @BeforeAll
  static void models() throws IOException {
    tmp = Files.createDirectories(TrainedModels.root().resolve("untrusted"));
  }

  @Test
  void damagedOrForeignDatasetCardsAreRefusedByTrainPredictEvaluateAndInspect() throws Exception {
    String model = Files.readString(TrainedModels.imageModel().resolve("model.json"));
    String card = Files.readString(TrainedModels.imageData().resolve("dataset.json"));
    Path truncated = datasetWithCard("truncated card", card.substring(0, card.length() / 2));
    Path foreign = datasetWithCard("model card as dataset card", model);
    Path audio = datasetWithCard("audio kind", card.replace("\"kind\" : \"image\"", "\"kind\" : \"audio\""));
    Path future = datasetWithCard("future schema", card.replace("\"schema_version\" : 1", "\"schema_version\" : 99"));
    Path empty = datasetWithCard("empty card", "");
    refused("dataset.json is not a valid DatasetCard", "train", "--data", truncated, "--model", "mlp");
    refused("has kind 'null', expected text or image", "train", "--data", foreign, "--model", "mlp");
    refused("has kind 'audio', expected text or image", "evaluate", "--model", TrainedModels.imageModel(), "--data", audio);
    refused("has schema_version 99, this build reads 1: re-ingest the raw data with this build (bin/pipeline ingest-text"
        + " or ingest-images --input RAW --output " + future + " --mode overwrite)", "predict", "--model", TrainedModels.imageModel(), "--input", future);
    refused("dataset.json is not a valid DatasetCard", "train", "--data", empty, "--model", "mlp");
    refused("dataset.json is not a valid DatasetCard", "inspect", truncated);
  }

  @Test
  void damagedForeignOrHostileModelsAreRefusedByPredictEvaluateInspectAndResume() throws Exception {
    byte[] zip = Files.readAllBytes(TrainedModels.imageModel().resolve("model.zip"));
    Path half = modelWithZip("half zip", Arrays.copyOf(zip, zip.length / 2));
    for (String command : new String[] {"predict", "evaluate", "inspect"}) {
      Object[] args = switch (command) {
        case "predict" -> new Object[] {"--model", half, "--input", TrainedModels.imageData()};
        case "evaluate" -> new Object[] {"--model", half, "--data", TrainedModels.imageData()};
        default -> new Object[] {half};
      };
      refused("model.zip is damaged (truncated or corrupt)", command, args);
    }
    Path flipped = modelWithZip("flipped zip", flipMiddle(zip));
    refused("model.zip is damaged (truncated or corrupt)", "inspect", flipped);
    refused("model.zip is not a complete DL4J model", "predict", "--model", modelWithZip("not a zip", "PK no".getBytes()),
        "--input", TrainedModels.imageData());

    // another model's network under this model's card
    Path swapped = modelWithZip("swapped zip", Files.readAllBytes(TrainedModels.textModel().resolve("model.zip")));
    refused("has 2 outputs but its model.json lists 10 labels", "predict", "--model", swapped, "--input",
        TrainedModels.imageData());
    Path unknownType = modelWithZip("unknown type", zip);
    Files.writeString(unknownType.resolve("model.json"),
        Files.readString(unknownType.resolve("model.json")).replace("\"model\" : \"mlp\"", "\"model\" : \"gpt\""));
    refused("names a model type 'gpt' this build does not know", "predict", "--model", unknownType, "--input",
        TrainedModels.imageData());
    Path datasetCard = modelWithZip("dataset card as model card", zip);
    Files.copy(TrainedModels.imageData().resolve("dataset.json"), datasetCard.resolve("model.json"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    refused("model.json is incomplete: model, labels and dataset_kind are required", "evaluate", "--model", datasetCard,
        "--data", TrainedModels.imageData());

    // a zip bomb: 300 MB of zeros in a few hundred kilobytes
    Path bomb = modelWithZip("bomb", zip(new String[] {"configuration.json", "{}"}, "coefficients.bin", 300 << 20));
    refused("refused as a zip bomb", "predict", "--model", bomb, "--input", TrainedModels.imageData());
    // entry names that climb out of any extraction directory: nothing is ever extracted
    Path escape = tmp.resolve("escaped.txt");
    Path traversal = modelWithZip("traversal", zip(new String[] {"../../../../../../../../" + escape, "owned",
        "../escaped.txt", "owned", "configuration.json", "{}", "coefficients.bin", "0"}, null, 0));
    refused("model.zip is not a readable DL4J model", "predict", "--model", traversal, "--input", TrainedModels.imageData());
    assertThat(escape).doesNotExist();
    assertThat(traversal.getParent().resolve("escaped.txt")).doesNotExist();

    // --resume from a damaged checkpoint
    Path unfinished = modelWithZip("damaged checkpoint", zip);
    Files.delete(unfinished.resolve("model.json"));
    try (var checkpoints = Files.list(unfinished.resolve("checkpoints"))) {
      for (Path c : checkpoints.filter(p -> p.getFileName().toString().startsWith("last-")).toList()) {
        byte[] b = Files.readAllBytes(c);
        Files.write(c, Arrays.copyOf(b, b.length / 3));
      }
    }
    Cli resume = Cli.run("train", "--data", TrainedModels.imageData().toString(), "--model", "mlp", "--epochs", "1",
        "--output", unfinished.toString(), "--resume");
    assertThat(resume.code()).as(resume.describe()).isEqualTo(2);
    assertThat(resume.err()).contains("checkpoints/last-1.zip is damaged (truncated or corrupt)").doesNotContain("\tat ");
    assertThat(unfinished.resolve("model.json")).doesNotExist();
  }

  @Test
  void cardsAndModelsEditedBehindHadoopsChecksumsAreRefused() throws Exception {
    // Hadoop's local file system writes a hidden .NAME.crc beside each file; an edit that leaves it stale
    Path dataset = tmp.resolve("edited dataset");
    copy(TrainedModels.imageData(), dataset);
    Files.copy(TrainedModels.imageData().resolve(".dataset.json.crc"), dataset.resolve(".dataset.json.crc"));
    Files.writeString(dataset.resolve("dataset.json"),
        Files.readString(dataset.resolve("dataset.json")).replace("\"created\"", "\"Created\""));
    refused("dataset.json does not match its checksum file (.dataset.json.crc)", "train", "--data", dataset, "--model", "mlp");
    refused("dataset.json does not match its checksum file", "inspect", dataset);

    Path model = tmp.resolve("edited model");
    copy(TrainedModels.imageModel(), model);
    Files.copy(TrainedModels.imageModel().resolve(".model.zip.crc"), model.resolve(".model.zip.crc"));
    byte[] zip = Files.readAllBytes(model.resolve("model.zip"));
    Files.write(model.resolve("model.zip"), flipMiddle(zip));
    refused("model.zip does not match its checksum file (.model.zip.crc)", "predict", "--model", model, "--input",
        TrainedModels.imageData());
    refused("model.zip does not match its checksum file", "inspect", model);
  }

  // ------------------------------------------------------------------------------------------

  /** Runs the command with an --output (except inspect) and checks the refusal and that nothing was written. */
  static void refused(String expected, String command, Object... args) {
    Path out = tmp.resolve("out-" + Integer.toHexString(Arrays.hashCode(args)) + "-" + command);
    String[] all = new String[args.length + (command.equals("inspect") ? 1 : 3)];
    all[0] = command;
    for (int i = 0; i < args.length; i++) {
      all[i + 1] = String.valueOf(args[i]);
    }
    if (!command.equals("inspect")) {
      all[args.length + 1] = "--output";
      all[args.length + 2] = out.toString();
    }
    Cli r = Cli.run(all);
    assertThat(r.code()).as(r.describe()).isEqualTo(2);
    assertThat(r.err()).contains(expected).doesNotContain("\tat ").doesNotContain("Exception");
    assertThat(out).doesNotExist();
  }

  static Path datasetWithCard(String name, String card) throws IOException {
    Path dir = copy(TrainedModels.imageData(), tmp.resolve(name));
    Files.writeString(dir.resolve("dataset.json"), card);
    return dir;
  }

  static Path modelWithZip(String name, byte[] zip) throws IOException {
    Path dir = copy(TrainedModels.imageModel(), tmp.resolve(name));
    Files.write(dir.resolve("model.zip"), zip);
    return dir;
  }

  static Path copy(Path from, Path to) throws IOException {
    try (var paths = Files.walk(from)) {
      for (Path p : paths.sorted(Comparator.naturalOrder()).toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (p.getFileName().toString().endsWith(".crc")) {
          continue; // Hadoop's checksums of the originals: edited copies get none (see editedCardsAreRefused...)
        }
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
    return to;
  }

  static byte[] flipMiddle(byte[] zip) {
    byte[] b = zip.clone();
    for (int i = b.length / 3; i < b.length / 3 + 64; i++) {
      b[i] ^= 0x5A;
    }
    return b;
  }

  /** A zip of small named text entries and, if {@code bigName} is set, one entry of {@code bigSize} zeros. */
  static byte[] zip(String[] namesAndContents, String bigName, int bigSize) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(bytes)) {
      for (int i = 0; i < namesAndContents.length; i += 2) {
        z.putNextEntry(new ZipEntry(namesAndContents[i]));
        z.write(namesAndContents[i + 1].getBytes(StandardCharsets.UTF_8));
        z.closeEntry();
      }
      if (bigName != null) {
        z.putNextEntry(new ZipEntry(bigName));
        byte[] zeros = new byte[1 << 20];
        for (int written = 0; written < bigSize; written += zeros.length) {
          z.write(zeros);
        }
        z.closeEntry();
      }
    }
    return bytes.toByteArray();
  }
}
