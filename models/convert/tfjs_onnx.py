#!/usr/bin/python3
"""Convert a TensorFlow.js graph model (model.json + weight shards) to ONNX.

edge's own converter for the pretrained networks it imports (see
models/convert/README.md). It handles the operators of MobileNet-style
TFJS graphs — Conv2D, DepthwiseConv2dNative, the batch-normalisation
Add/Mul that TFJS leaves after them, Relu, the Relu6 pattern
(Relu → Minimum → Maximum), Mean over the spatial axes — and those of
small Keras classifiers: _FusedConv2D and _FusedMatMul (BiasAdd, with or
without Relu), MaxPool, the Reshape of Flatten, per-channel Mul and
Add/AddV2 that follow no convolution, Sigmoid, Softmax and Identity. It
refuses anything else with an error naming the node, so that a file it
writes is either a faithful translation or nothing.

The graph is written NCHW (edge's and ONNX's layout): TensorFlow's NHWC
weights are transposed (HWIO → OIHW; depthwise HWCM → (C·M)1HW with
group = C), TensorFlow's "SAME" padding becomes explicit, asymmetric pads
where TensorFlow puts the odd pixel at the end, the per-channel Mul after a
depthwise convolution is folded into its filter and the per-channel Add
after a convolution into its bias. The output is L2-normalised
(LpNormalization) so that distances between embeddings lie in [0, 2];
with --raw-output NAME it is the node's value as it is (a classifier's
scores), named NAME. A Flatten of an NHWC activation orders its values
(h, w, c) in TensorFlow and (c, h, w) here: the rows of the dense layer
that reads it are permuted to match, so that no Transpose is needed.

Weights that TFJS stores as float16 stay float16 initialisers (each with a
Cast to float) when they reach the graph unchanged; folded ones are
float32. edge widens float16 at load and computes in float32.

The output is deterministic: the same package gives the same bytes.
"""

import argparse
import base64
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

import onnxfile  # beside this file

OPSET = 13
IR_VERSION = 7


ConvertError = onnxfile.ConvertError


def load_weights(model_dir, manifest):
    """The weight arrays of a TFJS weightsManifest, by name.

    float16-quantised weights come back as float16 arrays (their exact
    stored values); others in their declared dtype.
    """
    def decode(w):
        q = w.get("quantization")
        if q is not None:
            if q.get("dtype") != "float16" or w["dtype"] != "float32":
                raise ConvertError(f"weight {w['name']}: quantisation {q} is not supported")
            return np.dtype("<f2"), None
        dt = {"float32": np.dtype("<f4"), "int32": np.dtype("<i4")}.get(w["dtype"])
        if dt is None:
            raise ConvertError(f"weight {w['name']}: dtype {w['dtype']} is not supported")
        return dt, None

    return onnxfile.read_weights(model_dir, manifest, decode)


def attr_ints(node, key):
    a = node.get("attr", {}).get(key)
    if a is None:
        return None
    return [int(i) for i in a.get("list", {}).get("i", [])]


def attr_str(node, key):
    a = node.get("attr", {}).get(key)
    if a is None:
        return None
    return base64.b64decode(a["s"]).decode()


def same_pads(size, k, s, d):
    """TensorFlow's SAME padding of one axis: (before, after)."""
    out = -(-size // s)
    eff = (k - 1) * d + 1
    total = max((out - 1) * s + eff - size, 0)
    return total // 2, total - total // 2


class Converter:
    def __init__(self, model_dir, model_json, output_name, input_name="input", float32=False, raw_output=None):
        self.dir = model_dir
        self.raw_output = raw_output
        self.flat_chw = {}  # TF tensor name -> (C, H, W) of the NCHW activation it flattens
        self.float32 = float32
        self.mj = model_json
        self.nodes = {n["name"]: n for n in model_json["modelTopology"]["node"]}
        self.weights = load_weights(model_dir, model_json["weightsManifest"])
        self.output = output_name
        self.input_name = input_name
        self.onnx_nodes = []
        self.inits = []
        self.init_names = set()
        self.shape = {}  # TF tensor name -> NCHW shape (batch as None)
        self.onnx_name = {}  # TF tensor name -> ONNX value name
        self.consumers = {}
        for n in self.nodes.values():
            for i in n.get("input", []):
                self.consumers.setdefault(self.strip(i), []).append(n["name"])

    @staticmethod
    def strip(name):
        if name.startswith("^"):
            raise ConvertError(f"control dependency {name} is not supported")
        return name.split(":")[0]

    def const(self, name):
        n = self.nodes.get(name)
        if n is None or n["op"] != "Const":
            return None
        if name not in self.weights:
            raise ConvertError(f"constant {name} has no weights")
        return self.weights[name]

    def add_init(self, name, arr):
        """An initialiser; float16 ones get a Cast to float."""
        if name in self.init_names:
            raise ConvertError(f"initialiser {name} twice")
        self.init_names.add(name)
        if arr.dtype == np.float16 and not self.float32:
            t = numpy_helper.from_array(np.ascontiguousarray(arr.astype("<f2")), name + "_f16")
            self.inits.append(t)
            self.onnx_nodes.append(helper.make_node("Cast", [name + "_f16"], [name], name=name + "_cast", to=TensorProto.FLOAT))
        else:
            self.inits.append(numpy_helper.from_array(np.ascontiguousarray(arr.astype("<f4")), name))
        return name

    def only_consumer(self, name, op):
        """The one node that consumes name, if it is an op node."""
        c = self.consumers.get(name, [])
        if len(c) != 1 or self.nodes[c[0]]["op"] != op:
            return None
        return self.nodes[c[0]]

    def per_channel(self, node, x_name):
        """The constant operand of a binary node whose other operand is x_name, as a vector."""
        a, b = (self.strip(i) for i in node["input"])
        other = b if a == x_name else a
        c = self.const(other)
        if c is None:
            return None
        return c

    def convert(self):
        # The nodes the output needs, in dependency order.
        order, seen = [], set()

        def visit(name, stack=()):
            if name in seen:
                return
            if name in stack:
                raise ConvertError(f"cycle through {name}")
            n = self.nodes.get(name)
            if n is None:
                raise ConvertError(f"node {name} is not in the graph")
            for i in n.get("input", []):
                visit(self.strip(i), stack + (name,))
            seen.add(name)
            order.append(name)

        visit(self.output)
        done = set()
        for name in order:
            if name in done:
                continue
            n = self.nodes[name]
            op = n["op"]
            if op == "Const":
                continue
            fn = getattr(self, "op_" + op, None)
            if fn is None:
                raise ConvertError(f"node {name}: operator {op} is not supported")
            done.update(fn(n))
        return self.finish()

    def op_Placeholder(self, n):
        dims = [int(d["size"]) for d in n["attr"]["shape"]["shape"]["dim"]]
        if len(dims) != 4 or any(d <= 0 for d in dims[1:]):
            raise ConvertError(f"input {n['name']}: shape {dims} is not [batch, H, W, C]")
        _, h, w, c = dims
        self.shape[n["name"]] = [None, c, h, w]
        self.onnx_name[n["name"]] = self.input_name
        self.input_shape = [c, h, w]
        return [n["name"]]

    def conv(self, n, depthwise):
        x, wname = (self.strip(i) for i in n["input"])
        w = self.const(wname)
        if w is None:
            raise ConvertError(f"node {n['name']}: the filter is not a constant")
        if attr_str(n, "data_format") not in (None, "NHWC"):
            raise ConvertError(f"node {n['name']}: data_format {attr_str(n, 'data_format')}")
        strides = attr_ints(n, "strides") or [1, 1, 1, 1]
        dil = attr_ints(n, "dilations") or [1, 1, 1, 1]
        if strides[0] != 1 or strides[3] != 1 or dil[0] != 1 or dil[3] != 1:
            raise ConvertError(f"node {n['name']}: strides {strides} dilations {dil}")
        _, cin, h, wd = self.shape[x]
        kh, kw = w.shape[0], w.shape[1]
        if depthwise:
            if w.shape[2] != cin:
                raise ConvertError(f"node {n['name']}: filter {w.shape} on {cin} channels")
            cout = cin * w.shape[3]
            wt = w.transpose(2, 3, 0, 1).reshape(cout, 1, kh, kw)
            group = cin
        else:
            if w.shape[2] != cin:
                raise ConvertError(f"node {n['name']}: filter {w.shape} on {cin} channels")
            cout = w.shape[3]
            wt = w.transpose(3, 2, 0, 1)
            group = 1
        pt, pb, pl, pr = self.pads(n, h, wd, kh, kw, strides, dil)
        oh = (h + pt + pb - ((kh - 1) * dil[1] + 1)) // strides[1] + 1
        ow = (wd + pl + pr - ((kw - 1) * dil[2] + 1)) // strides[2] + 1
        consumed = [n["name"]]
        out = n["name"]
        # Fold a following per-channel Mul (batch normalisation's scale)
        # into the filter, and a following per-channel Add into the bias.
        bias = None
        m = self.only_consumer(out, "Mul")
        if m is not None:
            s = self.per_channel(m, out)
            if s is not None and s.size == cout:
                wt = wt.astype(np.float32) * s.astype(np.float32).reshape(cout, 1, 1, 1)
                consumed.append(m["name"])
                out = m["name"]
        a = self.only_consumer(out, "Add") or self.only_consumer(out, "BiasAdd")
        if a is not None:
            b = self.per_channel(a, out)
            if b is not None and b.size == cout:
                bias = b.reshape(cout)
                consumed.append(a["name"])
                out = a["name"]
        base = n["name"].replace("/", "_")
        ins = [self.onnx_name[x], self.add_init(base + "_w", wt)]
        if bias is not None:
            ins.append(self.add_init(base + "_b", bias.astype(np.float32)))
        y = base + "_y"
        self.onnx_nodes.append(helper.make_node(
            "Conv", ins, [y], name=base,
            kernel_shape=[kh, kw], strides=[strides[1], strides[2]],
            dilations=[dil[1], dil[2]], pads=[pt, pl, pb, pr], group=group))
        self.shape[out] = [None, cout, oh, ow]
        self.onnx_name[out] = y
        return consumed

    def op_Conv2D(self, n):
        return self.conv(n, depthwise=False)

    def op_DepthwiseConv2dNative(self, n):
        return self.conv(n, depthwise=True)

    def scalar(self, node, x_name):
        c = self.per_channel(node, x_name)
        if c is None or c.size != 1:
            return None
        return float(np.asarray(c, dtype=np.float32).reshape(()))

    def op_Relu(self, n):
        x = self.strip(n["input"][0])
        lo, hi = 0.0, None
        consumed, out = [n["name"]], n["name"]
        # Relu6 as TFJS writes it: Relu → Minimum(6) → Maximum(0).
        mn = self.only_consumer(out, "Minimum")
        if mn is not None and self.scalar(mn, out) is not None:
            hi = self.scalar(mn, out)
            consumed.append(mn["name"])
            out = mn["name"]
            mx = self.only_consumer(out, "Maximum")
            if mx is not None and self.scalar(mx, out) is not None and self.scalar(mx, out) <= hi:
                lo = max(lo, self.scalar(mx, out))
                consumed.append(mx["name"])
                out = mx["name"]
        base = n["name"].replace("/", "_")
        y = base + "_y"
        if hi is None:
            self.onnx_nodes.append(helper.make_node("Relu", [self.onnx_name[x]], [y], name=base))
        else:
            ins = [self.onnx_name[x],
                   self.add_init(base + "_min", np.array(lo, np.float32)),
                   self.add_init(base + "_max", np.array(hi, np.float32))]
            self.onnx_nodes.append(helper.make_node("Clip", ins, [y], name=base))
        self.shape[out] = self.shape[x]
        self.onnx_name[out] = y
        return consumed

    def op_Mean(self, n):
        x, axes_name = (self.strip(i) for i in n["input"])
        axes = self.const(axes_name)
        keep = n.get("attr", {}).get("keep_dims", {}).get("b", False)
        if axes is None or sorted(int(a) for a in axes.reshape(-1)) != [1, 2] or keep:
            raise ConvertError(f"node {n['name']}: only a Mean over the spatial axes without keep_dims is supported")
        base = n["name"].replace("/", "_")
        self.onnx_nodes.append(helper.make_node("GlobalAveragePool", [self.onnx_name[x]], [base + "_pool"], name=base))
        self.onnx_nodes.append(helper.make_node("Flatten", [base + "_pool"], [base + "_y"], name=base + "_flatten", axis=1))
        c = self.shape[x][1]
        self.shape[n["name"]] = [None, c]
        self.onnx_name[n["name"]] = base + "_y"
        return [n["name"]]

    def fused_args(self, n):
        """Whether a _FusedConv2D or _FusedMatMul ends in a Relu: its fused
        operations must be a BiasAdd of its one extra argument, and
        optionally a Relu after it."""
        a = n.get("attr", {})
        ops = [base64.b64decode(o).decode() for o in a.get("fused_ops", {}).get("list", {}).get("s", [])]
        if ops not in (["BiasAdd"], ["BiasAdd", "Relu"]) or int(a.get("num_args", {}).get("i", 0)) != 1 or len(n["input"]) != 3:
            raise ConvertError(f"node {n['name']}: fused operations {ops} are not supported")
        return ops == ["BiasAdd", "Relu"]

    def relu_after(self, base, y):
        """A Relu node on ONNX value y; its output's name."""
        self.onnx_nodes.append(helper.make_node("Relu", [y], [base + "_relu"], name=base + "_relu"))
        return base + "_relu"

    def op__FusedConv2D(self, n):
        relu = self.fused_args(n)
        x, wname, bname = (self.strip(i) for i in n["input"])
        w, b = self.const(wname), self.const(bname)
        if w is None or b is None:
            raise ConvertError(f"node {n['name']}: the filter or bias is not a constant")
        if attr_str(n, "data_format") not in (None, "NHWC"):
            raise ConvertError(f"node {n['name']}: data_format {attr_str(n, 'data_format')}")
        strides = attr_ints(n, "strides") or [1, 1, 1, 1]
        dil = attr_ints(n, "dilations") or [1, 1, 1, 1]
        if strides[0] != 1 or strides[3] != 1 or dil[0] != 1 or dil[3] != 1:
            raise ConvertError(f"node {n['name']}: strides {strides} dilations {dil}")
        _, cin, h, wd = self.shape[x]
        kh, kw, wcin, cout = w.shape
        if wcin != cin or b.shape != (cout,):
            raise ConvertError(f"node {n['name']}: filter {w.shape}, bias {b.shape} on {cin} channels")
        pt, pb, pl, pr = self.pads(n, h, wd, kh, kw, strides, dil)
        base = n["name"].replace("/", "_")
        y = base + "_y"
        self.onnx_nodes.append(helper.make_node(
            "Conv", [self.onnx_name[x], self.add_init(base + "_w", w.transpose(3, 2, 0, 1)), self.add_init(base + "_b", b)],
            [y], name=base, kernel_shape=[kh, kw], strides=[strides[1], strides[2]],
            dilations=[dil[1], dil[2]], pads=[pt, pl, pb, pr], group=1))
        oh = (h + pt + pb - ((kh - 1) * dil[1] + 1)) // strides[1] + 1
        ow = (wd + pl + pr - ((kw - 1) * dil[2] + 1)) // strides[2] + 1
        self.shape[n["name"]] = [None, cout, oh, ow]
        self.onnx_name[n["name"]] = self.relu_after(base, y) if relu else y
        return [n["name"]]

    @staticmethod
    def pads(n, h, w, kh, kw, strides, dil):
        """TensorFlow's padding of node n as ONNX's (top, bottom, left, right)."""
        pad = attr_str(n, "padding")
        if pad == "SAME":
            return same_pads(h, kh, strides[1], dil[1]) + same_pads(w, kw, strides[2], dil[2])
        if pad == "VALID":
            return 0, 0, 0, 0
        raise ConvertError(f"node {n['name']}: padding {pad} is not supported")

    def op_MaxPool(self, n):
        x = self.strip(n["input"][0])
        if attr_str(n, "data_format") not in (None, "NHWC"):
            raise ConvertError(f"node {n['name']}: data_format {attr_str(n, 'data_format')}")
        k, st = attr_ints(n, "ksize"), attr_ints(n, "strides")
        if len(k) != 4 or len(st) != 4 or k[0] != 1 or k[3] != 1 or st[0] != 1 or st[3] != 1:
            raise ConvertError(f"node {n['name']}: ksize {k} strides {st}")
        _, c, h, w = self.shape[x]
        pt, pb, pl, pr = self.pads(n, h, w, k[1], k[2], st, [1, 1, 1, 1])
        base = n["name"].replace("/", "_")
        # ONNX's pads, like TensorFlow's SAME, take no part in the maximum.
        self.onnx_nodes.append(helper.make_node(
            "MaxPool", [self.onnx_name[x]], [base + "_y"], name=base,
            kernel_shape=[k[1], k[2]], strides=[st[1], st[2]], pads=[pt, pl, pb, pr]))
        self.shape[n["name"]] = [None, c, (h + pt + pb - k[1]) // st[1] + 1, (w + pl + pr - k[2]) // st[2] + 1]
        self.onnx_name[n["name"]] = base + "_y"
        return [n["name"]]

    def op_Reshape(self, n):
        x, sname = (self.strip(i) for i in n["input"])
        shape = self.const(sname)
        dims = self.shape[x]
        if shape is None or len(dims) != 4:
            raise ConvertError(f"node {n['name']}: only the Flatten of a [batch, H, W, C] activation is supported")
        _, c, h, w = dims
        if [int(d) for d in shape.reshape(-1)] not in ([-1, c * h * w], [1, c * h * w]):
            raise ConvertError(f"node {n['name']}: shape {shape.tolist()} is not the Flatten of {dims}")
        base = n["name"].replace("/", "_")
        self.onnx_nodes.append(helper.make_node("Flatten", [self.onnx_name[x]], [base + "_y"], name=base, axis=1))
        self.shape[n["name"]] = [None, c * h * w]
        self.onnx_name[n["name"]] = base + "_y"
        if h * w > 1 and c > 1:
            self.flat_chw[n["name"]] = (c, h, w)
        return [n["name"]]

    def op__FusedMatMul(self, n):
        relu = self.fused_args(n)
        a = n.get("attr", {})
        if a.get("transpose_a", {}).get("b", False) or a.get("transpose_b", {}).get("b", False):
            raise ConvertError(f"node {n['name']}: a transposed operand is not supported")
        x, wname, bname = (self.strip(i) for i in n["input"])
        w, b = self.const(wname), self.const(bname)
        dims = self.shape.get(x)
        if w is None or b is None or dims is None or len(dims) != 2 or w.ndim != 2 or w.shape[0] != dims[1] or b.shape != (w.shape[1],):
            raise ConvertError(f"node {n['name']}: weights {None if w is None else w.shape} on {dims}")
        if x in self.flat_chw:
            # TensorFlow's row (h·W + w)·C + c is our row c·H·W + h·W + w.
            c, h, wd = self.flat_chw[x]
            w = w.reshape(h, wd, c, -1).transpose(2, 0, 1, 3).reshape(c * h * wd, -1)
        base = n["name"].replace("/", "_")
        y = base + "_y"
        self.onnx_nodes.append(helper.make_node(
            "Gemm", [self.onnx_name[x], self.add_init(base + "_w", w), self.add_init(base + "_b", b)], [y], name=base))
        self.shape[n["name"]] = [None, w.shape[1]]
        self.onnx_name[n["name"]] = self.relu_after(base, y) if relu else y
        return [n["name"]]

    def binary_const(self, n, op):
        """A Mul or Add of an activation by a per-channel constant (one that
        no convolution before it absorbed)."""
        a, b = (self.strip(i) for i in n["input"])
        x = a if a in self.shape else b
        c = self.per_channel(n, x)
        dims = self.shape.get(x)
        if c is None or dims is None or c.size not in (1, dims[1]):
            raise ConvertError(f"node {n['name']}: only an activation {op} a per-channel constant is supported")
        shape = [c.size] + [1] * (len(dims) - 2)  # channels first
        base = n["name"].replace("/", "_")
        k = self.add_init(base + "_k", c.reshape(shape))
        self.onnx_nodes.append(helper.make_node(op, [self.onnx_name[x], k], [base + "_y"], name=base))
        self.shape[n["name"]] = dims
        self.onnx_name[n["name"]] = base + "_y"
        return [n["name"]]

    def op_Mul(self, n):
        return self.binary_const(n, "Mul")

    def op_Add(self, n):
        return self.binary_const(n, "Add")

    op_AddV2 = op_Add

    def unary(self, n, op, **attrs):
        x = self.strip(n["input"][0])
        base = n["name"].replace("/", "_")
        self.onnx_nodes.append(helper.make_node(op, [self.onnx_name[x]], [base + "_y"], name=base, **attrs))
        self.shape[n["name"]] = self.shape[x]
        self.onnx_name[n["name"]] = base + "_y"
        return [n["name"]]

    def op_Sigmoid(self, n):
        return self.unary(n, "Sigmoid")

    def op_Softmax(self, n):
        x = self.strip(n["input"][0])
        # TensorFlow's Softmax is over the last axis; with channels first
        # that is the same axis only for [batch, D].
        if len(self.shape[x]) != 2:
            raise ConvertError(f"node {n['name']}: Softmax of {self.shape[x]} is not supported")
        return self.unary(n, "Softmax", axis=1)

    def op_Identity(self, n):
        x = self.strip(n["input"][0])
        self.shape[n["name"]] = self.shape[x]
        self.onnx_name[n["name"]] = self.onnx_name[x]
        return [n["name"]]

    def finish(self):
        last = self.onnx_name[self.output]
        dims = self.shape[self.output]
        if len(dims) != 2:
            raise ConvertError(f"output {self.output}: shape {dims} is not [batch, D]")
        out = "embedding"
        if self.raw_output is None:
            self.onnx_nodes.append(helper.make_node("LpNormalization", [last], ["embedding"], name="l2norm", axis=1, p=2))
            self.embedding_size = dims[1]
        else:
            # The node that computes the output writes it under its name.
            out = self.raw_output
            producer = self.onnx_nodes[-1]
            if list(producer.output) != [last]:
                raise ConvertError(f"output {self.output} is not computed by the last node")
            producer.output[0] = out
        c, h, w = self.input_shape
        graph = helper.make_graph(
            self.onnx_nodes, out,
            [helper.make_tensor_value_info(self.input_name, TensorProto.FLOAT, ["batch", c, h, w])],
            [helper.make_tensor_value_info(out, TensorProto.FLOAT, ["batch", dims[1]])],
            initializer=self.inits)
        return graph


def build(model_dir, output_node, meta, doc, float32=False, raw_output=None):
    with open(os.path.join(model_dir, os.path.basename(meta.pop("_json")))) as f:
        mj = json.load(f)
    conv = Converter(model_dir, mj, output_node, float32=float32, raw_output=raw_output)
    graph = conv.convert()
    c, h, w = conv.input_shape
    meta.setdefault("edge.input_channels", str(c))
    meta.setdefault("edge.input_height", str(h))
    meta.setdefault("edge.input_width", str(w))
    if raw_output is None:
        meta.setdefault("edge.embedding_size", str(conv.embedding_size))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="edge models/convert/tfjs_onnx.py", producer_version="1",
                              doc_string=doc)
    model.ir_version = IR_VERSION
    for k in sorted(meta):
        p = model.metadata_props.add()
        p.key, p.value = k, meta[k]
    onnx.checker.check_model(model)
    return model


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model-json", required=True, help="the TFJS model.json (weight shards beside it)")
    ap.add_argument("--output-node", required=True, help="the graph node whose value is the embedding")
    ap.add_argument("--meta", action="append", default=[], help="KEY=VALUE metadata_props entry (repeatable)")
    ap.add_argument("--meta-file", help="a file of KEY=VALUE lines ('#' starts a comment line)")
    ap.add_argument("--doc", default="", help="the model's doc_string")
    ap.add_argument("--float32", action="store_true", help="store every weight as float32 (twice the size)")
    ap.add_argument("--raw-output", metavar="NAME",
                    help="output the node's value as it is, named NAME, instead of its L2 normalisation named embedding")
    ap.add_argument("--out", required=True, help="the ONNX file to write")
    a = ap.parse_args(argv)
    lines = list(a.meta)
    if a.meta_file:
        with open(a.meta_file, encoding="utf-8") as f:
            lines = [ln.strip() for ln in f if ln.strip() and not ln.lstrip().startswith("#")] + lines
    meta = onnxfile.parse_meta(ap, lines)
    meta["_json"] = a.model_json
    try:
        model = build(os.path.dirname(os.path.abspath(a.model_json)), a.output_node, meta, a.doc, a.float32, a.raw_output)
    except ConvertError as e:
        print(f"tfjs_onnx: {e}", file=sys.stderr)
        return 2
    onnxfile.write_model(model, a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
