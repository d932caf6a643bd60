#!/usr/bin/python3
"""Trains the small PyTorch models the ONNX tests score, exports them with torch.onnx.export and
writes PyTorch's own probabilities on fixed inputs beside them (models/src/test/resources/onnx/).

Run with Debian's Python and python3-torch (not needed by bin/test: the outputs are committed):
    apt-get install -y python3-torch
    /usr/bin/python3 models/src/test/python/make_onnx_fixtures.py target/testdata/mnist/package/src/digits

Models:
  mnist-mlp.onnx   float [N, 784] pixels v/255 (HWC order, "flat"), logits out
  mnist-cnn.onnx   float [N, 1, 28, 28], (v/255 - 0.1307) / 0.3081, probabilities out (softmax in the graph)
  fortunes-text.onnx        int64 token ids [N, 32] (vocab fortunes-vocab.txt, [PAD]=0), logits out
  fortunes-text-int32.onnx  the same model taking int32 ids
  two-inputs.onnx  two required float inputs (a contract feeds one: refused)
The expected probabilities are on the first EXPECTED_PER_DIGIT digits of each class (pixels
round(v * 255), as the Java tests' TestData.mnist) and on the sentences in fortunes-expected.json.
"""
import json
import os
import re
import sys

import torch
from torch import nn

torch.manual_seed(7)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "onnx")
EXPECTED_PER_DIGIT = 5
OPSET = 13
FORTUNES = "/usr/share/games/fortunes"
MAX_LENGTH = 32
VOCAB_SIZE = 1000


def mnist(digits_dir):
    xs, ys = [], []
    for d in range(10):
        with open(os.path.join(digits_dir, "%d.json" % d)) as f:
            data = json.load(f)["data"]
        n = len(data) // 784
        for i in range(n):
            xs.append([round(v * 255) for v in data[i * 784:(i + 1) * 784]])
            ys.append(d)
    return torch.tensor(xs, dtype=torch.float32), torch.tensor(ys)


def first_per_digit(x, y, k):
    idx = []
    for d in range(10):
        idx += (y == d).nonzero().flatten()[:k].tolist()
    return idx


def train(model, x, y, epochs, lr=1e-3, batch=64):
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(epochs):
        perm = torch.randperm(len(x))
        for i in range(0, len(x), batch):
            b = perm[i:i + batch]
            opt.zero_grad()
            loss = loss_fn(model(x[b]), y[b])
            loss.backward()
            opt.step()
    model.eval()
    return model


def export(model, example, name, input_names, dtype_note):
    path = os.path.join(OUT, name)
    axes = {n: {0: "batch"} for n in input_names}
    axes["output"] = {0: "batch"}
    torch.onnx.export(model, example, path, input_names=input_names, output_names=["output"],
                      dynamic_axes=axes, opset_version=OPSET)
    print("wrote", path, os.path.getsize(path), "bytes", dtype_note)


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 10))

    def forward(self, x):
        return self.net(x)


class Cnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2),
                                      nn.Conv2d(8, 16, 3), nn.ReLU(), nn.MaxPool2d(2))
        self.head = nn.Linear(16 * 5 * 5, 10)

    def forward(self, x):
        return self.head(torch.flatten(self.features(x), 1))


class WithSoftmax(nn.Module):
    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, x):
        return torch.softmax(self.inner(x), dim=1)


class TextClassifier(nn.Module):
    """Masked mean of token embeddings, then a linear layer: [PAD] (id 0) does not count."""

    def __init__(self, vocab, classes):
        super().__init__()
        self.embed = nn.Embedding(vocab, 16)
        self.head = nn.Linear(16, classes)

    def forward(self, ids):
        mask = (ids != 0).float().unsqueeze(2)
        summed = (self.embed(ids) * mask).sum(1)
        return self.head(summed / mask.sum(1).clamp(min=1.0))


class Int32Ids(nn.Module):
    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, ids):
        return self.inner(ids.long())


class TwoInputs(nn.Module):
    def __init__(self):
        super().__init__()
        self.head = nn.Linear(784, 10)

    def forward(self, a, b):
        return self.head(a + b)


# The word rule of the Java Tokenizer (WORD) for ASCII text: runs of letters/digits, each other
# symbol alone. The test sentences are plain lower-case ASCII, where the two agree exactly.
TOKEN = re.compile(r"[A-Za-z0-9]+|[^\sA-Za-z0-9]")


def fortunes(category):
    with open(os.path.join(FORTUNES, category), encoding="utf-8", errors="replace") as f:
        return [e.strip() for e in f.read().split("\n%\n") if e.strip()]


def encode(vocab_ids, text):
    ids = [vocab_ids.get(t, 1) for t in TOKEN.findall(text.lower())][:MAX_LENGTH]
    return ids + [0] * (MAX_LENGTH - len(ids))


def main(digits_dir):
    os.makedirs(OUT, exist_ok=True)
    x, y = mnist(digits_dir)
    test_idx = first_per_digit(x, y, EXPECTED_PER_DIGIT)
    flat = x / 255.0
    mlp = train(Mlp(), flat, y, epochs=3)
    export(mlp, flat[:2], "mnist-mlp.onnx", ["pixels"], "float [N,784]")
    norm = ((x / 255.0 - 0.1307) / 0.3081).reshape(-1, 1, 28, 28)
    cnn = WithSoftmax(train(Cnn(), norm, y, epochs=2))
    export(cnn, norm[:2], "mnist-cnn.onnx", ["image"], "float [N,1,28,28]")
    with torch.no_grad():
        expected = {
            "inputs": "TestData.mnist(%d): the first %d digits of each class, in class order"
                      % (EXPECTED_PER_DIGIT, EXPECTED_PER_DIGIT),
            "labels": [y[i].item() for i in test_idx],
            "mlp": torch.softmax(mlp(flat[test_idx]), 1).tolist(),
            "cnn": cnn(norm[test_idx]).tolist(),
        }
    with open(os.path.join(OUT, "mnist-expected.json"), "w") as f:
        json.dump(expected, f)

    texts, labels = [], []
    for c, category in enumerate(["computers", "science"]):
        for e in fortunes(category):
            texts.append(e)
            labels.append(c)
    counts = {}
    for t in texts:
        for tok in TOKEN.findall(t.lower()):
            counts[tok] = counts.get(tok, 0) + 1
    words = sorted(counts, key=lambda w: (-counts[w], w))[:VOCAB_SIZE - 3]
    vocab = ["[PAD]", "[UNK]", "[CLS]"] + words
    vocab_ids = {w: i for i, w in enumerate(vocab)}
    with open(os.path.join(OUT, "fortunes-vocab.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(vocab) + "\n")
    ids = torch.tensor([encode(vocab_ids, t) for t in texts])
    text_model = train(TextClassifier(len(vocab), 2), ids, torch.tensor(labels), epochs=15, lr=1e-2)
    export(text_model, ids[:2], "fortunes-text.onnx", ["token_ids"], "int64 [N,32]")
    export(Int32Ids(text_model), ids[:2].int(), "fortunes-text-int32.onnx", ["token_ids"], "int32 [N,32]")
    sentences = [
        "the computer program crashed because of a bug in the software",
        "unix is a registered trademark and the system administrator is angry",
        "the scientist measured the speed of light in a vacuum",
        "physics and chemistry explain the universe and its atoms",
        "there is no place like home",
    ]
    with torch.no_grad():
        sentence_ids = [encode(vocab_ids, s) for s in sentences]
        probs = torch.softmax(text_model(torch.tensor(sentence_ids)), 1).tolist()
    with open(os.path.join(OUT, "fortunes-expected.json"), "w") as f:
        json.dump({"labels": ["computers", "science"], "texts": sentences, "token_ids": sentence_ids,
                   "probabilities": probs}, f)
    export(TwoInputs(), (flat[:2], flat[:2]), "two-inputs.onnx", ["a", "b"], "two float inputs")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "target/testdata/mnist/package/src/digits")
