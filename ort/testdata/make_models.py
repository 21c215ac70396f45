"""Writes the tiny ONNX models the runtime tests run.

Run with a Python that has the onnx package (tested with onnx 1.12):

    python3 make_models.py

add.onnx         x: float32[batch, 3] -> y = x + 1, z = relu(x)   (batch is symbolic)
add_static.onnx  x: float32[2, 3]     -> y = x + 1                 (static batch of 2)
relu.onnx        x: float32[batch, 3] -> y = relu(x)               (one input, one output)
int64.onnx       x: int64[batch]      -> y = identity(x)           (a type the runtime rejects)

The output is deterministic, so re-running the script leaves the committed files unchanged.
"""

import onnx
from onnx import TensorProto, helper

OPSET = 13


def save(graph, name):
    model = helper.make_model(
        graph,
        producer_name="make_models.py",
        opset_imports=[helper.make_opsetid("", OPSET)],
    )
    # IR version 7 is what opset 13 shipped with; older readers accept it too.
    model.ir_version = 7
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, name)


def add_model(batch):
    one = helper.make_tensor("one", TensorProto.FLOAT, [1], [1.0])
    nodes = [helper.make_node("Add", ["x", "one"], ["y"], name="add")]
    outputs = [helper.make_tensor_value_info("y", TensorProto.FLOAT, [batch, 3])]
    if isinstance(batch, str):
        nodes.append(helper.make_node("Relu", ["x"], ["z"], name="relu"))
        outputs.append(helper.make_tensor_value_info("z", TensorProto.FLOAT, [batch, 3]))
    return helper.make_graph(
        nodes,
        "add",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [batch, 3])],
        outputs,
        initializer=[one],
    )


def relu_model():
    return helper.make_graph(
        [helper.make_node("Relu", ["x"], ["y"], name="relu")],
        "relu",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 3])],
    )


def int64_model():
    return helper.make_graph(
        [helper.make_node("Identity", ["x"], ["y"], name="identity")],
        "int64",
        [helper.make_tensor_value_info("x", TensorProto.INT64, ["batch"])],
        [helper.make_tensor_value_info("y", TensorProto.INT64, ["batch"])],
    )


save(add_model("batch"), "add.onnx")
save(add_model(2), "add_static.onnx")
save(relu_model(), "relu.onnx")
save(int64_model(), "int64.onnx")
