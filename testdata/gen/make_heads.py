#!/usr/bin/python3
"""Train and export small ONNX models with varied architectures and output heads.

Run from the repository root with Debian's interpreter:

    /usr/bin/python3 testdata/gen/make_heads.py

Requirements: PyTorch 1.13 (python3-torch), numpy, onnx 1.12. onnxruntime is not
used. Everything is seeded and single-threaded, so two runs on the same machine
write byte-identical files.

Outputs (paths relative to the repository root), for each model <name>:

    testdata/models9/<name>/model.onnx              exported model (dynamic batch dim)
    testdata/models9/<name>/input_<input>.npy       16 test rows of each model input
    testdata/models9/<name>/inputs.npz              the same arrays, keyed by input name
    testdata/models9/<name>/expected_<output>.npy   PyTorch eval-mode output(s) on those rows
    testdata/models9/<name>/data.npz                600-row synthetic data set the model was trained on
    testdata/models9/README.md                      table of models (generated)

data.npz keys: every model input by name (all 600 rows), `label` (int64, 0/1 or
0..K-1), `group` (int64 group id, 0 or 1), `split` (int64, 0 train, 1 val,
2 test); two_outputs also has `aux_label` (int64 0..2, the target of its `aux`
head). The .npz files are uncompressed zip archives (like numpy.savez) with
fixed timestamps.
"""

import importlib.util
import io
import json
import os
import random
import shutil
import sys
import warnings
import zipfile
from collections import Counter

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import onnx

# --------------------------------------------------------------------------
# Global determinism (as in make_backbones.py).
# --------------------------------------------------------------------------

torch.set_num_threads(1)
try:
    torch.set_num_interop_threads(1)
except RuntimeError:
    pass
torch.use_deterministic_algorithms(True)
torch.backends.cudnn.benchmark = False
torch.backends.cudnn.deterministic = True

warnings.filterwarnings("ignore", category=UserWarning)
warnings.filterwarnings("ignore", category=torch.jit.TracerWarning)

SCRIPT_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(SCRIPT_DIR))
OUT_DIR = os.path.join(REPO_ROOT, "testdata", "models9")

N_ROWS = 600          # rows of each data set
SPLIT_FRAC = (0.6, 0.2, 0.2)
N_SAMPLE = 16         # rows in input_*.npy / inputs.npz / expected_*.npy (the first test rows)
EXPORT_BATCH = 3      # batch of the example used for tracing (the graph keeps a symbolic batch)

try:
    from onnx.reference import ReferenceEvaluator  # onnx >= 1.13
except ImportError:
    ReferenceEvaluator = None


def seed_all(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


# --------------------------------------------------------------------------
# Synthetic data sets. Every data set has two groups (group 1 is the
# minority, about 35% of rows), a feature that leaks the group (a proxy), and
# a label whose base rate depends on the group, so a plainly trained model
# has a demographic-parity gap.
# --------------------------------------------------------------------------


def make_split(rng, n):
    """0 train, 1 val, 2 test: a seeded permutation cut 60/20/20."""
    n_tr = int(round(n * SPLIT_FRAC[0]))
    n_va = int(round(n * SPLIT_FRAC[1]))
    split = np.empty(n, dtype=np.int64)
    perm = rng.permutation(n)
    split[perm[:n_tr]] = 0
    split[perm[n_tr:n_tr + n_va]] = 1
    split[perm[n_tr + n_va:]] = 2
    return split


def draw_group(rng, n):
    return (rng.random(n) < 0.35).astype(np.int64)


def tabular_data(rng, n, classes=2):
    """10 float features. x0 is a proxy for the group (shifted by +1.5 in group 1), x1 is shifted by
    -0.5. Binary: label 1 when a nonlinear score of x2..x6 minus 1.6 for group 1 plus noise is > 0.
    K-class: argmax of K linear scores of x2..x9, group 1 pushed towards class 0."""
    g = draw_group(rng, n)
    X = rng.normal(0.0, 1.0, size=(n, 10))
    X[:, 0] += 1.5 * g
    X[:, 1] -= 0.5 * g
    if classes == 2:
        s = (1.2 * X[:, 2] + 0.8 * X[:, 3] - 0.6 * X[:, 4] + 0.7 * X[:, 5] * X[:, 6]
             + 0.5 - 1.6 * g + rng.normal(0.0, 0.5, size=n))
        y = (s > 0).astype(np.int64)
    else:
        W = rng.normal(0.0, 1.0, size=(8, classes))
        S = X[:, 2:] @ W + rng.normal(0.0, 0.5, size=(n, classes))
        S[:, 0] += 1.5 * g
        y = S.argmax(axis=1).astype(np.int64)
    return {"input": X.astype(np.float32)}, y, g


def sequence_data(rng, n):
    """[n, 8, 4] sequences. Feature 3 is shifted by +1.0 at every step in group 1 (proxy). Label 1 when
    the scaled sum of feature 0 over time + 0.8 * feature 1 at the last step - 1.4 for group 1 + noise > 0."""
    g = draw_group(rng, n)
    X = rng.normal(0.0, 1.0, size=(n, 8, 4))
    X[:, :, 3] += 1.0 * g[:, None]
    s = (X[:, :, 0].sum(axis=1) / np.sqrt(8.0) + 0.8 * X[:, -1, 1] + 0.5 - 1.4 * g
         + rng.normal(0.0, 0.4, size=n))
    return {"input": X.astype(np.float32)}, (s > 0).astype(np.int64), g


def token_data(rng, n):
    """[n, 6, 16] token vectors. Channel 2 is shifted by +1.0 in every token of group 1 (proxy). Label 1
    when the scaled token-sum of channel 0 + 0.6 * the largest channel-1 value - 1.4 for group 1 + noise
    > 0 (centred so both labels occur)."""
    g = draw_group(rng, n)
    X = rng.normal(0.0, 1.0, size=(n, 6, 16))
    X[:, :, 2] += 1.0 * g[:, None]
    s = X[:, :, 0].sum(axis=1) / np.sqrt(6.0) + 0.6 * (X[:, :, 1].max(axis=1) - 1.27) + 0.5 - 1.4 * g
    s += rng.normal(0.0, 0.4, size=n)
    return {"input": X.astype(np.float32)}, (s > 0).astype(np.int64), g


def embed_data(rng, n):
    """codes [n, 2] int64 in 0..19 and num [n, 5] float32. Two group proxies: the first code (group 1
    draws it from 10..19 with probability 0.9, group 0 from 0..9 with probability 0.9) and num[:, 4]
    (shifted by +1.0 in group 1, otherwise unused). Label 1 when per-code effects + a linear score of
    num[:, :4] - 2.0 for group 1 + noise > 0."""
    g = draw_group(rng, n)
    eff0 = rng.normal(0.0, 1.0, size=20)
    eff1 = rng.normal(0.0, 1.0, size=20)
    w = rng.normal(0.0, 1.0, size=4)
    high = np.where(g == 1, rng.random(n) < 0.9, rng.random(n) < 0.1)
    c0 = rng.integers(0, 10, size=n) + 10 * high.astype(np.int64)
    c1 = rng.integers(0, 20, size=n)
    num = rng.normal(0.0, 1.0, size=(n, 5))
    num[:, 4] += 1.0 * g
    s = (0.8 * eff0[c0] + 0.8 * eff1[c1] + 0.6 * (num[:, :4] @ w) + 0.5 - 2.0 * g
         + rng.normal(0.0, 0.5, size=n))
    codes = np.stack([c0, c1], axis=1).astype(np.int64)
    return {"codes": codes, "num": num.astype(np.float32)}, (s > 0).astype(np.int64), g


# --------------------------------------------------------------------------
# Models.
# --------------------------------------------------------------------------


class LSTMClassifier(nn.Module):
    """[batch, 8, 4] -> LSTM(hidden 16), last hidden state -> Linear 16->16 -> ReLU -> Linear 16->1 -> Sigmoid."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(input_size=4, hidden_size=16, num_layers=1, batch_first=True)
        self.fc1 = nn.Linear(16, 16)
        self.fc2 = nn.Linear(16, 1)

    def logits(self, x):
        _, (h, _) = self.lstm(x)
        return self.fc2(F.relu(self.fc1(h[-1])))

    def forward(self, x):
        return torch.sigmoid(self.logits(x))


class TransformerClassifier(nn.Module):
    """[batch, 6, 16] -> 1-layer TransformerEncoder (d_model 16, 2 heads, feed-forward 32) -> mean over
    tokens -> Linear 16->16 -> ReLU -> Linear 16->1 -> Sigmoid."""

    def __init__(self):
        super().__init__()
        layer = nn.TransformerEncoderLayer(d_model=16, nhead=2, dim_feedforward=32, dropout=0.1,
                                           batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers=1, enable_nested_tensor=False)
        self.fc1 = nn.Linear(16, 16)
        self.fc2 = nn.Linear(16, 1)

    def logits(self, x):
        x = self.encoder(x).mean(dim=1)
        return self.fc2(F.relu(self.fc1(x)))

    def forward(self, x):
        return torch.sigmoid(self.logits(x))


class MLPLayerNorm(nn.Module):
    """10 -> 32 (LayerNorm, GELU) -> 32 (SiLU) -> 32 (ReLU) -> 1 -> Sigmoid."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(10, 32)
        self.ln = nn.LayerNorm(32)
        self.fc2 = nn.Linear(32, 32)
        self.fc3 = nn.Linear(32, 32)
        self.out = nn.Linear(32, 1)

    def logits(self, x):
        x = F.gelu(self.ln(self.fc1(x)))
        x = F.silu(self.fc2(x))
        x = F.relu(self.fc3(x))
        return self.out(x)

    def forward(self, x):
        return torch.sigmoid(self.logits(x))


class EmbedTwoInputs(nn.Module):
    """codes [batch, 2] int64 (one Embedding(20, 4) per column) and num [batch, 5]; concat (13) ->
    Linear 13->16 -> ReLU -> Linear 16->16 -> ReLU -> Linear 16->1 -> Sigmoid."""

    def __init__(self):
        super().__init__()
        self.emb0 = nn.Embedding(20, 4)
        self.emb1 = nn.Embedding(20, 4)
        self.fc1 = nn.Linear(13, 16)
        self.fc2 = nn.Linear(16, 16)
        self.out = nn.Linear(16, 1)

    def logits(self, codes, num):
        x = torch.cat([self.emb0(codes[:, 0]), self.emb1(codes[:, 1]), num], dim=1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.out(x)

    def forward(self, codes, num):
        return torch.sigmoid(self.logits(codes, num))


class MLP(nn.Module):
    """10 -> 16 -> 16 -> k with ReLU; forward returns raw logits or, with sigmoid=True, their sigmoid."""

    def __init__(self, k, sigmoid):
        super().__init__()
        self.fc1 = nn.Linear(10, 16)
        self.fc2 = nn.Linear(16, 16)
        self.out = nn.Linear(16, k)
        self.sigmoid = sigmoid

    def logits(self, x):
        return self.out(F.relu(self.fc2(F.relu(self.fc1(x)))))

    def forward(self, x):
        z = self.logits(x)
        return torch.sigmoid(z) if self.sigmoid else z


class TwoOutputs(nn.Module):
    """Trunk 10 -> 16 -> 16 (ReLU); head A 16 -> 1 -> Sigmoid (`prob`), head B 16 -> 3 logits (`aux`)."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(10, 16)
        self.fc2 = nn.Linear(16, 16)
        self.head_a = nn.Linear(16, 1)
        self.head_b = nn.Linear(16, 3)

    def heads(self, x):
        h = F.relu(self.fc2(F.relu(self.fc1(x))))
        return self.head_a(h), self.head_b(h)

    def forward(self, x):
        a, b = self.heads(x)
        return torch.sigmoid(a), b


class KerasStyle(nn.Module):
    """10 -> 16 -> 16 -> 1 as x @ W + b with nn.Parameter (exported as MatMul + Add, not Gemm), ReLU,
    Sigmoid output."""

    def __init__(self):
        super().__init__()
        self.w1, self.b1 = self._layer(10, 16)
        self.w2, self.b2 = self._layer(16, 16)
        self.w3, self.b3 = self._layer(16, 1)

    @staticmethod
    def _layer(d_in, d_out):
        # The same initial distribution as nn.Linear (uniform in +-1/sqrt(d_in)), stored [in, out].
        bound = 1.0 / d_in ** 0.5
        w = nn.Parameter(torch.empty(d_in, d_out).uniform_(-bound, bound))
        b = nn.Parameter(torch.empty(d_out).uniform_(-bound, bound))
        return w, b

    def logits(self, x):
        x = F.relu(x @ self.w1 + self.b1)
        x = F.relu(x @ self.w2 + self.b2)
        return x @ self.w3 + self.b3

    def forward(self, x):
        return torch.sigmoid(self.logits(x))


class EinsumMLP(nn.Module):
    """10 -> 32 -> 16 -> 1 whose first layer is torch.einsum (exported as an ONNX Einsum node, whose output
    width fairbinn's shape inference does not compute, so its positions need a run of onnxruntime), then
    ReLU, two nn.Linear and a Sigmoid."""

    def __init__(self):
        super().__init__()
        bound = 1.0 / 10 ** 0.5
        self.w1 = nn.Parameter(torch.empty(10, 32).uniform_(-bound, bound))
        self.b1 = nn.Parameter(torch.empty(32).uniform_(-bound, bound))
        self.fc2 = nn.Linear(32, 16)
        self.out = nn.Linear(16, 1)

    def logits(self, x):
        x = F.relu(torch.einsum("bi,ij->bj", x, self.w1) + self.b1)
        x = F.relu(self.fc2(x))
        return self.out(x)

    def forward(self, x):
        return torch.sigmoid(self.logits(x))


class ResidualMLP(nn.Module):
    """10 -> 16 (ReLU) -> 16 (ReLU) -> 16 (ReLU) plus a skip connection from the first hidden layer to the
    third's output (h1 + h3) -> 1 -> Sigmoid: the layers after the second ReLU also read the first one,
    across that position."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(10, 16)
        self.fc2 = nn.Linear(16, 16)
        self.fc3 = nn.Linear(16, 16)
        self.out = nn.Linear(16, 1)

    def logits(self, x):
        h1 = F.relu(self.fc1(x))
        h3 = F.relu(self.fc3(F.relu(self.fc2(h1))))
        return self.out(h1 + h3)

    def forward(self, x):
        return torch.sigmoid(self.logits(x))


# --------------------------------------------------------------------------
# Training.
# --------------------------------------------------------------------------


def train(model, tensors, loss_fn, epochs, batch_size, lr, seed):
    """Adam over shuffled mini-batches; tensors is a list of row-aligned tensors passed to loss_fn."""
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    n = tensors[0].shape[0]
    model.train()
    for _ in range(epochs):
        perm = torch.randperm(n, generator=gen)
        for i in range(0, n, batch_size):
            idx = perm[i:i + batch_size]
            opt.zero_grad()
            loss = loss_fn(model, *[t[idx] for t in tensors])
            loss.backward()
            opt.step()
    model.eval()


# --------------------------------------------------------------------------
# Writing outputs.
# --------------------------------------------------------------------------


def save_npz(path, arrays):
    """numpy.savez without the wall-clock timestamps: an uncompressed zip of <key>.npy members, in the
    given key order, each dated 1980-01-01 00:00:00."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
        for key, arr in arrays.items():
            buf = io.BytesIO()
            np.save(buf, np.ascontiguousarray(arr), allow_pickle=False)
            info = zipfile.ZipInfo(key + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            zf.writestr(info, buf.getvalue())


def export_model(model, example, input_names, output_names, opset):
    """torch.onnx.export with a dynamic batch dim on every input and output; eval mode, constant folding.

    Gradients stay enabled (no torch.no_grad): without them PyTorch 1.13 runs TransformerEncoderLayer
    through a fused fast-path op the exporter cannot write."""
    buf = io.BytesIO()
    axes = {name: {0: "batch"} for name in list(input_names) + list(output_names)}
    model.eval()
    torch.onnx.export(model, tuple(example), buf, export_params=True, opset_version=opset,
                      do_constant_folding=True, input_names=list(input_names),
                      output_names=list(output_names), dynamic_axes=axes)
    return onnx.load_from_string(buf.getvalue())


def passthrough_encoding(n_features):
    """fairbinn.encoding for a model whose input is one row of a table with columns x0..x<n-1>, group,
    label, used as they are: a passthrough CSV encoding (raw features), label 1 when `label` is "1",
    sensitive column `group` (dropped, so it forms groups without being a model input)."""
    return {
        "version": 1,
        "source": "csv",
        "label": {"column": "label", "positive": ["1"]},
        "sensitive": ["group"],
        "missing": "",
        "drop": ["group"],
        "passthrough": True,
        "features": [{"name": "x%d" % i, "column": "x%d" % i, "kind": "raw"} for i in range(n_features)],
    }


def dims(vi):
    out = []
    for d in vi.type.tensor_type.shape.dim:
        out.append(d.dim_param if d.HasField("dim_param") else str(d.dim_value))
    return "[" + ", ".join(out) + "]"


ELEM = {onnx.TensorProto.FLOAT: "float32", onnx.TensorProto.INT64: "int64"}


def reference_check(m, inputs, expected):
    """Run the ONNX reference evaluator (onnx >= 1.13) on the sample rows; None when it is not installed."""
    if ReferenceEvaluator is None:
        return None
    sess = ReferenceEvaluator(m)
    got = sess.run(None, inputs)
    worst = 0.0
    for (name, want), have in zip(expected.items(), got):
        have = np.asarray(have)
        if have.shape != want.shape:
            raise SystemExit("reference evaluator: %s has shape %s, want %s" % (name, have.shape, want.shape))
        worst = max(worst, float(np.max(np.abs(have.astype(np.float64) - want.astype(np.float64)))))
    if worst > 1e-4:
        raise SystemExit("reference evaluator differs from PyTorch by %g" % worst)
    return worst


def write_model(name, model, data, label, group, split, input_names, output_names, opset,
                metrics, encoding=None, extra_arrays=None, note=""):
    """Export the model, check it and write every file of testdata/models9/<name>/."""
    d = os.path.join(OUT_DIR, name)
    if os.path.isdir(d):
        shutil.rmtree(d)
    os.makedirs(d)

    test_idx = np.nonzero(split == 2)[0][:N_SAMPLE]
    sample = {k: np.ascontiguousarray(data[k][test_idx]) for k in input_names}
    # Outputs are computed with gradients enabled, on the same code path as the export.
    outs = model(*[torch.from_numpy(sample[k]) for k in input_names])
    if not isinstance(outs, tuple):
        outs = (outs,)
    expected = {k: np.ascontiguousarray(o.detach().numpy().astype(np.float32))
                for k, o in zip(output_names, outs)}

    train_idx = np.nonzero(split == 0)[0][:EXPORT_BATCH]
    example = [torch.from_numpy(data[k][train_idx]) for k in input_names]
    m = export_model(model, example, input_names, output_names, opset)
    if encoding is not None:
        entry = m.metadata_props.add()
        entry.key = "fairbinn.encoding"
        entry.value = json.dumps(encoding, separators=(",", ":"), ensure_ascii=True)
    path = os.path.join(d, "model.onnx")
    onnx.save_model(m, path)
    onnx.checker.check_model(path, full_check=True)
    ref = reference_check(onnx.load(path), sample, expected)

    for k in input_names:
        np.save(os.path.join(d, "input_%s.npy" % k), sample[k])
    save_npz(os.path.join(d, "inputs.npz"), sample)
    for k, v in expected.items():
        np.save(os.path.join(d, "expected_%s.npy" % k), v)
    arrays = {k: data[k] for k in input_names}
    arrays["label"] = label.astype(np.int64)
    arrays["group"] = group.astype(np.int64)
    arrays["split"] = split.astype(np.int64)
    for k, v in (extra_arrays or {}).items():
        arrays[k] = v
    save_npz(os.path.join(d, "data.npz"), arrays)

    # Describe.
    counts = Counter()
    order = []
    for n in m.graph.node:
        if n.op_type not in counts:
            order.append(n.op_type)
        counts[n.op_type] += 1
    got_opset = [o.version for o in m.opset_import if o.domain in ("", "ai.onnx")][0]
    inits = {t.name for t in m.graph.initializer}
    ins = [(i.name, ELEM[i.type.tensor_type.elem_type], dims(i)) for i in m.graph.input if i.name not in inits]
    outs_ = [(o.name, ELEM[o.type.tensor_type.elem_type], dims(o)) for o in m.graph.output]
    if [i[0] for i in ins] != list(input_names) or [o[0] for o in outs_] != list(output_names):
        raise SystemExit("%s: graph io %r %r" % (name, ins, outs_))
    for io_ in ins + outs_:
        if not io_[2].startswith("[batch"):
            raise SystemExit("%s: %s has no symbolic batch dim: %s" % (name, io_[0], io_[2]))
    sizes = {f: os.path.getsize(os.path.join(d, f)) for f in sorted(os.listdir(d))}
    info = {
        "name": name, "opset": got_opset, "ops": [(op, counts[op]) for op in order],
        "inputs": ins, "outputs": outs_, "sizes": sizes, "metrics": metrics,
        "encoding": encoding is not None, "note": note,
        "params": sum(int(np.prod(t.dims)) for t in m.graph.initializer),
    }
    print("== %s" % name)
    print("   opset %d, %d nodes, %d initializers" % (got_opset, len(m.graph.node), len(m.graph.initializer)))
    print("   ops: " + ", ".join("%s x%d" % oc for oc in info["ops"]))
    print("   inputs: " + ", ".join("%s %s %s" % io_ for io_ in ins))
    print("   outputs: " + ", ".join("%s %s %s" % io_ for io_ in outs_))
    print("   files: " + ", ".join("%s %d B" % kv for kv in sizes.items()))
    print("   " + ", ".join("%s %s" % kv for kv in metrics.items()))
    print("   reference evaluator: " + ("skipped (onnx.reference not installed)" if ref is None
                                        else "max |diff| %.3g" % ref))
    return info


# --------------------------------------------------------------------------
# Metrics.
# --------------------------------------------------------------------------


def binary_metrics(p, label, group, split):
    """Accuracy and DP difference |P(yhat=1|g=1) - P(yhat=1|g=0)| on the test split, yhat = p >= 0.5."""
    t = split == 2
    yhat = (p[t] >= 0.5).astype(np.int64)
    acc = float((yhat == label[t]).mean())
    g = group[t]
    dp = float(abs(yhat[g == 1].mean() - yhat[g == 0].mean()))
    return {"test accuracy": "%.4f" % acc, "test DP difference": "%.4f" % dp}


def multiclass_metrics(logits, label, group, split):
    """Accuracy on the test split and per group (argmax of the logits)."""
    t = split == 2
    pred = logits[t].argmax(axis=1)
    ok = pred == label[t]
    g = group[t]
    return {"test accuracy": "%.4f" % float(ok.mean()),
            "group 0 accuracy": "%.4f" % float(ok[g == 0].mean()),
            "group 1 accuracy": "%.4f" % float(ok[g == 1].mean())}


def predict(model, data, names):
    with torch.no_grad():
        return model(*[torch.from_numpy(data[k]) for k in names])


# --------------------------------------------------------------------------
# The ten models.
# --------------------------------------------------------------------------


def fit_binary(model, data, label, split, names, epochs, lr, seed, batch_size=32):
    tr = split == 0
    tensors = [torch.from_numpy(data[k][tr]) for k in names]
    tensors.append(torch.from_numpy(label[tr].astype(np.float32)).unsqueeze(1))
    bce = nn.BCEWithLogitsLoss()
    train(model, tensors, lambda m, *t: bce(m.logits(*t[:-1]), t[-1]),
          epochs=epochs, batch_size=batch_size, lr=lr, seed=seed)


def fit_classes(model, data, label, split, epochs, lr, seed, batch_size=32):
    tr = split == 0
    ce = nn.CrossEntropyLoss()
    train(model, [torch.from_numpy(data["input"][tr]), torch.from_numpy(label[tr])],
          lambda m, xb, yb: ce(m.logits(xb), yb), epochs=epochs, batch_size=batch_size, lr=lr, seed=seed)


def make_sigmoid_model(name, seed, model_fn, data_fn, names, epochs, lr, opset=17, encoding=None, note=""):
    seed_all(seed)
    rng = np.random.default_rng(seed)
    data, label, group = data_fn(rng, N_ROWS)
    split = make_split(rng, N_ROWS)
    model = model_fn()
    fit_binary(model, data, label, split, names, epochs, lr, seed)
    p = predict(model, data, names).numpy()[:, 0]
    metrics = binary_metrics(p, label, group, split)
    return write_model(name, model, data, label, group, split, names, ["prob"], opset, metrics,
                       encoding=encoding, note=note)


def make_raw_logit(seed=15):
    seed_all(seed)
    rng = np.random.default_rng(seed)
    data, label, group = tabular_data(rng, N_ROWS)
    split = make_split(rng, N_ROWS)
    model = MLP(1, sigmoid=False)
    fit_binary(model, data, label, split, ["input"], epochs=30, lr=1e-2, seed=seed)
    z = predict(model, data, ["input"]).numpy()[:, 0]
    metrics = binary_metrics(1.0 / (1.0 + np.exp(-z)), label, group, split)
    return write_model("raw_logit", model, data, label, group, split, ["input"], ["logits"], 17, metrics,
                       encoding=passthrough_encoding(10),
                       note="Trained with BCEWithLogitsLoss; the output is the raw logit (no Sigmoid node); "
                            "P(label 1) = sigmoid(logits).")


def make_k_class(name, k, seed, encoding):
    seed_all(seed)
    rng = np.random.default_rng(seed)
    data, label, group = tabular_data(rng, N_ROWS, classes=k)
    split = make_split(rng, N_ROWS)
    model = MLP(k, sigmoid=False)
    fit_classes(model, data, label, split, epochs=30, lr=1e-2, seed=seed)
    z = predict(model, data, ["input"]).numpy()
    metrics = multiclass_metrics(z, label, group, split)
    if k == 2:
        metrics.update({("%s (argmax)" % key): v for key, v in
                        binary_metrics((z[:, 1] > z[:, 0]).astype(np.float64), label, group, split).items()
                        if key == "test DP difference"})
        note = ("CrossEntropyLoss over 2 classes; output raw logits [batch, 2], class 1 is the positive "
                "label, P(label 1) = softmax(logits)[:, 1].")
    else:
        note = ("CrossEntropyLoss over %d classes (labels 0..%d); output raw logits [batch, %d]; group 1 "
                "is pushed towards class 0. No `fairbinn.encoding`: the encoding's label is binary." % (k, k - 1, k))
    counts = np.bincount(label, minlength=k)
    metrics["label counts"] = "/".join(str(int(c)) for c in counts)
    return write_model(name, model, data, label, group, split, ["input"], ["logits"], 17, metrics,
                       encoding=encoding, note=note)


def make_two_outputs(seed=18):
    seed_all(seed)
    rng = np.random.default_rng(seed)
    data, label, group = tabular_data(rng, N_ROWS)
    split = make_split(rng, N_ROWS)
    X = data["input"]
    # Target of the aux head: tertile of x7 + x8 (cut points from the training rows).
    a = X[:, 7].astype(np.float64) + X[:, 8].astype(np.float64)
    cuts = np.quantile(a[split == 0], [1.0 / 3.0, 2.0 / 3.0])
    aux_label = np.searchsorted(cuts, a, side="right").astype(np.int64)
    model = TwoOutputs()
    tr = split == 0
    bce = nn.BCEWithLogitsLoss()
    ce = nn.CrossEntropyLoss()

    def loss_fn(m, xb, yb, ab):
        za, zb = m.heads(xb)
        return bce(za, yb) + 0.5 * ce(zb, ab)

    train(model, [torch.from_numpy(X[tr]), torch.from_numpy(label[tr].astype(np.float32)).unsqueeze(1),
                  torch.from_numpy(aux_label[tr])], loss_fn, epochs=30, batch_size=32, lr=1e-2, seed=seed)
    p, aux = predict(model, data, ["input"])
    metrics = binary_metrics(p.numpy()[:, 0], label, group, split)
    t = split == 2
    metrics["aux test accuracy"] = "%.4f" % float((aux.numpy()[t].argmax(1) == aux_label[t]).mean())
    return write_model("two_outputs", model, data, label, group, split, ["input"], ["prob", "aux"], 17, metrics,
                       encoding=passthrough_encoding(10), extra_arrays={"aux_label": aux_label},
                       note="Loss BCE(prob head) + 0.5 * CrossEntropy(aux head). `aux` are raw logits over "
                            "3 classes whose target, `aux_label` in data.npz, is the tertile of x7 + x8 "
                            "(cut points from the training rows).")


NOTES_IO = {
    "lstm": "LSTM(4 -> hidden 16, batch_first), last hidden state -> Linear 16->16 -> ReLU -> Linear 16->1 -> Sigmoid",
    "transformer": "TransformerEncoder, 1 layer (d_model 16, 2 heads, feed-forward 32, post-norm, ReLU) -> "
                   "mean over the 6 tokens -> Linear 16->16 -> ReLU -> Linear 16->1 -> Sigmoid",
    "mlp_layernorm": "Linear 10->32 -> LayerNorm -> GELU (exact, Erf) -> Linear 32->32 -> SiLU -> Linear 32->32 "
                     "-> ReLU -> Linear 32->1 -> Sigmoid",
    "embed_two_inputs": "Embedding(20, 4) on codes[:, 0] and another on codes[:, 1], concat with num (13) -> "
                        "Linear 13->16 -> ReLU -> Linear 16->16 -> ReLU -> Linear 16->1 -> Sigmoid",
    "raw_logit": "Linear 10->16 -> ReLU -> Linear 16->16 -> ReLU -> Linear 16->1 (raw logit)",
    "two_class": "Linear 10->16 -> ReLU -> Linear 16->16 -> ReLU -> Linear 16->2 (raw logits)",
    "four_class": "Linear 10->16 -> ReLU -> Linear 16->16 -> ReLU -> Linear 16->4 (raw logits)",
    "two_outputs": "trunk Linear 10->16 -> ReLU -> Linear 16->16 -> ReLU; head A Linear 16->1 -> Sigmoid (`prob`); "
                   "head B Linear 16->3 (`aux`, raw logits)",
    "keras_style": "x @ W1 + b1 -> ReLU -> @ W2 + b2 -> ReLU -> @ W3 + b3 -> Sigmoid (MatMul + Add, no Gemm)",
    "opset9_mlp": "Linear 10->16 -> ReLU -> Linear 16->16 -> ReLU -> Linear 16->1 -> Sigmoid, opset 9",
    "einsum_mlp": "einsum('bi,ij->bj', x, W1) + b1 -> ReLU -> Linear 32->16 -> ReLU -> Linear 16->1 -> Sigmoid",
    "residual_mlp": "h1 = ReLU(Linear 10->16), h3 = ReLU(Linear 16->16 of ReLU(Linear 16->16 of h1)), Linear 16->1 of h1 + h3 -> Sigmoid",
}


def write_readme(infos):
    L = []
    L.append("# Models with varied architectures and heads")
    L.append("")
    L.append("Small models trained and exported by PyTorch, written by `testdata/gen/make_heads.py` (regenerate with "
             "`/usr/bin/python3 testdata/gen/make_heads.py` from the repository root; see `testdata/gen/README.md`). "
             "Do not edit these files by hand.")
    L.append("")
    L.append("Each folder holds `model.onnx`, `input_<input>.npy` for each input and `inputs.npz` with the same arrays "
             "keyed by input name (the first %d test rows of the data set), `expected_<output>.npy` (float32, "
             "PyTorch's eval-mode output on those rows) for each output, and `data.npz`: the %d-row synthetic data set "
             "the model was trained on, with every input by name, `label`, `group` and `split` (int64; split 0 train, "
             "1 val, 2 test, %d/%d/%d rows). Models are trained on the train split only." %
             (N_SAMPLE, N_ROWS, int(round(N_ROWS * SPLIT_FRAC[0])), int(round(N_ROWS * SPLIT_FRAC[1])),
              N_ROWS - int(round(N_ROWS * SPLIT_FRAC[0])) - int(round(N_ROWS * SPLIT_FRAC[1]))))
    L.append("")
    L.append("| model | opset | inputs | outputs | ops (count) | parameters | files (bytes) |")
    L.append("| --- | --- | --- | --- | --- | --- | --- |")
    for info in infos:
        ins = "<br>".join("`%s` %s %s" % io_ for io_ in info["inputs"])
        outs = "<br>".join("`%s` %s %s" % io_ for io_ in info["outputs"])
        ops = ", ".join("%s (%d)" % oc for oc in info["ops"])
        files = "<br>".join("%s: %d" % kv for kv in info["sizes"].items())
        L.append("| %s | %d | %s | %s | %s | %d | %s |" % (info["name"], info["opset"], ins, outs, ops,
                                                         info["params"], files))
    L.append("")
    L.append("`batch` is the symbolic batch dimension. Metrics are on the 120 test rows; the DP difference is "
             "|P(ŷ=1 | group 1) − P(ŷ=1 | group 0)| with ŷ = 1 when the probability is ≥ 0.5.")
    L.append("")
    L.append("## Notes")
    L.append("")
    for info in infos:
        s = "- **%s**: %s." % (info["name"], NOTES_IO[info["name"]])
        if info["note"]:
            s += " " + info["note"]
        if info["encoding"]:
            s += (" metadata_props `fairbinn.encoding`: a passthrough CSV encoding (features x0..x9 raw, label "
                  "column `label` positive `1`, sensitive column `group`, dropped).")
        s += " Metrics: " + ", ".join("%s %s" % kv for kv in info["metrics"].items()) + "."
        L.append(s)
    L.append("")
    L.append("Data: group 1 is about 35%% of the rows; each data set has a group proxy feature and a label whose "
             "base rate depends on the group (see the data functions in `make_heads.py`). Total size of this "
             "folder without this README: %d bytes." % (sum(sum(i["sizes"].values()) for i in infos)))
    L.append("")
    with open(os.path.join(OUT_DIR, "README.md"), "w") as f:
        f.write("\n".join(L))


def main():
    print("torch %s, numpy %s, onnx %s, python %s" % (
        torch.__version__, np.__version__, onnx.__version__, sys.version.split()[0]))
    print("onnxruntime: %s (not used)" % ("installed" if importlib.util.find_spec("onnxruntime") else "not installed"))
    print("onnx reference evaluator: %s" % ("available" if ReferenceEvaluator else "not in this onnx, check skipped"))
    os.makedirs(OUT_DIR, exist_ok=True)
    enc = passthrough_encoding(10)
    infos = []
    infos.append(make_sigmoid_model("lstm", 11, LSTMClassifier, sequence_data, ["input"], epochs=25, lr=1e-2,
                                    note="One ONNX LSTM node (batch_first becomes a Transpose); the exporter "
                                         "builds the zero initial states from the batch size "
                                         "(Shape -> Gather -> Unsqueeze -> Concat -> ConstantOfShape)."))
    infos.append(make_sigmoid_model("transformer", 12, TransformerClassifier, token_data, ["input"],
                                    epochs=25, lr=3e-3,
                                    note="Exported with gradients enabled (not under torch.no_grad), so the "
                                         "encoder layer is traced op by op instead of through PyTorch's fused "
                                         "fast path; eval-mode Dropout is dropped by the exporter."))
    infos.append(make_sigmoid_model("mlp_layernorm", 13, MLPLayerNorm, tabular_data, ["input"],
                                    epochs=30, lr=3e-3, encoding=enc))
    infos.append(make_sigmoid_model("embed_two_inputs", 14, EmbedTwoInputs, embed_data, ["codes", "num"],
                                    epochs=30, lr=1e-2,
                                    note="`codes` int64 in 0..19 (column 0 is a group proxy), `num` float32 (column 4 is a group proxy)."))
    infos.append(make_raw_logit())
    infos.append(make_k_class("two_class", 2, 16, enc))
    infos.append(make_k_class("four_class", 4, 17, None))
    infos.append(make_two_outputs())
    infos.append(make_sigmoid_model("keras_style", 19, KerasStyle, tabular_data, ["input"],
                                    epochs=30, lr=1e-2, encoding=enc))
    infos.append(make_sigmoid_model("opset9_mlp", 20, lambda: MLP(1, sigmoid=True), tabular_data, ["input"],
                                    epochs=30, lr=1e-2, opset=9, encoding=enc))
    infos.append(make_sigmoid_model("einsum_mlp", 21, EinsumMLP, tabular_data, ["input"],
                                    epochs=30, lr=1e-2, encoding=enc,
                                    note="An Einsum first layer: the width after it is known only by running "
                                         "the model, which inspect and train do once in onnxruntime."))
    infos.append(make_sigmoid_model("residual_mlp", 22, ResidualMLP, tabular_data, ["input"],
                                    epochs=30, lr=1e-2, encoding=enc,
                                    note="A skip connection: the Add after the third ReLU also reads the "
                                         "first, so a prefix frozen at the second ReLU hands both on."))
    write_readme(infos)
    total = sum(sum(i["sizes"].values()) for i in infos)
    print("total %d bytes in %s" % (total, OUT_DIR))
    if total > 2 * 1024 * 1024:
        raise SystemExit("outputs exceed 2 MiB")
    print("done")


if __name__ == "__main__":
    main()
