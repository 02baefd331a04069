#!/usr/bin/python3
"""Build the small multi-node graph of infer's ops_shape tests.

Writes model.onnx, input.pb and output.pb beside this script. The output is
computed here with numpy, independently of the engine. Run with the Debian
interpreter (onnx 1.12 and numpy):

    /usr/bin/python3 infer/testdata/shapeops/gen.py

The graph mixes a run-time chain on a feature map (Transpose, Pad reflect,
Slice with a negative step, Split, Concat, Gather on a runtime tensor,
Reshape, Dropout) with a shape chain that is folded when the plan is built
(Shape, Gather, Unsqueeze, Concat, Constant, Cast, ConstantOfShape).
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

here = os.path.dirname(os.path.abspath(__file__))

N, C, H, W = 1, 3, 4, 5
x = (np.arange(N * C * H * W, dtype=np.float32) * 0.5 - 7).reshape(N, C, H, W)

nodes = [
    # shape chain: [N, -1] computed from x's shape
    helper.make_node("Shape", ["x"], ["s"]),
    helper.make_node("Constant", [], ["zero"], value_int=0),
    helper.make_node("Gather", ["s", "zero"], ["n"], axis=0),
    helper.make_node("Unsqueeze", ["n", "ax0"], ["n1"]),
    helper.make_node("Constant", [], ["minus1f"], value_floats=[-1.0]),
    helper.make_node("Cast", ["minus1f"], ["minus1"], to=TensorProto.INT64),
    helper.make_node("Concat", ["n1", "minus1"], ["newshape"], axis=0),
    helper.make_node("ConstantOfShape", ["ones_shape"], ["bias"],
                     value=numpy_helper.from_array(np.array([0.25], np.float32))),
    # run-time chain
    helper.make_node("Transpose", ["x"], ["t"], perm=[0, 2, 3, 1]),          # 1x4x5x3
    helper.make_node("Pad", ["t", "pads"], ["p"], mode="reflect"),           # 1x6x7x3
    helper.make_node("Slice", ["p", "st", "en", "axs", "stp"], ["sl"]),      # 1x6x3x3 (W reversed, every other column)
    helper.make_node("Split", ["sl", "splits"], ["a", "b"], axis=2),         # 1x6x1x3, 1x6x2x3
    helper.make_node("Concat", ["b", "a", "bias"], ["c"], axis=2),           # 1x6x4x3
    helper.make_node("Gather", ["c", "idx"], ["g"], axis=1),                 # 1x2x2x4x3
    helper.make_node("Reshape", ["g", "newshape"], ["r"]),                   # 1x48
    helper.make_node("Dropout", ["r"], ["y"]),
]
inits = [
    numpy_helper.from_array(np.array([0], np.int64), "ax0"),
    numpy_helper.from_array(np.array([1, 6, 1, 3], np.int64), "ones_shape"),
    numpy_helper.from_array(np.array([0, 1, 1, 0, 0, 1, 1, 0], np.int64), "pads"),
    numpy_helper.from_array(np.array([-2, -100], np.int64), "st"),
    numpy_helper.from_array(np.array([0, 100], np.int64), "en"),
    numpy_helper.from_array(np.array([2, 1], np.int64), "axs"),
    numpy_helper.from_array(np.array([-2, 1], np.int64), "stp"),
    numpy_helper.from_array(np.array([1, 2], np.int64), "splits"),
    numpy_helper.from_array(np.array([[5, 0], [-1, 2]], np.int64), "idx"),
]
graph = helper.make_graph(
    nodes, "shapeops",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", C, H, W])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 48])],
    inits)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                          producer_name="edge-testdata")
onnx.checker.check_model(model)

t = x.transpose(0, 2, 3, 1)
p = np.pad(t, [(0, 0), (1, 1), (1, 1), (0, 0)], mode="reflect")
sl = p[:, -100:100, -2::-2, :]
a, b = sl[:, :, :1], sl[:, :, 1:]
bias = np.full((1, 6, 1, 3), 0.25, np.float32)
c = np.concatenate([b, a, bias], axis=2)
g = np.take(c, np.array([[5, 0], [-1, 2]]), axis=1)
y = g.reshape(N, -1)

onnx.save(model, os.path.join(here, "model.onnx"))
with open(os.path.join(here, "input.pb"), "wb") as f:
    f.write(numpy_helper.from_array(x, "x").SerializeToString())
with open(os.path.join(here, "output.pb"), "wb") as f:
    f.write(numpy_helper.from_array(y.astype(np.float32), "y").SerializeToString())
