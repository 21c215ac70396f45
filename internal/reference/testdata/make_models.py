"""Writes the ONNX models and data the reference tests run.

    python3 make_models.py     (needs numpy and onnx; tested with onnx 1.12)

mlp.onnx            x: float32[batch, 4] -> Gemm(transB) -> Relu -> Gemm(transB) -> Sigmoid -> y: [batch, 1]
                    (the layer pattern PyTorch exports for nn.Linear), with mlp_input.npy (7 rows) and
                    mlp_expected.npy computed here with numpy in float64
add_twice.onnx      y = Add(x, x): one tensor used twice by a node, which onnx-go silently miscounts
clip.onnx           opset 13 Clip, an operator onnx-go does not implement
gemm_1d.onnx        Gemm on a 1-D input (an invalid model): gorgonnx's Gemm kernel indexes out of range (a panic)
unsqueeze.onnx      opset 11 Unsqueeze(axes=[1]) on [batch, 4]: onnx-go returns [batch, 4, 1], not [batch, 1, 4]
reused_output.onnx  y = Relu(x) is an output and also feeds z = Neg(y)

Fixed seeds keep the output byte-identical across runs.
"""

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(7)


def f32(name, array):
    return numpy_helper.from_array(np.asarray(array, dtype=np.float32), name)


def save(name, nodes, inputs, outputs, initializers=(), opset=13, check=True):
    graph = helper.make_graph(nodes, name.removesuffix(".onnx"), inputs, outputs, initializer=list(initializers))
    model = helper.make_model(graph, producer_name="make_models.py",
                              opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 7
    if check:
        onnx.checker.check_model(model, full_check=True)
    onnx.save(model, name)


def value(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


w1 = rng.standard_normal((5, 4)).astype(np.float32)
b1 = rng.standard_normal(5).astype(np.float32)
w2 = rng.standard_normal((1, 5)).astype(np.float32)
b2 = rng.standard_normal(1).astype(np.float32)
save("mlp.onnx", [
    helper.make_node("Gemm", ["x", "w1", "b1"], ["h"], name="fc1", transB=1),
    helper.make_node("Relu", ["h"], ["r"], name="relu"),
    helper.make_node("Gemm", ["r", "w2", "b2"], ["o"], name="fc2", transB=1),
    helper.make_node("Sigmoid", ["o"], ["y"], name="sigmoid"),
], [value("x", ["batch", 4])], [value("y", ["batch", 1])], [f32("w1", w1), f32("b1", b1), f32("w2", w2), f32("b2", b2)])

x = rng.standard_normal((7, 4)).astype(np.float32)
h = np.maximum(x.astype(np.float64) @ w1.T + b1, 0)
y = 1 / (1 + np.exp(-(h @ w2.T + b2)))
np.save("mlp_input.npy", x)
np.save("mlp_expected.npy", y.astype(np.float32))

save("add_twice.onnx", [helper.make_node("Add", ["x", "x"], ["y"], name="double")],
     [value("x", ["batch", 4])], [value("y", ["batch", 4])])

save("clip.onnx", [helper.make_node("Clip", ["x", "lo", "hi"], ["y"], name="clip")],
     [value("x", ["batch", 4])], [value("y", ["batch", 4])], [f32("lo", -0.5), f32("hi", 0.5)])

save("gemm_1d.onnx", [helper.make_node("Gemm", ["x", "w", "b"], ["y"], name="fc")],
     [value("x", [4])], [value("y", [3])], [f32("w", np.ones((4, 3))), f32("b", np.ones(3))],
     check=False)  # invalid on purpose: Gemm needs a 2-D input

save("unsqueeze.onnx", [helper.make_node("Unsqueeze", ["x"], ["y"], name="unsqueeze", axes=[1])],
     [value("x", ["batch", 4])], [value("y", ["batch", 1, 4])], opset=11)

save("reused_output.onnx", [
    helper.make_node("Relu", ["x"], ["y"], name="relu"),
    helper.make_node("Neg", ["y"], ["z"], name="neg"),
], [value("x", ["batch", 4])], [value("y", ["batch", 4]), value("z", ["batch", 4])])
