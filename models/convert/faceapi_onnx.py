#!/usr/bin/python3
"""Convert face-api's face recognition weights (dlib's ResNet) to ONNX.

@vladmandic/face-api ships Davis King's dlib face recognition network
(dlib_face_recognition_resnet_model_v1, released by its author into the
public domain) as TensorFlow.js *weights only*: a weights manifest and one
shard, most tensors uint8-quantised (value = q·scale + min), the rest
float32. The network's structure is not in the files; face-api builds it
in code. This script builds the same network as an ONNX opset-13 graph,
NCHW, from the published architecture:

    input [N,3,150,150], RGB, pixel/255
    Sub  per-channel mean (122.782, 117.001, 104.298)/255
    conv 7×7/2 valid, 32 → ReLU → max-pool 3×3/2 valid        72 → 35
    3 residual blocks of 32                                      35
    down to 64, 3 residual blocks of 64                          17
    down to 128, 2 residual blocks of 128                        8
    down to 256, 2 residual blocks of 256                        4
    down to 256 (the last "down_out")                            2 (padded)
    global average → MatMul 256×128 → embedding [N,128]

A residual block is conv3×3 (same) → ReLU → conv3×3 (same) → + input →
ReLU. A "down" block is conv3×3/2 valid → ReLU → conv3×3 (same), added to
a 2×2/2 average pool of its input whose missing channels are zeros; where
the strided convolution's output is one row and column smaller than the
pool's (8 → 3 against 4, 4 → 1 against 2), it is padded with a row and a
column of zeros at the bottom and right before the sum, as dlib's add_prev
does. Every convolution carries a bias and a per-channel affine "scale"
layer (dlib's affine in place of batch normalisation); both are folded into
the convolution's filter and bias here.

face-api feeds (pixel − mean)/255 (its src/ops/normalize.ts and
src/faceRecognitionNet/FaceRecognitionNet.ts). edge's metadata has one mean
for all channels, so the file says pixel_mean 0 and pixel_std 1 (the input
is pixel/255) and the graph subtracts the per-channel means itself.

face-api does not L2-normalise the descriptor; dlib compares descriptors as
they are, at Euclidean distance 0.6. --l2 adds an LpNormalization at the
output (and sets edge.normalized=1) for comparison; it did not help (att-faces
in camera-like frames: EER 0.97% against 0.82% without), so the default
leaves the descriptor as dlib made it.

The default metadata crops as dlib does: the face aligned on the eyes at
the geometry of dlib's 150×150 face chip with 0.25 padding (see META).

The output is deterministic: the same package gives the same bytes.

    /usr/bin/python3 models/convert/faceapi_onnx.py \\
        --manifest DIR/model/face_recognition_model-weights_manifest.json \\
        --out models/.work/faceapi/dlib.onnx [--meta KEY=VALUE ...] [--l2]
"""

import argparse
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

import onnxfile  # beside this file

OPSET = 13
IR_VERSION = 7
SIZE = 150
MEAN_RGB = (122.782, 117.001, 104.298)  # face-api's, on the 0..255 scale

# The blocks in order: (name, kind, channels out).
BLOCKS = (
    [("conv32_1", "res", 32), ("conv32_2", "res", 32), ("conv32_3", "res", 32),
     ("conv64_down", "down", 64), ("conv64_1", "res", 64), ("conv64_2", "res", 64), ("conv64_3", "res", 64),
     ("conv128_down", "down", 128), ("conv128_1", "res", 128), ("conv128_2", "res", 128),
     ("conv256_down", "down", 256), ("conv256_1", "res", 256), ("conv256_2", "res", 256),
     ("conv256_down_out", "down", 256)])

META = {
    "edge.name": "dlib",
    "edge.version": "1",
    "edge.input_channels": "3",
    "edge.input_height": str(SIZE),
    "edge.input_width": str(SIZE),
    "edge.pixel_mean": "0",
    "edge.pixel_std": "1",
    "edge.invert": "0",
    "edge.crop": "face",
    # dlib's face chip: get_face_chip_details(shape, 150, 0.25) maps its
    # 5-point mean face (eye centres at x 0.227 and 0.753, y 0.221) into
    # the chip with 0.25 padding each side: (p + 0.25)/1.5 puts the eyes
    # 0.350 of the width apart on the row 0.314 of the height.
    "edge.crop_margin": "0.25",
    "edge.align": "eyes",
    "edge.eye_distance": "0.35",
    "edge.eye_row": "0.314",
    "edge.roi": "0,0,1,1",
    "edge.resize": "bilinear",
    "edge.embedding_size": "128",
    "edge.normalized": "0",
    # dlib's loss_metric: pairs closer than 0.6 are "same", with a margin
    # of 0.04 either side; 0.6 is the distance dlib's examples use. It is
    # NOT calibrated for edge: on att-faces in camera-like frames it accepts
    # 119 of 269 strangers (0.5: 2 of 269, naming 264 of 269 people).
    "edge.margin": "0.6",
    "edge.threshold": "0.6",
    "edge.threshold_far": "0.001",
    "edge.trained_on": ("about 3 million faces of 7485 identities (FaceScrub, VGG and web images; "
                        "dlib_face_recognition_resnet_model_v1 by Davis King, public domain), "
                        "imported from @vladmandic/face-api 1.7.15; never saw att-faces"),
}


ConvertError = onnxfile.ConvertError


def load_weights(manifest_path):
    """The manifest's weights by name, dequantised to float32."""
    with open(manifest_path) as fh:
        manifest = json.load(fh)

    def decode(w):
        if w["dtype"] != "float32":
            raise ConvertError(f"weight {w['name']}: dtype {w['dtype']} is not supported")
        q = w.get("quantization")
        if q is None:
            return np.dtype("<f4"), lambda a: a.astype(np.float32)
        if q.get("dtype") == "uint8":
            # TFJS's decodeWeights: q*scale + min in float64, stored as float32.
            scale, lo = float(q["scale"]), float(q["min"])
            return np.dtype(np.uint8), lambda a: (a.astype(np.float64) * scale + lo).astype(np.float32)
        raise ConvertError(f"weight {w['name']}: quantisation {q} is not supported")

    return onnxfile.read_weights(os.path.dirname(os.path.abspath(manifest_path)), manifest, decode)


class Builder:
    def __init__(self, weights):
        self.w = weights
        self.used = set()
        self.nodes = []
        self.inits = []

    def weight(self, name):
        if name not in self.w:
            raise ConvertError(f"weight {name} is not in the manifest")
        self.used.add(name)
        return self.w[name]

    def init(self, name, arr):
        self.inits.append(numpy_helper.from_array(np.ascontiguousarray(arr), name))
        return name

    def node(self, op, ins, name, **attrs):
        y = name + "_y"
        self.nodes.append(helper.make_node(op, ins, [y], name=name, **attrs))
        return y

    def conv(self, x, layer, stride, same, relu):
        """conv → + bias → · scale + shift (→ ReLU), folded into one Conv."""
        f = self.weight(layer + "/conv/filters").astype(np.float64)  # HWIO
        b = self.weight(layer + "/conv/bias").astype(np.float64)
        s = self.weight(layer + "/scale/weights").astype(np.float64)
        t = self.weight(layer + "/scale/biases").astype(np.float64)
        k, cout = f.shape[0], f.shape[3]
        wt = (f.transpose(3, 2, 0, 1) * s.reshape(cout, 1, 1, 1)).astype(np.float32)
        bias = (b * s + t).astype(np.float32)
        base = layer.replace("/", "_")
        # Stride 1 with an odd kernel: TensorFlow's SAME pads (k-1)/2 each side.
        p = (k - 1) // 2 if same else 0
        if same and stride != 1:
            raise ConvertError(f"{layer}: SAME padding with stride {stride}")
        y = self.node("Conv", [x, self.init(base + "_w", wt), self.init(base + "_b", bias)], base,
                      kernel_shape=[k, k], strides=[stride, stride], pads=[p, p, p, p])
        if relu:
            y = self.node("Relu", [y], base + "_relu")
        return y, cout

    def residual(self, x, name, cin, size):
        y, c = self.conv(x, name + "/conv1", 1, True, True)
        y, c = self.conv(y, name + "/conv2", 1, True, False)
        if c != cin:
            raise ConvertError(f"{name}: {c} channels added to {cin}")
        y = self.node("Add", [y, x], name + "_add")
        return self.node("Relu", [y], name + "_relu"), c, size

    def down(self, x, name, cin, size):
        y, c = self.conv(x, name + "/conv1", 2, False, True)
        y, c = self.conv(y, name + "/conv2", 1, True, False)
        out = (size - 3) // 2 + 1
        pooled = size // 2
        if out != pooled:
            if out + 1 != pooled:
                raise ConvertError(f"{name}: convolution gives {out}, the pool {pooled}")
            y = self.node("Pad", [y, self.init(name + "_pads", np.array([0, 0, 0, 0, 0, 0, 1, 1], np.int64))],
                          name + "_pad", mode="constant")
        p = self.node("AveragePool", [x], name + "_pool", kernel_shape=[2, 2], strides=[2, 2])
        if c != cin:
            p = self.node("Pad", [p, self.init(name + "_cpads", np.array([0, 0, 0, 0, 0, c - cin, 0, 0], np.int64))],
                          name + "_cpad", mode="constant")
        y = self.node("Add", [y, p], name + "_add")
        return self.node("Relu", [y], name + "_relu"), c, pooled


def build(weights, meta, l2=False):
    b = Builder(weights)
    mean = (np.array(MEAN_RGB, np.float64) / 255).astype(np.float32).reshape(1, 3, 1, 1)
    x = b.node("Sub", ["input", b.init("mean_rgb", mean)], "mean")
    x, c = b.conv(x, "conv32_down", 2, False, True)
    size = (SIZE - 7) // 2 + 1
    x = b.node("MaxPool", [x], "maxpool", kernel_shape=[3, 3], strides=[2, 2])
    size = (size - 3) // 2 + 1
    for name, kind, _ in BLOCKS:
        x, c, size = (b.residual if kind == "res" else b.down)(x, name, c, size)
    x = b.node("GlobalAveragePool", [x], "avg")
    x = b.node("Flatten", [x], "flatten", axis=1)
    fc = b.weight("fc")
    if fc.shape != (c, 128):
        raise ConvertError(f"fc {fc.shape} after {c} channels")
    if l2:
        x = b.node("MatMul", [x, b.init("fc", fc)], "fc")
        b.nodes.append(helper.make_node("LpNormalization", [x], ["embedding"], name="l2norm", axis=1, p=2))
    else:
        b.nodes.append(helper.make_node("MatMul", [x, b.init("fc", fc)], ["embedding"], name="fc"))
    unused = sorted(set(weights) - b.used)
    if unused:
        raise ConvertError(f"weights not used: {unused}")
    graph = helper.make_graph(
        b.nodes, "embedding",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 3, SIZE, SIZE])],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", 128])],
        initializer=b.inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="edge models/convert/faceapi_onnx.py", producer_version="1",
                              doc_string="dlib_face_recognition_resnet_model_v1 (Davis King, public domain), "
                                         "from @vladmandic/face-api 1.7.15 face_recognition_model")
    model.ir_version = IR_VERSION
    for k in sorted(meta):
        p = model.metadata_props.add()
        p.key, p.value = k, meta[k]
    onnx.checker.check_model(model)
    return model


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--manifest", required=True, help="face_recognition_model-weights_manifest.json (shard beside it)")
    ap.add_argument("--meta", action="append", default=[], help="KEY=VALUE overriding a metadata_props entry (repeatable)")
    ap.add_argument("--l2", action="store_true", help="L2-normalise the output (edge.normalized=1)")
    ap.add_argument("--out", required=True, help="the ONNX file to write")
    a = ap.parse_args(argv)
    meta = dict(META)
    if a.l2:
        meta["edge.normalized"] = "1"
    onnxfile.parse_meta(ap, a.meta, meta)
    try:
        model = build(load_weights(a.manifest), meta, a.l2)
    except ConvertError as e:
        print(f"faceapi_onnx: {e}", file=sys.stderr)
        return 2
    onnxfile.write_model(model, a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
