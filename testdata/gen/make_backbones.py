#!/usr/bin/python3
"""Train and export the small ONNX backbones used by the Go tests.

Run from the repository root with Debian's interpreter:

    /usr/bin/python3 testdata/gen/make_backbones.py

Requirements: PyTorch 1.13 (python3-torch), numpy, onnx 1.12.
Everything is seeded and single-threaded, so two runs on the same machine
write byte-identical files.

Outputs (paths relative to the repository root):

    testdata/models/<name>/model.onnx     exported model
    testdata/models/<name>/input.npy      float32 input rows (C order)
    testdata/models/<name>/expected.npy   PyTorch eval-mode output on input.npy
    testdata/models/mlp_static_ext/weights.bin   external tensor data
    testdata/models/README.md             table of models (generated)
    testdata/adult/adult.data.gz          gzip -9 -n copy of the Adult training split
    testdata/adult/adult.test.gz          gzip -9 -n copy of the Adult test split
    testdata/adult/README.md              source, licence, checksums (generated)
    out/data/<name>/{train,test}.csv      the fixed splits of law_school, credit_default and
                                          bank_marketing (split_tabular.py), which their backbones
                                          were trained and tested on

--only NAMES builds some models and leaves the others (and their README notes) as they are; --check
builds into a temporary folder and compares every file with testdata/, writing nothing there.
"""

import argparse
import gzip
import hashlib
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import warnings
from collections import Counter

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import onnx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from split_tabular import DATASETS as TABULAR  # noqa: E402
from split_tabular import group_of as tabular_group  # noqa: E402
from split_tabular import load_source as tabular_source  # noqa: E402
from split_tabular import sensitive_spec  # noqa: E402
from split_tabular import split as tabular_split  # noqa: E402
from split_tabular import write_splits as write_tabular_splits  # noqa: E402

# --------------------------------------------------------------------------
# Global determinism.
# --------------------------------------------------------------------------

torch.set_num_threads(1)
try:
    torch.set_num_interop_threads(1)
except RuntimeError:
    pass
torch.use_deterministic_algorithms(True)
torch.backends.cudnn.benchmark = False
torch.backends.cudnn.deterministic = True

# The exporter prints many UserWarnings about shape inference and constant
# folding; they are expected and only clutter the output.
warnings.filterwarnings("ignore", category=UserWarning)
warnings.filterwarnings("ignore", category=torch.jit.TracerWarning)

SCRIPT_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(SCRIPT_DIR))
TESTDATA = os.path.join(REPO_ROOT, "testdata")
MODELS_DIR = os.path.join(TESTDATA, "models")
ADULT_OUT = os.path.join(TESTDATA, "adult")

# sha256 of the uncompressed Adult files (header row included).
ADULT_SHA256 = {
    "adult.data": "087bdad3a02c5864c3d03994f1177ff480e3b7adc8b00ce5d18f50121eb3da71",
    "adult.test": "1d0b72a0d02e41fb80bdbb00b5bc80571a01c7e56df6435df2af5be0e4cb768c",
}
ADULT_CITATION = (
    "Source: Becker, B. & Kohavi, R. (1996). Adult. UCI Machine Learning "
    "Repository. Licence: CC BY 4.0."
)


def seed_all(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def sha256_bytes(b):
    return hashlib.sha256(b).hexdigest()


# --------------------------------------------------------------------------
# Adult data set and its encoding.
# --------------------------------------------------------------------------

ADULT_COLUMNS = [
    "age", "workclass", "fnlwgt", "education", "education-num",
    "marital-status", "occupation", "relationship", "race", "sex",
    "capital-gain", "capital-loss", "hours-per-week", "native-country", "Y",
]
NUMERIC = ["age", "education-num", "capital-gain", "capital-loss", "hours-per-week"]
CATEGORICAL = [
    "workclass", "education", "marital-status", "occupation",
    "relationship", "race", "native-country",
]
DROP = ["fnlwgt"]
LABEL = "Y"
MISSING = "?"
DROPPED_ONEHOT = {("native-country", "Holand-Netherlands")}


def parse_adult(raw):
    """Parse the header-first, ", "-separated text. Returns (header, rows)."""
    text = raw.decode("utf-8")
    lines = [ln for ln in text.split("\n") if ln.strip() != ""]
    header = lines[0].split(", ")
    if header != ADULT_COLUMNS:
        raise SystemExit("unexpected Adult header: %r" % (header,))
    rows = []
    for ln in lines[1:]:
        fields = ln.split(", ")
        if len(fields) != len(header):
            raise SystemExit("bad Adult row: %r" % ln)
        rows.append(fields)
    return header, rows


def drop_missing(rows):
    return [r for r in rows if MISSING not in r]


def build_encoding(train_rows, blind=False):
    """Adult's encoding; blind leaves the sex column out of the features (it is then in drop, and still
    names the groups)."""
    col = {c: i for i, c in enumerate(ADULT_COLUMNS)}
    drop = DROP + (["sex"] if blind else [])
    features = []
    for c in ADULT_COLUMNS:
        if c in drop or c == LABEL:
            continue
        if c in NUMERIC:
            vals = [int(r[col[c]]) for r in train_rows]
            features.append({"name": c, "column": c, "kind": "numeric",
                             "min": min(vals), "max": max(vals)})
        elif c == "sex":
            features.append({"name": "sex", "column": "sex", "kind": "onehot",
                             "value": "Female"})
        elif c in CATEGORICAL:
            values = sorted(set(r[col[c]] for r in train_rows))
            for v in values:
                if (c, v) in DROPPED_ONEHOT:
                    continue
                features.append({"name": "%s_%s" % (c, v), "column": c,
                                 "kind": "onehot", "value": v})
        else:
            raise SystemExit("unhandled Adult column %r" % c)
    want = 100 if blind else 101
    if len(features) != want:
        raise SystemExit("expected %d Adult features, got %d" % (want, len(features)))
    return {
        "version": 1,
        "source": "adult",
        "label": {"column": LABEL, "positive": [">50K", ">50K."]},
        "sensitive": ["sex"],
        "missing": MISSING,
        "drop": drop,
        "features": features,
    }


def encode_rows(spec, rows):
    """Apply the encoding spec: float64 arithmetic, then rounded to float32."""
    col = {c: i for i, c in enumerate(ADULT_COLUMNS)}
    n = len(rows)
    X = np.zeros((n, len(spec["features"])), dtype=np.float64)
    for j, f in enumerate(spec["features"]):
        idx = col[f["column"]]
        if f["kind"] == "numeric":
            lo, hi = float(f["min"]), float(f["max"])
            v = np.array([float(r[idx]) for r in rows], dtype=np.float64)
            X[:, j] = np.clip((v - lo) / (hi - lo), 0.0, 1.0)
        else:
            X[:, j] = np.array([1.0 if r[idx] == f["value"] else 0.0 for r in rows])
    y = np.array([1.0 if ">50K" in r[col[LABEL]] else 0.0 for r in rows], dtype=np.float32)
    return np.ascontiguousarray(X.astype(np.float32)), y


def find_adult_source(arg_dir):
    """Return a dict name -> raw bytes of adult.data/adult.test and a description."""
    candidates = []
    if arg_dir:
        candidates.append(arg_dir)
    candidates.append(os.path.join(os.path.dirname(REPO_ROOT), "shared", "data", "adult"))
    for d in candidates:
        if all(os.path.isfile(os.path.join(d, n)) for n in ADULT_SHA256):
            out = {}
            for n in ADULT_SHA256:
                with open(os.path.join(d, n), "rb") as f:
                    out[n] = f.read()
            return out, os.path.abspath(d), True
    # Fall back to the gzip'd copies shipped in testdata/adult.
    if all(os.path.isfile(os.path.join(ADULT_OUT, n + ".gz")) for n in ADULT_SHA256):
        out = {}
        for n in ADULT_SHA256:
            with gzip.open(os.path.join(ADULT_OUT, n + ".gz"), "rb") as f:
                out[n] = f.read()
        return out, ADULT_OUT, False
    raise SystemExit("Adult data not found; pass --adult-dir DIR (with adult.data and adult.test)")


def gzip_deterministic(data):
    """gzip -9 -n: maximum compression, no file name, zero timestamp."""
    gz = shutil.which("gzip")
    if gz:
        return subprocess.run([gz, "-9", "-n", "-c"], input=data,
                              stdout=subprocess.PIPE, check=True).stdout
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", compresslevel=9, fileobj=buf, mtime=0) as f:
        f.write(data)
    return buf.getvalue()


def write_adult_copy(raw, n_rows):
    os.makedirs(ADULT_OUT, exist_ok=True)
    for name, data in raw.items():
        gzd = gzip_deterministic(data)
        if gzip.decompress(gzd) != data:
            raise SystemExit("gzip round trip failed for %s" % name)
        with open(os.path.join(ADULT_OUT, name + ".gz"), "wb") as f:
            f.write(gzd)
    readme = """# UCI Adult (Census Income), gzip'd copy

{cite}

| file | uncompressed sha256 | rows (without header) | rows without `?` |
| --- | --- | --- | --- |
| adult.data.gz | `{sd}` | {nd_all} | {nd} |
| adult.test.gz | `{st}` | {nt_all} | {nt} |

- `adult.data.gz` is the training split and `adult.test.gz` the test split. Once gunzipped they are
  byte-identical to the original files (sha256 above, over the uncompressed bytes).
- Compressed with `gzip -9 -n` (no file name, no timestamp), so regenerating gives the same bytes.
- Format: a header row naming the 15 columns
  (`age, workclass, fnlwgt, education, education-num, marital-status, occupation, relationship, race, sex,
  capital-gain, capital-loss, hours-per-week, native-country, Y`), fields separated by a comma and one space,
  missing values written `?`, an empty last line. Test labels end with a dot (`<=50K.`, `>50K.`).
- Check: `for f in adult.data adult.test; do gunzip -c $f.gz | sha256sum; done`.
- Written by `testdata/gen/make_backbones.py` (see `testdata/gen/README.md`).
""".format(cite=ADULT_CITATION, sd=ADULT_SHA256["adult.data"], st=ADULT_SHA256["adult.test"],
           nd_all=n_rows["adult.data"][0], nd=n_rows["adult.data"][1],
           nt_all=n_rows["adult.test"][0], nt=n_rows["adult.test"][1])
    with open(os.path.join(ADULT_OUT, "README.md"), "w") as f:
        f.write(readme)


# --------------------------------------------------------------------------
# Models.
# --------------------------------------------------------------------------


class AdultMLP(nn.Module):
    """101 -> 101 -> 101 -> 101 -> 1, ReLU after each hidden layer, sigmoid output."""

    def __init__(self, d=101):
        super().__init__()
        self.fc1 = nn.Linear(d, 101)
        self.fc2 = nn.Linear(101, 101)
        self.fc3 = nn.Linear(101, 101)
        self.out = nn.Linear(101, 1)

    def logits(self, x):
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = F.relu(self.fc3(x))
        return self.out(x)

    def forward(self, x):
        return torch.sigmoid(self.logits(x))


class CNNSmall(nn.Module):
    """1x24x24 -> 2 logits.

    Conv(k3, stride 2, pad 1) -> BatchNorm2d -> ReLU -> MaxPool(2)
    -> Conv(k3, groups 2, dilation 2, pad 1) -> ReLU -> AvgPool(2)
    -> view(batch, -1) -> Linear -> ReLU -> Linear.
    """

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, kernel_size=3, stride=2, padding=1)   # 24 -> 12
        self.bn1 = nn.BatchNorm2d(4)
        self.pool1 = nn.MaxPool2d(2)                                         # 12 -> 6
        self.conv2 = nn.Conv2d(4, 8, kernel_size=3, padding=1, dilation=2, groups=2)  # 6 -> 4
        self.pool2 = nn.AvgPool2d(2)                                         # 4 -> 2
        self.fc1 = nn.Linear(8 * 2 * 2, 16)
        self.fc2 = nn.Linear(16, 2)

    def forward(self, x):
        x = self.pool1(F.relu(self.bn1(self.conv1(x))))
        x = self.pool2(F.relu(self.conv2(x)))
        x = x.view(x.size(0), -1)
        x = F.relu(self.fc1(x))
        return self.fc2(x)


class CNNGap(nn.Module):
    """NHWC 10x10x3 -> 2 class probabilities.

    permute to NCHW (Transpose) -> two convolutions concatenated on channels
    (Concat) -> BatchNorm2d -> ReLU -> F.pad(1, constant 0) (Pad)
    -> Conv(k3, stride 2) -> ReLU -> AdaptiveAvgPool2d(1) (GlobalAveragePool)
    -> squeeze(3).squeeze(2) (Squeeze) -> Linear -> softmax.
    """

    def __init__(self):
        super().__init__()
        self.conv_a = nn.Conv2d(3, 4, kernel_size=3, padding=1)
        self.conv_b = nn.Conv2d(3, 4, kernel_size=1)
        self.bn = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 8, kernel_size=3, stride=2)  # 12 -> 5
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(8, 2)

    def forward(self, x):
        x = x.permute(0, 3, 1, 2)
        x = torch.cat([self.conv_a(x), self.conv_b(x)], dim=1)
        x = F.relu(self.bn(x))
        x = F.pad(x, (1, 1, 1, 1))
        x = F.relu(self.conv2(x))
        x = self.gap(x).squeeze(3).squeeze(2)
        return torch.softmax(self.fc(x), dim=1)


class MLPBNSoftmax(nn.Module):
    """20 -> 32 (BatchNorm1d, ReLU, Dropout 0.2) -> 16 (LeakyReLU 0.1) -> 3 softmax."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(20, 32)
        self.bn1 = nn.BatchNorm1d(32)
        self.drop = nn.Dropout(0.2)
        self.fc2 = nn.Linear(32, 16)
        self.act2 = nn.LeakyReLU(0.1)
        self.fc3 = nn.Linear(16, 3)

    def logits(self, x):
        x = self.drop(F.relu(self.bn1(self.fc1(x))))
        x = self.act2(self.fc2(x))
        return self.fc3(x)

    def forward(self, x):
        return torch.softmax(self.logits(x), dim=1)


class MLPStaticExt(nn.Module):
    """8 -> 12 (x @ W + b, tanh) -> 6 (Linear, sigmoid) -> 1 (Linear, sigmoid)."""

    def __init__(self):
        super().__init__()
        w = torch.empty(8, 12)
        nn.init.kaiming_uniform_(w, a=5 ** 0.5)
        self.w1 = nn.Parameter(w)
        self.b1 = nn.Parameter(torch.empty(12).uniform_(-0.3, 0.3))
        self.fc2 = nn.Linear(12, 6)
        self.fc3 = nn.Linear(6, 1)

    def logits(self, x):
        x = torch.tanh(torch.matmul(x, self.w1) + self.b1)
        x = torch.sigmoid(self.fc2(x))
        return self.fc3(x)

    def forward(self, x):
        return torch.sigmoid(self.logits(x))


def batches(n, batch_size, gen):
    perm = torch.randperm(n, generator=gen)
    for i in range(0, n, batch_size):
        yield perm[i:i + batch_size]


def train(model, X, y, loss_fn, epochs, batch_size, lr, seed):
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    for _ in range(epochs):
        for idx in batches(X.shape[0], batch_size, gen):
            opt.zero_grad()
            loss = loss_fn(model, X[idx], y[idx])
            loss.backward()
            opt.step()
    model.eval()


# --------------------------------------------------------------------------
# Export helpers.
# --------------------------------------------------------------------------


def export_bytes(model, example, opset, output_name, dynamic, fold, preserve=False):
    buf = io.BytesIO()
    kwargs = dict(
        export_params=True,
        opset_version=opset,
        do_constant_folding=fold,
        input_names=["input"],
        output_names=[output_name],
    )
    if dynamic:
        kwargs["dynamic_axes"] = {"input": {0: "batch"}, output_name: {0: "batch"}}
    if preserve:
        # The module is in eval mode; PRESERVE keeps it so but skips the
        # eval-only peephole pass that would fuse BatchNorm into the Conv.
        kwargs["training"] = torch.onnx.TrainingMode.PRESERVE
    model.eval()
    with torch.no_grad():
        torch.onnx.export(model, (example,), buf, **kwargs)
    return onnx.load_from_string(buf.getvalue())


def clean_dir(d):
    os.makedirs(d, exist_ok=True)
    for n in ("model.onnx", "input.npy", "expected.npy", "weights.bin"):
        p = os.path.join(d, n)
        if os.path.exists(p):
            os.remove(p)


def save_arrays(d, x, expected):
    np.save(os.path.join(d, "input.npy"), np.ascontiguousarray(x, dtype=np.float32))
    np.save(os.path.join(d, "expected.npy"), np.ascontiguousarray(expected, dtype=np.float32))


def dims(vi):
    out = []
    for d in vi.type.tensor_type.shape.dim:
        out.append(d.dim_param if d.HasField("dim_param") else str(d.dim_value))
    return "[" + ", ".join(out) + "]"


def describe(name, path, extra=None, quiet=False):
    """check_model(full_check) and collect ops, opset and io shapes."""
    onnx.checker.check_model(path, full_check=True)
    m = onnx.load(path, load_external_data=False)
    counts = Counter()
    order = []
    for n in m.graph.node:
        if n.op_type not in counts:
            order.append(n.op_type)
        counts[n.op_type] += 1
    opset = [o.version for o in m.opset_import if o.domain in ("", "ai.onnx")][0]
    inits = {t.name for t in m.graph.initializer}
    ins = [(i.name, dims(i)) for i in m.graph.input if i.name not in inits]
    outs = [(o.name, dims(o)) for o in m.graph.output]
    d = os.path.dirname(path)
    sizes = {}
    for f in sorted(os.listdir(d)):
        sizes[f] = os.path.getsize(os.path.join(d, f))
    info = {
        "name": name,
        "ops": [(op, counts[op]) for op in order],
        "opset": opset,
        "inputs": ins,
        "outputs": outs,
        "sizes": sizes,
        "initializers": len(m.graph.initializer),
        "extra": extra or {},
    }
    if quiet:
        return info
    print("== %s" % name)
    print("   opset %d, %d nodes, %d initializers" % (opset, len(m.graph.node), len(m.graph.initializer)))
    print("   ops: " + ", ".join("%s x%d" % oc for oc in info["ops"]))
    print("   inputs: " + ", ".join("%s %s" % io_ for io_ in ins))
    print("   outputs: " + ", ".join("%s %s" % io_ for io_ in outs))
    print("   files: " + ", ".join("%s %d B" % kv for kv in sizes.items()))
    for k, v in info["extra"].items():
        print("   %s: %s" % (k, v))
    return info


# --------------------------------------------------------------------------
# 1. adult_mlp
# --------------------------------------------------------------------------


def make_adult_mlp(raw, write_gz):
    _, train_all = parse_adult(raw["adult.data"])
    _, test_all = parse_adult(raw["adult.test"])
    train_rows = drop_missing(train_all)
    test_rows = drop_missing(test_all)
    spec = build_encoding(train_rows)
    Xtr, ytr = encode_rows(spec, train_rows)
    Xte, yte = encode_rows(spec, test_rows)
    print("adult: %d/%d training rows, %d/%d test rows kept, %d features"
          % (len(train_rows), len(train_all), len(test_rows), len(test_all), Xtr.shape[1]))
    if write_gz:
        write_adult_copy(raw, {"adult.data": (len(train_all), len(train_rows)),
                               "adult.test": (len(test_all), len(test_rows))})

    seed_all(0)
    model = AdultMLP()
    bce = nn.BCEWithLogitsLoss()
    Xt, yt = torch.from_numpy(Xtr), torch.from_numpy(ytr).unsqueeze(1)
    train(model, Xt, yt, lambda m, xb, yb: bce(m.logits(xb), yb),
          epochs=5, batch_size=100, lr=1e-3, seed=0)

    with torch.no_grad():
        p = model(torch.from_numpy(Xte)).numpy()[:, 0]
    yhat = (p >= 0.5).astype(np.float32)
    acc = float((yhat == yte).mean())
    sex_idx = [f["name"] for f in spec["features"]].index("sex")
    female = Xte[:, sex_idx] == 1.0
    dp = float(abs(yhat[female].mean() - yhat[~female].mean()))
    print("adult_mlp: test accuracy %.4f, DP difference %.4f (P(yhat=1|female)=%.4f, P(yhat=1|male)=%.4f)"
          % (acc, dp, yhat[female].mean(), yhat[~female].mean()))

    d = os.path.join(MODELS_DIR, "adult_mlp")
    clean_dir(d)
    x = Xte[:256]
    with torch.no_grad():
        expected = model(torch.from_numpy(x)).numpy()
    m = export_bytes(model, torch.from_numpy(x[:2]), 17, "prob", dynamic=True, fold=True)
    entry = m.metadata_props.add()
    entry.key = "fairbinn.encoding"
    entry.value = json.dumps(spec, separators=(",", ":"), ensure_ascii=True)
    path = os.path.join(d, "model.onnx")
    onnx.save_model(m, path)
    save_arrays(d, x, expected)
    return describe("adult_mlp", path, {
        "test accuracy": "%.4f" % acc,
        "DP difference": "%.4f" % dp,
        "test rows": len(test_rows),
    })


# --------------------------------------------------------------------------
# 1b. Backbones of the quality benchmark: adult_blind and the CSV data sets
# --------------------------------------------------------------------------
#
# Each is trained as a user would train a model of their own before handing it to fairbinn: plain ERM
# (BCEWithLogitsLoss on the logit, Adam lr 1e-3, batch 100, 5 epochs, seed 0: adult_mlp's recipe) on the
# training rows only, exported with a Sigmoid, the data's encoding in metadata_props `fairbinn.encoding`.


def group_metrics(yhat, y, groups):
    """Accuracy, balanced accuracy, DP and EO differences (Fairlearn's definitions) at the given decisions."""
    acc = float((yhat == y).mean())
    tpr_all = yhat[y == 1].mean()
    tnr_all = 1.0 - yhat[y == 0].mean()
    rates, tprs, fprs = [], [], []
    for g in sorted(set(groups)):
        m = groups == g
        rates.append(yhat[m].mean())
        if (m & (y == 1)).any():
            tprs.append(yhat[m & (y == 1)].mean())
        if (m & (y == 0)).any():
            fprs.append(yhat[m & (y == 0)].mean())
    return {
        "test accuracy": "%.4f" % acc,
        "balanced accuracy": "%.4f" % ((tpr_all + tnr_all) / 2),
        "DP difference": "%.4f" % (max(rates) - min(rates)),
        "EO difference": "%.4f" % max(max(tprs) - min(tprs), max(fprs) - min(fprs)),
    }


def train_export(name, model, Xtr, ytr, Xte, yte, groups_te, spec, note):
    """Trains with adult_mlp's recipe, exports to testdata/models/<name> and returns describe()'s info;
    note is its README note (the metrics are appended)."""
    bce = nn.BCEWithLogitsLoss()
    Xt, yt = torch.from_numpy(Xtr), torch.from_numpy(ytr).unsqueeze(1)
    train(model, Xt, yt, lambda m, xb, yb: bce(m.logits(xb), yb), epochs=5, batch_size=100, lr=1e-3, seed=0)
    with torch.no_grad():
        p = model(torch.from_numpy(Xte)).numpy()[:, 0]
    yhat = (p >= 0.5).astype(np.float32)
    extra = group_metrics(yhat, yte, groups_te)
    extra["test rows"] = len(yte)
    print("%s: %s" % (name, ", ".join("%s %s" % kv for kv in extra.items())))

    d = os.path.join(MODELS_DIR, name)
    clean_dir(d)
    x = Xte[:256]
    with torch.no_grad():
        expected = model(torch.from_numpy(x)).numpy()
    m = export_bytes(model, torch.from_numpy(x[:2]), 17, "prob", dynamic=True, fold=True)
    entry = m.metadata_props.add()
    entry.key = "fairbinn.encoding"
    entry.value = spec_json(spec)
    path = os.path.join(d, "model.onnx")
    onnx.save_model(m, path)
    save_arrays(d, x, expected)
    info = describe(name, path, extra)
    info["note"] = note + (
        " Test accuracy %s (balanced accuracy %s), DP difference %s, EO difference %s (ŷ = 1 when prob ≥ 0.5) "
        "on the %d test rows." % (extra["test accuracy"], extra["balanced accuracy"], extra["DP difference"],
                                  extra["EO difference"], len(yte)))
    return info


def spec_json(spec):
    """The canonical JSON of dataset.Encoding (Go's encoding/json, compact, no HTML escaping)."""
    return json.dumps(spec, separators=(",", ":"), ensure_ascii=True)


def go_number(v):
    """A float64 as Go's encoding/json writes it: integral values without a fraction, others in the
    shortest form that reads back (Python's repr), which for the values here is never an exponent form."""
    if v == int(v) and abs(v) < 1e21:
        return int(v)
    r = repr(v)
    if "e" in r or "inf" in r or "nan" in r:
        raise SystemExit("no canonical JSON form for %r" % v)
    return v


NUMBER_CELL = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def is_number(cell):
    """Whether fairbinn reads the cell as a number (plain decimals; the files hold no other number forms)."""
    if NUMBER_CELL.match(cell):
        return True
    try:
        float(cell)
    except ValueError:
        return False
    raise SystemExit("cell %r: a number form this script does not handle" % cell)


def fit_csv_encoding(ds, header, rows):
    """fairbinn's own fit of a CSV file (dataset.fitCSV): every column but the label is a feature, in file
    order; a column of numbers is min-max scaled over the training rows, any other one-hot over its values
    in byte order, named <column>_<value>."""
    features = []
    for c, colname in enumerate(header):
        if colname == ds["label"]:
            continue
        cells = [r[c] for r in rows]
        if all(is_number(v) for v in cells):
            vals = [float(v) for v in cells]
            features.append({"name": colname, "column": colname, "kind": "numeric",
                             "min": go_number(min(vals)), "max": go_number(max(vals))})
        else:
            if any(is_number(v) for v in cells):
                raise SystemExit("column %r mixes numbers and words" % colname)
            for v in sorted(set(cells), key=lambda s: s.encode("utf-8")):
                features.append({"name": "%s_%s" % (colname, v), "column": colname, "kind": "onehot", "value": v})
    return {
        "version": 1,
        "source": "csv",
        "label": {"column": ds["label"], "positive": list(ds["positive"])},
        "sensitive": [sensitive_spec(ds)],
        "missing": "",
        "drop": [],
        "features": features,
    }


def encode_table(spec, header, rows, label_fn):
    """Applies an encoding spec to rows (lists of cells): float64 arithmetic, then rounded to float32."""
    col = {c: i for i, c in enumerate(header)}
    X = np.zeros((len(rows), len(spec["features"])), dtype=np.float64)
    for j, f in enumerate(spec["features"]):
        idx = col[f["column"]]
        if f["kind"] == "numeric":
            lo, hi = float(f["min"]), float(f["max"])
            v = np.array([float(r[idx]) for r in rows], dtype=np.float64)
            X[:, j] = 0.0 if hi == lo else np.clip((v - lo) / (hi - lo), 0.0, 1.0)
        else:
            X[:, j] = np.array([1.0 if r[idx] == f["value"] else 0.0 for r in rows])
    y = np.array([1.0 if label_fn(r[col[spec["label"]["column"]]]) else 0.0 for r in rows], dtype=np.float32)
    return np.ascontiguousarray(X.astype(np.float32)), y


class TabularMLP(nn.Module):
    """d -> 64 -> 64 -> 64 -> 1, ReLU after each hidden layer, sigmoid output (adult_mlp's shape, narrower)."""

    def __init__(self, d, h=64):
        super().__init__()
        self.fc1 = nn.Linear(d, h)
        self.fc2 = nn.Linear(h, h)
        self.fc3 = nn.Linear(h, h)
        self.out = nn.Linear(h, 1)

    def logits(self, x):
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = F.relu(self.fc3(x))
        return self.out(x)

    def forward(self, x):
        return torch.sigmoid(self.logits(x))


def make_adult_blind(raw):
    """adult_mlp's recipe without the sex column: the attribute-blind backbone."""
    _, train_all = parse_adult(raw["adult.data"])
    _, test_all = parse_adult(raw["adult.test"])
    train_rows, test_rows = drop_missing(train_all), drop_missing(test_all)
    spec = build_encoding(train_rows, blind=True)
    Xtr, ytr = encode_rows(spec, train_rows)
    Xte, yte = encode_rows(spec, test_rows)
    sex = np.array([r[ADULT_COLUMNS.index("sex")] for r in test_rows])
    seed_all(0)
    model = AdultMLP(d=Xtr.shape[1])
    note = (
        "UCI Adult without the `sex` column, the attribute-blind backbone: adult_mlp's encoding with `sex` "
        "in `drop` (%d features; the encoding's sensitive attribute is still `sex`, so the rows are grouped "
        "by it without its being an input), 100 → 101 → 101 → 101 → 1, adult_mlp's recipe (BCEWithLogitsLoss "
        "on the logit, Adam lr 1e-3, batch 100, 5 epochs, seed 0) on the %d training rows of `adult.data`; "
        "`input.npy` = the first 256 encoded test rows. Check: `bin/fairbinn eval --model "
        "testdata/models/adult_blind/model.onnx --data adult:testdata/adult`." % (Xtr.shape[1], len(train_rows)))
    return train_export("adult_blind", model, Xtr, ytr, Xte, yte, sex, spec, note)


def make_tabular(name, source):
    """A backbone for one of split_tabular's data sets, trained on its training file only."""
    ds = TABULAR[name]
    header_line, tr_lines, te_lines, _ = tabular_split(name, source)
    header = header_line.split(",")
    tr = [ln.split(",") for ln in tr_lines]
    te = [ln.split(",") for ln in te_lines]
    spec = fit_csv_encoding(ds, header, tr)
    pos = set(ds["positive"])
    Xtr, ytr = encode_table(spec, header, tr, lambda v: v in pos)
    Xte, yte = encode_table(spec, header, te, lambda v: v in pos)
    sc = header.index(ds["sensitive"])
    groups = np.array([tabular_group(ds, r[sc]) for r in te])
    print("%s: %d training rows, %d test rows, %d features" % (name, len(tr), len(te), Xtr.shape[1]))
    seed_all(0)
    model = TabularMLP(Xtr.shape[1])
    kinds = Counter(f["kind"] for f in spec["features"])
    onehot_cols = sorted(set(f["column"] for f in spec["features"] if f["kind"] == "onehot"),
                         key=header.index)
    note = (
        "`../shared/data/{folder}/{file}`, split by `testdata/gen/split_tabular.py` into "
        "`out/data/{name}/train.csv` ({ntr} rows) and `test.csv` ({nte} rows), stratified by {sens} × "
        "`{label}`; trained on `train.csv` only. Encoding as fairbinn fits it on `train.csv` ({nf} features: "
        "{nnum} min-max scaled{oh}; label `{label}` = {pos}; sensitive `{sensspec}`{sensin}), "
        "{nf} → 64 → 64 → 64 → 1, adult_mlp's recipe (BCEWithLogitsLoss on the logit, Adam lr 1e-3, batch "
        "100, 5 epochs, seed 0); `input.npy` = the first 256 encoded test rows. Check: `/usr/bin/python3 "
        "testdata/gen/split_tabular.py && bin/fairbinn eval --model testdata/models/{name}_mlp/model.onnx "
        "--data csv:out/data/{name}/train.csv --test out/data/{name}/test.csv`."
    ).format(folder=ds["folder"], file=ds["file"], name=name, ntr=len(tr), nte=len(te),
             sens="`%s`" % ds["sensitive"] if ds["edges"] is None else "`%s` range" % ds["sensitive"],
             label=ds["label"], nf=Xtr.shape[1], nnum=kinds["numeric"],
             oh="" if not onehot_cols else ", %d one-hot (%s)" % (
                 kinds["onehot"], ", ".join("`%s`" % c for c in onehot_cols)),
             pos=", ".join("`%s`" % v for v in ds["positive"]), sensspec=sensitive_spec(ds),
             sensin=", also an input" if ds["sensitive"] in [f["column"] for f in spec["features"]] else "")
    return train_export(name + "_mlp", model, Xtr, ytr, Xte, yte, groups, spec, note)


# --------------------------------------------------------------------------
# 2. cnn_small and cnn_gap (synthetic images)
# --------------------------------------------------------------------------


def bars_images(n, rng):
    """1x24x24 noise with a horizontal (class 0) or vertical (class 1) bar."""
    X = rng.normal(0.0, 0.3, size=(n, 1, 24, 24)).astype(np.float32)
    y = rng.integers(0, 2, size=n)
    for i in range(n):
        pos = rng.integers(2, 22)
        start = rng.integers(0, 12)
        length = rng.integers(8, 13)
        if y[i] == 0:
            X[i, 0, pos - 1:pos + 1, start:start + length] += 1.5
        else:
            X[i, 0, start:start + length, pos - 1:pos + 1] += 1.5
    return X, y.astype(np.int64)


def blob_images(n, rng):
    """NHWC 10x10x3 noise with a bright 3x3 blob in channel 0 (class 0) or channel 1 (class 1)."""
    X = rng.normal(0.0, 0.5, size=(n, 10, 10, 3)).astype(np.float32)
    y = rng.integers(0, 2, size=n)
    for i in range(n):
        r, c = rng.integers(0, 8, size=2)
        X[i, r:r + 3, c:c + 3, int(y[i])] += 0.5
        X[i, r:r + 3, c:c + 3, 2] += 0.5
    return X, y.astype(np.int64)


def make_cnn(name, model_cls, data_fn, seed, opset, out_name, fold, softmax_out, n_rows, preserve,
             epochs, lr):
    seed_all(seed)
    rng = np.random.default_rng(seed)
    Xtr, ytr = data_fn(1024, rng)
    Xte, yte = data_fn(256, rng)
    model = model_cls()
    ce = nn.CrossEntropyLoss()
    if softmax_out:
        loss_fn = lambda m, xb, yb: F.nll_loss(torch.log(m(xb).clamp_min(1e-12)), yb)
    else:
        loss_fn = lambda m, xb, yb: ce(m(xb), yb)
    train(model, torch.from_numpy(Xtr), torch.from_numpy(ytr), loss_fn,
          epochs=epochs, batch_size=32, lr=lr, seed=seed)
    with torch.no_grad():
        acc = float((model(torch.from_numpy(Xte)).argmax(1).numpy() == yte).mean())
    print("%s: held-out accuracy %.4f" % (name, acc))

    d = os.path.join(MODELS_DIR, name)
    clean_dir(d)
    x = Xte[:n_rows]
    with torch.no_grad():
        expected = model(torch.from_numpy(x)).numpy()
    m = export_bytes(model, torch.from_numpy(x[:2]), opset, out_name, dynamic=True,
                     fold=fold, preserve=preserve)
    path = os.path.join(d, "model.onnx")
    onnx.save_model(m, path)
    save_arrays(d, x, expected)
    return describe(name, path, {"held-out accuracy": "%.4f" % acc})


# --------------------------------------------------------------------------
# 3. mlp_bn_softmax
# --------------------------------------------------------------------------


def make_mlp_bn_softmax():
    seed_all(1)
    rng = np.random.default_rng(1)
    centers = rng.normal(0.0, 1.0, size=(3, 20))

    def gen(n):
        y = rng.integers(0, 3, size=n)
        X = centers[y] + rng.normal(0.0, 1.5, size=(n, 20))
        X[:, :4] = np.tanh(X[:, :4]) * 2.0
        return X.astype(np.float32), y.astype(np.int64)

    Xtr, ytr = gen(2048)
    Xte, yte = gen(512)
    model = MLPBNSoftmax()
    ce = nn.CrossEntropyLoss()
    train(model, torch.from_numpy(Xtr), torch.from_numpy(ytr),
          lambda m, xb, yb: ce(m.logits(xb), yb), epochs=10, batch_size=64, lr=1e-3, seed=1)
    with torch.no_grad():
        acc = float((model(torch.from_numpy(Xte)).argmax(1).numpy() == yte).mean())
    print("mlp_bn_softmax: held-out accuracy %.4f" % acc)

    d = os.path.join(MODELS_DIR, "mlp_bn_softmax")
    clean_dir(d)
    x = Xte[:64]
    with torch.no_grad():
        expected = model(torch.from_numpy(x)).numpy()
    m = export_bytes(model, torch.from_numpy(x[:2]), 15, "probs", dynamic=True, fold=False)
    path = os.path.join(d, "model.onnx")
    onnx.save_model(m, path)
    save_arrays(d, x, expected)
    return describe("mlp_bn_softmax", path, {"held-out accuracy": "%.4f" % acc})


# --------------------------------------------------------------------------
# 4. mlp_static_ext
# --------------------------------------------------------------------------


def make_mlp_static_ext():
    seed_all(2)
    rng = np.random.default_rng(2)

    def gen(n):
        X = rng.uniform(-1.0, 1.0, size=(n, 8))
        s = X[:, 0] * X[:, 1] + 0.8 * X[:, 2] - 0.5 * X[:, 3] ** 2 + 0.3 * X[:, 4]
        return X.astype(np.float32), (s > 0).astype(np.float32)

    Xtr, ytr = gen(2048)
    Xte, yte = gen(256)
    model = MLPStaticExt()
    bce = nn.BCEWithLogitsLoss()
    train(model, torch.from_numpy(Xtr), torch.from_numpy(ytr).unsqueeze(1),
          lambda m, xb, yb: bce(m.logits(xb), yb), epochs=20, batch_size=64, lr=1e-2, seed=2)
    with torch.no_grad():
        p = model(torch.from_numpy(Xte)).numpy()[:, 0]
    acc = float(((p >= 0.5).astype(np.float32) == yte).mean())
    print("mlp_static_ext: held-out accuracy %.4f" % acc)

    d = os.path.join(MODELS_DIR, "mlp_static_ext")
    clean_dir(d)
    x = Xte[:16]
    with torch.no_grad():
        expected = model(torch.from_numpy(x)).numpy()
    m = export_bytes(model, torch.from_numpy(x), 11, "prob", dynamic=False, fold=True)
    path = os.path.join(d, "model.onnx")
    # save_model appends to an existing external file, so clean_dir removed it.
    onnx.save_model(m, path, save_as_external_data=True, all_tensors_to_one_file=True,
                    location="weights.bin", size_threshold=0)
    save_arrays(d, x, expected)
    return describe("mlp_static_ext", path, {"held-out accuracy": "%.4f" % acc})


# --------------------------------------------------------------------------
# README for testdata/models
# --------------------------------------------------------------------------

NOTES = {
    "adult_mlp": (
        "UCI Adult, 101 encoded features; plain ERM (BCE, Adam lr 1e-3, batch 100, 5 epochs, seed 0). "
        "`input.npy` = first 256 rows of the encoded test split (rows with `?` dropped). "
        "metadata_props `fairbinn.encoding` holds the encoding spec (JSON). "
        "Exported with do_constant_folding=True."
    ),
    "cnn_small": (
        "Synthetic 1x24x24 images (horizontal vs vertical bar). Conv(k3,s2,p1) -> BatchNorm -> ReLU -> "
        "MaxPool(2) -> Conv(k3,p1,dilation 2,group 2) -> ReLU -> AvgPool2d(2) -> `x.view(x.size(0), -1)` "
        "-> Gemm -> ReLU -> Gemm. Outputs logits. Exported with do_constant_folding=False, so the "
        "Shape->Gather->Unsqueeze->Concat->Reshape chain of the view is in the graph. PyTorch 1.13 exports "
        "AvgPool2d as Pad (constant mode, all-zero `pads` from a Constant) followed by AveragePool. "
        "TrainingMode.PRESERVE on the eval-mode module skips the exporter's eval-only pass that would fuse "
        "BatchNorm into the Conv, so BatchNormalization stays a separate node (with inference statistics)."
    ),
    "cnn_gap": (
        "Synthetic NHWC 10x10x3 images (blob in channel 0 vs 1). Transpose(NHWC->NCHW) -> two Convs "
        "-> Concat -> BatchNormalization -> ReLU -> Pad(constant, 1 each side of H and W) -> Conv(k3,s2) -> "
        "ReLU -> GlobalAveragePool -> Squeeze x2 -> Gemm -> Softmax. Exported with do_constant_folding=True; "
        "the Pad's `pads` input is still computed by a small constant-only subgraph "
        "(Constant/ConstantOfShape/Concat/Reshape/Slice with end INT64_MIN+1 and step -1/Transpose/Cast), "
        "as PyTorch 1.13 emits it for F.pad; it evaluates to [0, 0, 1, 1, 0, 0, 1, 1]. The Pad's optional "
        "third input (constant_value) is present as an empty name."
    ),
    "mlp_bn_softmax": (
        "Synthetic 20-D, 3 classes. Gemm -> BatchNormalization (2-D input) -> ReLU -> Dropout(0.2) -> Gemm -> "
        "LeakyReLU(0.1) -> Gemm -> Softmax(axis 1). Exported in eval mode with do_constant_folding=False; "
        "the exporter drops the eval-mode Dropout, so no Dropout node appears."
    ),
    "mlp_static_ext": (
        "Synthetic 8-D binary task. Static batch 16 (no dynamic axes). MatMul+Add (x @ W + b) -> Tanh -> "
        "Gemm -> Sigmoid -> Gemm -> Sigmoid. All initializers stored in the external file `weights.bin` "
        "(onnx.save_model with save_as_external_data, size_threshold=0)."
    ),
}


def kept_note(readme, name):
    """The note line of a model that is not rebuilt, as the README has it."""
    if os.path.exists(readme):
        with open(readme) as f:
            for ln in f.read().split("\n"):
                if ln.startswith("- **%s**: " % name):
                    return ln
    raise SystemExit("%s has no note for %s: build it too" % (readme, name))


def sha256_file(path):
    with open(path, "rb") as f:
        return sha256_bytes(f.read())


def write_models_readme(infos):
    lines = []
    lines.append("# Test backbones")
    lines.append("")
    lines.append("Small models trained and exported by PyTorch, written by `testdata/gen/make_backbones.py` "
                 "(regenerate with `/usr/bin/python3 testdata/gen/make_backbones.py` from the repository root; "
                 "see `testdata/gen/README.md`). Do not edit these files by hand.")
    lines.append("")
    lines.append("Each folder holds `model.onnx`, `input.npy` (float32, C order) and `expected.npy` "
                 "(float32, PyTorch's eval-mode output on `input.npy`).")
    lines.append("")
    lines.append("| model | opset | input | output | ops (count) | files (bytes) |")
    lines.append("| --- | --- | --- | --- | --- | --- |")
    for info in infos:
        ins = "<br>".join("`%s` %s" % io_ for io_ in info["inputs"])
        outs = "<br>".join("`%s` %s" % io_ for io_ in info["outputs"])
        ops = ", ".join("%s (%d)" % oc for oc in info["ops"])
        files = "<br>".join("%s: %d" % kv for kv in info["sizes"].items())
        lines.append("| %s | %d | %s | %s | %s | %s |" % (info["name"], info["opset"], ins, outs, ops, files))
    lines.append("")
    lines.append("Shapes list `batch` for the dynamic batch dimension. `expected.npy` has as many rows as `input.npy`.")
    lines.append("")
    lines.append("## Notes")
    lines.append("")
    for info in infos:
        if "note" in info:
            lines.append("- **%s**: %s" % (info["name"], info["note"]) if not info["note"].startswith("- **")
                         else info["note"])
            continue
        extra = info["extra"]
        s = "- **%s**: %s" % (info["name"], NOTES[info["name"]])
        if info["name"] == "adult_mlp":
            s += (" Test accuracy %s, DP difference %s (|P(ŷ=1|female) − P(ŷ=1|male)|, ŷ = 1 when "
                  "prob ≥ 0.5) on the %d test rows." % (extra["test accuracy"], extra["DP difference"],
                                                       extra["test rows"]))
        elif "held-out accuracy" in extra:
            s += " Held-out accuracy %s." % extra["held-out accuracy"]
        lines.append(s)
    lines.append("")
    with open(os.path.join(MODELS_DIR, "README.md"), "w") as f:
        f.write("\n".join(lines))


# The models in README order: name -> builder(ctx). ctx holds the parsed arguments and the Adult bytes.
MODEL_ORDER = [
    "adult_mlp", "cnn_small", "cnn_gap", "mlp_bn_softmax", "mlp_static_ext",
    "adult_blind", "law_school_mlp", "credit_default_mlp", "bank_marketing_mlp",
]


def build(name, ctx):
    if name == "adult_mlp":
        return make_adult_mlp(ctx["raw"], write_gz=ctx["is_raw"])
    if name == "adult_blind":
        return make_adult_blind(ctx["raw"])
    if name.endswith("_mlp") and name[:-len("_mlp")] in TABULAR:
        ds = name[:-len("_mlp")]
        return make_tabular(ds, tabular_source(ctx["args"].data_dir, ds))
    if name == "cnn_small":
        return make_cnn("cnn_small", CNNSmall, bars_images, seed=3, opset=13,
                        out_name="logits", fold=False, softmax_out=False, n_rows=8, preserve=True,
                        epochs=6, lr=1e-2)
    if name == "cnn_gap":
        return make_cnn("cnn_gap", CNNGap, blob_images, seed=4, opset=13,
                        out_name="probs", fold=True, softmax_out=True, n_rows=8, preserve=False,
                        epochs=2, lr=2e-3)
    if name == "mlp_bn_softmax":
        return make_mlp_bn_softmax()
    if name == "mlp_static_ext":
        return make_mlp_static_ext()
    raise SystemExit("unknown model %r" % name)


def tree_files(root, names):
    """Relative paths of the files the generator owns under root (the given models, the README, the
    Adult copy)."""
    out = ["models/README.md"]
    for n in names:
        d = os.path.join(root, "models", n)
        if os.path.isdir(d):
            out += ["models/%s/%s" % (n, f) for f in sorted(os.listdir(d))]
    if "adult_mlp" in names:
        out += ["adult/%s" % f for f in ("README.md", "adult.data.gz", "adult.test.gz")]
    return out


def main():
    global MODELS_DIR, ADULT_OUT
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--adult-dir", default=os.environ.get("FAIRBINN_ADULT_DIR", ""),
                    help="folder with adult.data and adult.test (default ../shared/data/adult "
                         "beside the checkout, else testdata/adult/*.gz)")
    ap.add_argument("--data-dir", default=os.environ.get("FAIRBINN_DATA_DIR",
                                                         os.path.join(os.path.dirname(REPO_ROOT), "shared", "data")),
                    help="folder holding law_school/, credit_default/ and bank_marketing/ (default "
                         "../shared/data beside the checkout, or $FAIRBINN_DATA_DIR)")
    ap.add_argument("--split-dir", default=os.path.join(REPO_ROOT, "out", "data"),
                    help="where their training and test files are written (default out/data)")
    ap.add_argument("--only", default="",
                    help="comma-separated models to build (default: all); the others are left as they are "
                         "and keep their README notes")
    ap.add_argument("--check", action="store_true",
                    help="build into a temporary folder and compare every file with the one in testdata/ "
                         "(exit 1 when any differs); writes nothing in testdata/")
    args = ap.parse_args()
    names = [n for n in args.only.split(",") if n] or list(MODEL_ORDER)
    for n in names:
        if n not in MODEL_ORDER:
            raise SystemExit("unknown model %r (want %s)" % (n, ", ".join(MODEL_ORDER)))

    print("torch %s, numpy %s, onnx %s, python %s" % (
        torch.__version__, np.__version__, onnx.__version__, sys.version.split()[0]))
    raw, src, is_raw = find_adult_source(args.adult_dir)
    for n, data in raw.items():
        got = sha256_bytes(data)
        if got != ADULT_SHA256[n]:
            raise SystemExit("%s: sha256 %s, want %s" % (n, got, ADULT_SHA256[n]))
    print("adult data from %s" % src)

    repo_models = MODELS_DIR
    tmp = None
    if args.check:
        import tempfile
        tmp = tempfile.mkdtemp(prefix="make_backbones.")
        MODELS_DIR = os.path.join(tmp, "models")
        ADULT_OUT = os.path.join(tmp, "adult")
        split_dir = os.path.join(tmp, "data")
    else:
        split_dir = args.split_dir
    os.makedirs(MODELS_DIR, exist_ok=True)

    if any(n.endswith("_mlp") and n[:-len("_mlp")] in TABULAR for n in names):
        write_tabular_splits(args.data_dir, split_dir)
    ctx = {"args": args, "raw": raw, "is_raw": is_raw}
    infos = []
    for n in MODEL_ORDER:
        if n in names:
            infos.append(build(n, ctx))
        elif os.path.exists(os.path.join(repo_models, n, "model.onnx")):
            info = describe(n, os.path.join(repo_models, n, "model.onnx"), quiet=True)
            info["note"] = kept_note(os.path.join(repo_models, "README.md"), n)
            infos.append(info)
    write_models_readme(infos)

    if args.check:
        bad = 0
        for rel in tree_files(tmp, names):
            a, b = os.path.join(tmp, rel), os.path.join(TESTDATA, rel)
            if not os.path.exists(a):
                continue  # e.g. the Adult copy, written only from the raw files
            same = os.path.exists(b) and sha256_file(a) == sha256_file(b)
            bad += not same
            print("%s %s" % ("same   " if same else "DIFFERS", rel))
        shutil.rmtree(tmp)
        if bad:
            raise SystemExit("%d file(s) differ from testdata/" % bad)
        print("every file is byte-identical to testdata/")
        return
    print("done")


if __name__ == "__main__":
    main()
