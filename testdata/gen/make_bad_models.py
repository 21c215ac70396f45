#!/usr/bin/python3
"""Write the corpus of malformed ONNX models the importer tests read.

Run from the repository root with Debian's interpreter:

    /usr/bin/python3 testdata/gen/make_bad_models.py

Requirements: numpy, onnx 1.12 (python3-numpy, python3-onnx). No randomness
and no timestamps: two runs write byte-identical files.

Unless noted, each file is a small variant of one valid model, a 2-layer MLP
exported the way PyTorch names things:

    input [batch, 4] -> Gemm (fc1, 3 units) -> Relu -> Gemm (fc2, 1 unit)
        -> Sigmoid -> prob [batch, 1]                          (opset 17)

Outputs (paths relative to the repository root):

    testdata/bad/<case>.onnx   one file per case below
    testdata/bad/short.bin     external data file shorter than
                               external_short.onnx says
    testdata/bad/README.md     table of cases (generated)

The bad files are never passed to onnx.checker (most would fail it, which is
the point); the valid model they start from is checked first.
"""

import os
import sys

import numpy as np

import onnx
from onnx import TensorProto, helper, numpy_helper

SCRIPT_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(SCRIPT_DIR))
BAD_DIR = os.path.join(REPO_ROOT, "testdata", "bad")

PRODUCER = "fairbinn testdata/gen/make_bad_models.py"
OPSET = 17
IR_VERSION = 8  # the IR version onnx 1.12 writes for opset 17

IN_DIM, HIDDEN, OUT_DIM = 4, 3, 1


# --------------------------------------------------------------------------
# The valid model every case starts from.
# --------------------------------------------------------------------------


def weights():
    """Fixed, finite weights (no random generator, so nothing can drift)."""
    n1 = HIDDEN * IN_DIM
    fc1_w = (np.arange(n1, dtype=np.float32).reshape(HIDDEN, IN_DIM) - n1 / 2) / 10
    fc1_b = np.array([0.1, -0.2, 0.3], dtype=np.float32)
    fc2_w = np.array([[0.5, -0.25, 0.75]], dtype=np.float32)
    fc2_b = np.array([-0.05], dtype=np.float32)
    return {
        "fc1.weight": fc1_w,
        "fc1.bias": fc1_b,
        "fc2.weight": fc2_w,
        "fc2.bias": fc2_b,
    }


def gemm(name, x, w, b, y):
    return helper.make_node(
        "Gemm", [x, w, b], [y], name=name, alpha=1.0, beta=1.0, transB=1
    )


def base_nodes():
    return [
        gemm("/fc1/Gemm", "input", "fc1.weight", "fc1.bias", "/fc1/Gemm_output_0"),
        helper.make_node("Relu", ["/fc1/Gemm_output_0"], ["/Relu_output_0"], name="/Relu"),
        gemm("/fc2/Gemm", "/Relu_output_0", "fc2.weight", "fc2.bias", "/fc2/Gemm_output_0"),
        helper.make_node("Sigmoid", ["/fc2/Gemm_output_0"], ["prob"], name="/Sigmoid"),
    ]


def base_model(nodes=None, initializers=None, opset=OPSET, outputs=None, extra_opsets=()):
    """The valid MLP, with parts replaced by the caller."""
    if nodes is None:
        nodes = base_nodes()
    if initializers is None:
        initializers = [numpy_helper.from_array(a, name) for name, a in weights().items()]
    inp = helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", IN_DIM])
    if outputs is None:
        outputs = [helper.make_tensor_value_info("prob", TensorProto.FLOAT, ["batch", OUT_DIM])]
    graph = helper.make_graph(nodes, "main_graph", [inp], outputs, initializer=initializers)
    opsets = [helper.make_opsetid("", opset)] + [helper.make_opsetid(d, v) for d, v in extra_opsets]
    model = helper.make_model(graph, producer_name=PRODUCER, opset_imports=opsets)
    model.ir_version = IR_VERSION
    model.producer_version = "1"
    return model


def initializer(model, name):
    for t in model.graph.initializer:
        if t.name == name:
            return t
    raise KeyError(name)


def node(model, name):
    for n in model.graph.node:
        if n.name == name:
            return n
    raise KeyError(name)


def make_external(t, location, offset=None, length=None):
    """Turn an initializer into one whose data lives in an external file."""
    t.ClearField("raw_data")
    t.ClearField("float_data")
    t.data_location = TensorProto.EXTERNAL
    entries = [("location", location)]
    if offset is not None:
        entries.append(("offset", str(offset)))
    if length is not None:
        entries.append(("length", str(length)))
    for k, v in entries:
        e = t.external_data.add()
        e.key = k
        e.value = v


# --------------------------------------------------------------------------
# Cases. Each returns the bytes to write; CASES lists them with what is
# wrong and the substring the importer's error must contain.
# --------------------------------------------------------------------------


def case_truncated():
    data = base_model().SerializeToString()
    cut = data[: len(data) // 2]
    try:
        onnx.ModelProto().ParseFromString(cut)
    except Exception:  # DecodeError; its class differs between protobuf backends
        return cut
    sys.exit("truncated.onnx: the first half of the model still parses; pick another cut")


def case_not_onnx():
    return b"This is a text file, not an ONNX model.\nfairbinn only reads ONNX protobuf files.\n"


def case_empty():
    return b""


def case_unknown_op():
    m = base_model()
    node(m, "/Relu").op_type = "FooBar"
    return m.SerializeToString()


def case_custom_domain():
    m = base_model(extra_opsets=[("com.example", 1)])
    n = node(m, "/Relu")
    n.op_type = "FastRelu"
    n.domain = "com.example"
    return m.SerializeToString()


def case_missing_initializer():
    m = base_model()
    node(m, "/fc1/Gemm").input[1] = "fc1.weight_missing"
    return m.SerializeToString()


def case_wrong_size_initializer():
    m = base_model()
    t = initializer(m, "fc1.weight")
    assert list(t.dims) == [HIDDEN, IN_DIM] == [3, 4]
    t.raw_data = np.arange(10, dtype="<f4").tobytes()  # 10 floats for 12 places
    return m.SerializeToString()


def case_wrong_shape_initializer():
    # Consistent tensor (dims [3, 5], 15 floats), but fc1 multiplies a
    # [batch, 4] input by its transpose: 4 != 5. Only lowering can tell.
    w = weights()
    w["fc1.weight"] = np.arange(HIDDEN * 5, dtype=np.float32).reshape(HIDDEN, 5) / 10
    inits = [numpy_helper.from_array(a, name) for name, a in w.items()]
    return base_model(initializers=inits).SerializeToString()


def case_nan_weights():
    w = weights()
    w["fc1.weight"][1, 2] = np.nan
    inits = [numpy_helper.from_array(a, name) for name, a in w.items()]
    return base_model(initializers=inits).SerializeToString()


def case_inf_weights():
    w = weights()
    w["fc2.bias"][0] = np.inf
    inits = [numpy_helper.from_array(a, name) for name, a in w.items()]
    return base_model(initializers=inits).SerializeToString()


def case_cycle():
    # /Relu reads /fc2/Gemm's output and /fc2/Gemm reads /Relu's.
    m = base_model()
    node(m, "/Relu").input[0] = "/fc2/Gemm_output_0"
    return m.SerializeToString()


def case_dangling_input():
    m = base_model()
    node(m, "/Sigmoid").input[0] = "/fc3/Gemm_output_0"
    return m.SerializeToString()


def case_opset_6():
    return base_model(opset=6).SerializeToString()


def case_opset_22():
    m = base_model(opset=22)
    m.ir_version = 10
    return m.SerializeToString()


def case_no_output():
    m = base_model()
    del m.graph.output[:]
    return m.SerializeToString()


def case_no_graph():
    m = base_model()
    m.ClearField("graph")
    return m.SerializeToString()


def case_external_escape():
    m = base_model()
    make_external(initializer(m, "fc1.weight"), "../outside.bin", 0, HIDDEN * IN_DIM * 4)
    return m.SerializeToString()


def case_external_absolute():
    m = base_model()
    make_external(initializer(m, "fc1.weight"), "/etc/passwd", 0, HIDDEN * IN_DIM * 4)
    return m.SerializeToString()


def case_external_missing():
    m = base_model()
    make_external(initializer(m, "fc1.weight"), "nothere.bin", 0, HIDDEN * IN_DIM * 4)
    return m.SerializeToString()


SHORT_BIN = np.arange(5, dtype="<f4").tobytes()  # 20 bytes


def case_external_short():
    m = base_model()
    make_external(initializer(m, "fc1.weight"), "short.bin", 0, HIDDEN * IN_DIM * 4)
    return m.SerializeToString()


def case_duplicate_output():
    # /Relu writes the tensor /fc1/Gemm already writes.
    m = base_model()
    n = node(m, "/Relu")
    n.output[0] = "/fc1/Gemm_output_0"
    node(m, "/fc2/Gemm").input[0] = "/fc1/Gemm_output_0"
    return m.SerializeToString()


# (file, function, what is wrong, substring of the importer's error)
CASES = [
    ("truncated.onnx", case_truncated,
     "the valid model cut after half its bytes",
     "not an ONNX model (protobuf decoding failed"),
    ("not_onnx.onnx", case_not_onnx,
     "a text file",
     "not an ONNX model (protobuf decoding failed"),
    ("empty.onnx", case_empty,
     "0 bytes",
     "not an ONNX model (no graph)"),
    ("unknown_op.onnx", case_unknown_op,
     "`/Relu` has op type `FooBar`",
     'node "/Relu" (op FooBar): unsupported op: FooBar'),
    ("custom_domain.onnx", case_custom_domain,
     "`/Relu` is op `FastRelu` of domain `com.example` (declared in opset_import)",
     'node "/Relu" (op FastRelu): unsupported op: FastRelu in domain "com.example"'),
    ("missing_initializer.onnx", case_missing_initializer,
     "`/fc1/Gemm` reads weight `fc1.weight_missing`, which nothing defines",
     'node "/fc1/Gemm" (op Gemm): input "fc1.weight_missing" is produced by no node'),
    ("wrong_size_initializer.onnx", case_wrong_size_initializer,
     "`fc1.weight` has dims [3, 4] but its raw data holds 10 floats",
     'initializer "fc1.weight": bad model: dims [3 4] want 12 float32 values, raw data holds 40 bytes'),
    ("wrong_shape_initializer.onnx", case_wrong_shape_initializer,
     "`fc1.weight` is a consistent [3, 5] tensor, but the input is [batch, 4]: "
     "the import succeeds, lowering `/fc1/Gemm` fails with models.ErrShapeMismatch",
     "shape mismatch"),
    ("nan_weights.onnx", case_nan_weights,
     "`fc1.weight` holds a NaN",
     'initializer "fc1.weight": bad model: value 6 is NaN'),
    ("inf_weights.onnx", case_inf_weights,
     "`fc2.bias` holds +Inf",
     'initializer "fc2.bias": bad model: value 0 is +Inf'),
    ("cycle.onnx", case_cycle,
     "`/Relu` reads `/fc2/Gemm`'s output and `/fc2/Gemm` reads `/Relu`'s",
     'graph has a cycle through nodes "/Relu", "/fc2/Gemm"'),
    ("dangling_input.onnx", case_dangling_input,
     "`/Sigmoid` reads `/fc3/Gemm_output_0`, which no node produces",
     'node "/Sigmoid" (op Sigmoid): input "/fc3/Gemm_output_0" is produced by no node'),
    ("opset_6.onnx", case_opset_6,
     "default-domain opset 6",
     "unsupported opset 6 (supported: 7 to 21)"),
    ("opset_22.onnx", case_opset_22,
     "default-domain opset 22 (IR version 10)",
     "unsupported opset 22 (supported: 7 to 21)"),
    ("no_output.onnx", case_no_output,
     "the graph lists no output",
     "graph has no output"),
    ("no_graph.onnx", case_no_graph,
     "a ModelProto with opset and producer but no graph",
     "not an ONNX model (no graph)"),
    ("external_escape.onnx", case_external_escape,
     "`fc1.weight` is stored in external file `../outside.bin`",
     "external data path \"../outside.bin\" leaves the model's folder"),
    ("external_absolute.onnx", case_external_absolute,
     "`fc1.weight` is stored in external file `/etc/passwd`",
     "external data path \"/etc/passwd\" leaves the model's folder"),
    ("external_missing.onnx", case_external_missing,
     "`fc1.weight` is stored in external file `nothere.bin`, which does not exist",
     'external data "nothere.bin": no such file or directory'),
    ("external_short.onnx", case_external_short,
     "`fc1.weight` wants 48 bytes of `short.bin`, which holds 20",
     'external data "short.bin": want 48 bytes at offset 0, the file holds 20 bytes'),
    ("duplicate_output.onnx", case_duplicate_output,
     "`/fc1/Gemm` and `/Relu` both write `/fc1/Gemm_output_0`",
     'node "/Relu" (op Relu): output "/fc1/Gemm_output_0" is already produced by node "/fc1/Gemm"'),
]


def readme():
    lines = [
        "# Malformed models",
        "",
        "Written by `testdata/gen/make_bad_models.py` (regenerate with "
        "`/usr/bin/python3 testdata/gen/make_bad_models.py` from the repository root). "
        "Do not edit these files by hand.",
        "",
        "Each file is the valid 2-layer MLP `input` [batch, 4] → Gemm `/fc1/Gemm` (3 units) → Relu `/Relu` → "
        "Gemm `/fc2/Gemm` (1 unit) → Sigmoid `/Sigmoid` → `prob` [batch, 1] (opset 17) with one thing "
        "broken, unless the table says otherwise. `short.bin` (20 bytes) is the external data file of "
        "`external_short.onnx`.",
        "",
        "`importer.ReadFile` must fail on each with a one-line error that starts with the file's path, "
        "wraps `importer.ErrBadModel` and contains the substring given; the one exception, "
        "`wrong_shape_initializer.onnx`, imports and then fails in `models.Lower`.",
        "",
        "| file | what is wrong | error contains |",
        "| --- | --- | --- |",
    ]
    for name, _, what, want in CASES:
        lines.append("| `%s` | %s | `%s` |" % (name, what, want))
    lines.append("")
    return "\n".join(lines)


def write(path, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(path, "wb") as f:
        f.write(data)


def main():
    onnx.checker.check_model(base_model(), full_check=True)
    os.makedirs(BAD_DIR, exist_ok=True)
    for name, fn, _, _ in CASES:
        write(os.path.join(BAD_DIR, name), fn())
    write(os.path.join(BAD_DIR, "short.bin"), SHORT_BIN)
    write(os.path.join(BAD_DIR, "README.md"), readme())
    print("wrote %d models to %s" % (len(CASES), os.path.relpath(BAD_DIR, REPO_ROOT)))


if __name__ == "__main__":
    main()
