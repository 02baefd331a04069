#!/usr/bin/python3
"""Generate PyTorch parity cases for the edge inference engine.

For each case NAME this writes, into OUTDIR (argv[1], default ./out beside
this script):

    NAME.onnx      the model exported by torch.onnx.export, opset 13
    NAME.in.npy    the float32 input
    NAME.out.npy   PyTorch's float32 output for that input, model in eval mode

plus extra input/output pairs for the dynamic-batch exports
(seed_branch_dynamic_b3.*, resnet18_dynamic_b2.*), and manifest.json listing
every pair with the op types its graph contains.

Run with the Debian interpreter, which has torch 1.13, torchvision 0.14,
onnx 1.12 and numpy:

    /usr/bin/python3 infer/testdata/parity/gen.py [OUTDIR]

Everything is deterministic: each model's weights and each input come from
a generator seeded with a CRC of a fixed key, and PyTorch runs on one thread.
BatchNorm running statistics and affine parameters are randomised so that a
wrong BN fold shows up in the outputs.

Export settings vary on purpose, so the engine sees the raw patterns it has
to fold:
  - training=EVAL (torch's default) lets the exporter fuse Conv+BatchNorm;
    training=PRESERVE on a model in eval mode keeps BatchNormalization nodes
    (in inference form) in the graph.
  - do_constant_folding=False keeps Shape/Gather/Unsqueeze/Concat chains and
    Constant nodes that folding would otherwise turn into initializers.
"""

import hashlib
import json
import os
import sys
import time
import warnings
import zlib

import numpy as np
import onnx
import onnx.numpy_helper
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

OPSET = 13
# Parity is judged relative to the output's scale: |got - want| <= RTOL_SCALE
# * max|want| elementwise. atol_hint in the manifest is that product.
RTOL_SCALE = 1e-4

# The Siamese-network tutorial branch uses 100x100 inputs and 500-wide
# Linear layers: 8*100*100*500 weights is 80 MB. Scaled down so the
# committed-size budget holds; the op pattern is the same.
SEED_HW = 16
SEED_HIDDEN = 50

EVAL = torch.onnx.TrainingMode.EVAL
PRESERVE = torch.onnx.TrainingMode.PRESERVE


def generator(key):
    """A torch generator seeded from a stable hash of key."""
    g = torch.Generator()
    g.manual_seed(zlib.crc32(key.encode()))
    return g


def seed(key):
    """Seed the global RNG (used by nn.Module init) from key."""
    torch.manual_seed(zlib.crc32(key.encode()))


def randomise_bn(model, key):
    """Give every BatchNorm non-trivial running stats and affine params."""
    g = generator(key + "/bn")
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                c = m.num_features
                m.running_mean.copy_(torch.randn(c, generator=g) * 0.3)
                m.running_var.copy_(torch.rand(c, generator=g) * 1.5 + 0.5)
                m.weight.copy_(torch.rand(c, generator=g) + 0.5)
                m.bias.copy_(torch.randn(c, generator=g) * 0.3)
    return model


# ---------------------------------------------------------------- models


class SeedBranch(nn.Module):
    """One twin of the classic Siamese-network tutorial (scaled down)."""

    def __init__(self):
        super().__init__()
        self.cnn = nn.Sequential(
            nn.ReflectionPad2d(1), nn.Conv2d(1, 4, 3), nn.ReLU(inplace=True), nn.BatchNorm2d(4),
            nn.ReflectionPad2d(1), nn.Conv2d(4, 8, 3), nn.ReLU(inplace=True), nn.BatchNorm2d(8),
            nn.ReflectionPad2d(1), nn.Conv2d(8, 8, 3), nn.ReLU(inplace=True), nn.BatchNorm2d(8),
        )
        self.fc = nn.Sequential(
            nn.Linear(8 * SEED_HW * SEED_HW, SEED_HIDDEN), nn.ReLU(inplace=True),
            nn.Linear(SEED_HIDDEN, SEED_HIDDEN), nn.ReLU(inplace=True),
            nn.Linear(SEED_HIDDEN, 5),
        )

    def forward(self, x):
        x = self.cnn(x)
        x = x.view(x.size(0), -1)
        return self.fc(x)


def cbr(cin, cout):
    return [nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU(), nn.MaxPool2d(2)]


class CBRGap(nn.Module):
    """Conv-BN-ReLU-MaxPool x3, global average pool, Linear, L2 normalise."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(*cbr(1, 8), *cbr(8, 16), *cbr(16, 32))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(32, 16)

    def forward(self, x):
        x = self.pool(self.features(x))
        x = torch.flatten(x, 1)
        return F.normalize(self.fc(x), dim=1)


class ResPReLUDW(nn.Module):
    """Residual depthwise block with PReLU, ceil-mode pools.

    The stem has no padding so 56 -> 27: the ceil-mode AvgPool then sees an
    odd size (27 -> 14, floor would give 13) and the ceil-mode MaxPool gives
    7 where floor mode would give 6.
    """

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, stride=2), nn.BatchNorm2d(16), nn.PReLU(16))
        self.dw = nn.Sequential(
            nn.Conv2d(16, 16, 3, padding=1, groups=16), nn.BatchNorm2d(16), nn.PReLU(16),
            nn.Conv2d(16, 16, 1), nn.BatchNorm2d(16),
        )
        self.proj = nn.Conv2d(16, 32, 1)
        self.act = nn.PReLU()  # one shared slope: broadcasts from shape [1]
        self.avg = nn.AvgPool2d(2, ceil_mode=True)
        self.max = nn.MaxPool2d(3, 2, ceil_mode=True)
        self.fc = nn.Linear(32 * 7 * 7, 10)
        with torch.no_grad():  # PReLU slopes default to 0.25 everywhere
            g = generator("res_prelu_dw/prelu")
            for m in self.modules():
                if isinstance(m, nn.PReLU):
                    m.weight.copy_(torch.rand(m.weight.shape, generator=g) * 0.5)

    def forward(self, x):
        x = self.stem(x)
        x = x + self.dw(x)
        x = self.act(self.proj(x))
        x = self.max(self.avg(x))
        return self.fc(x.flatten(1))


class Acts(nn.Module):
    """Conv, then each activation in turn, then Softmax over channels.

    1x1 convs between activations rescale values so every clipping
    activation really clips on both sides (checked in check_acts_ranges).
    """

    def __init__(self):
        super().__init__()
        self.c0 = nn.Conv2d(3, 8, 3, padding=1)
        self.c1 = nn.Conv2d(8, 8, 1)
        self.c2 = nn.Conv2d(8, 8, 1)
        self.c3 = nn.Conv2d(8, 8, 1)
        self.c4 = nn.Conv2d(8, 8, 1)
        with torch.no_grad():
            self.c0.weight.mul_(4)   # hardswish: below -3, between, above 3
            self.c2.weight.mul_(40)  # relu6: below 0 and above 6
            self.c3.weight.mul_(1.5)   # hardtanh: below -1 and above 1

    def forward(self, x):
        x = F.hardswish(self.c0(x))
        x = torch.sigmoid(self.c1(x))
        x = F.relu6(self.c2(x))
        x = F.hardtanh(self.c3(x))
        return torch.softmax(self.c4(x), dim=1)


def check_acts_ranges(model, x):
    """Assert each activation in Acts sees inputs on both sides of its kinks."""
    m = model
    with torch.no_grad():
        a0 = m.c0(x)
        a1 = m.c1(F.hardswish(a0))
        a2 = m.c2(torch.sigmoid(a1))
        a3 = m.c3(F.relu6(a2))
    for name, t, lo, hi in [("hardswish", a0, -3, 3), ("relu6", a2, 0, 6), ("hardtanh", a3, -1, 1)]:
        below, above = (t < lo).float().mean().item(), (t > hi).float().mean().item()
        inside = 1 - below - above
        assert min(below, above, inside) > 0.01, (name, below, inside, above)
        print(f"    acts: {name:9s} input below/inside/above: {below:.2f}/{inside:.2f}/{above:.2f}")


def tv(name):
    def make():
        return getattr(torchvision.models, name)(weights=None)
    return make


# ----------------------------------------------------------------- cases
# Each case: name, model key (same key = same weights), constructor, input
# shape, do_constant_folding, training mode, dynamic batch, extra batch size
# to save for dynamic models (0 = none).
CASES = [
    ("seed_branch_static", "seed_branch", SeedBranch, (1, 1, SEED_HW, SEED_HW), True, EVAL, False, 0),
    ("seed_branch_dynamic", "seed_branch", SeedBranch, (1, 1, SEED_HW, SEED_HW), False, EVAL, True, 3),
    ("cbr_gap", "cbr_gap", CBRGap, (1, 1, 64, 64), False, PRESERVE, False, 0),
    ("res_prelu_dw", "res_prelu_dw", ResPReLUDW, (1, 3, 56, 56), True, PRESERVE, False, 0),
    ("acts", "acts", Acts, (1, 3, 32, 32), False, EVAL, False, 0),
    # The usual real-world export: defaults, so the exporter fuses Conv+BN.
    ("resnet18", "resnet18", tv("resnet18"), (1, 3, 224, 224), True, EVAL, False, 0),
    ("resnet18_dynamic", "resnet18", tv("resnet18"), (1, 3, 224, 224), False, PRESERVE, True, 2),
    ("mobilenet_v2", "mobilenet_v2", tv("mobilenet_v2"), (1, 3, 224, 224), True, PRESERVE, False, 0),
    ("squeezenet1_1", "squeezenet1_1", tv("squeezenet1_1"), (1, 3, 224, 224), False, EVAL, False, 0),
]

# Cases too large to keep in a repository (kept out by .gitignore anyway).
BIG = {"resnet18", "resnet18_dynamic", "mobilenet_v2", "squeezenet1_1"}


def make_input(key, shape, batch=None):
    """A fixed input; a larger batch starts with the batch-1 input."""
    x = torch.randn(shape, generator=generator(key + "/input"))
    if batch:
        rest = torch.randn((batch - 1,) + tuple(shape[1:]), generator=generator(key + f"/input_b{batch}"))
        x = torch.cat([x, rest])
    return x


def graph_ops(model):
    return sorted({n.op_type for n in model.graph.node})


def opset_of(model):
    return next(o.version for o in model.opset_import if o.domain in ("", "ai.onnx"))


def save_npy(path, t):
    np.save(path, np.ascontiguousarray(t.detach().numpy().astype(np.float32)))


def entry(name, onnx_file, in_file, out_file, m, x, y, case):
    scale = float(np.abs(y.numpy()).max())
    _, _, _, _, fold, training, dynamic, _ = case
    return {
        "name": name,
        "onnx": onnx_file,
        "input": in_file,
        "output": out_file,
        "ops": graph_ops(m),
        "opset": opset_of(m),
        "atol_hint": RTOL_SCALE * scale,
        "output_max_abs": scale,
        "input_shape": list(x.shape),
        "output_shape": list(y.shape),
        "constant_folding": fold,
        # EVAL lets the exporter fuse Conv+BN; BN after ReLU survives anyway.
        "export_training_mode": "EVAL" if training == EVAL else "PRESERVE",
        "batchnorm_nodes": sum(n.op_type == "BatchNormalization" for n in m.graph.node),
        "nodes": len(m.graph.node),
        "dynamic_batch": dynamic,
    }


def run_case(case, outdir):
    name, key, ctor, shape, fold, training, dynamic, extra_batch = case
    seed(key)
    model = ctor()
    randomise_bn(model, key)
    model.eval()
    x = make_input(key, shape)
    with torch.no_grad():
        y = model(x)
    if name == "acts":
        check_acts_ranges(model, x)

    onnx_file = name + ".onnx"
    kwargs = dict(
        opset_version=OPSET,
        do_constant_folding=fold,
        input_names=["input"],
        output_names=["output"],
        training=training,
    )
    if dynamic:
        kwargs["dynamic_axes"] = {"input": {0: "batch"}, "output": {0: "batch"}}
    with warnings.catch_warnings():
        # PRESERVE with a model in eval mode exports inference-form BN;
        # the warning about folding "training-amenable" exports does not apply.
        warnings.filterwarnings("ignore", message="It is recommended that constant folding be turned off")
        torch.onnx.export(model, x, os.path.join(outdir, onnx_file), **kwargs)

    m = onnx.load(os.path.join(outdir, onnx_file))
    onnx.checker.check_model(m)
    assert [i.name for i in m.graph.input] == ["input"], [i.name for i in m.graph.input]
    assert [o.name for o in m.graph.output] == ["output"]
    dim0 = m.graph.input[0].type.tensor_type.shape.dim[0]
    assert (dim0.dim_param == "batch") == dynamic, dim0
    assert opset_of(m) == OPSET, opset_of(m)

    assert torch.isfinite(y).all() and y.std() > 0, name
    save_npy(os.path.join(outdir, name + ".in.npy"), x)
    save_npy(os.path.join(outdir, name + ".out.npy"), y)
    entries = [entry(name, onnx_file, name + ".in.npy", name + ".out.npy", m, x, y, case)]

    if extra_batch:
        xb = make_input(key, shape, extra_batch)
        with torch.no_grad():
            yb = model(xb)
        # Row 0 is the batch-1 input: its output must not depend on the
        # rest of the batch (eval-mode BN uses running stats).
        torch.testing.assert_close(yb[:1], y, rtol=1e-5, atol=1e-5 * float(y.abs().max()))
        bname = f"{name}_b{extra_batch}"
        save_npy(os.path.join(outdir, bname + ".in.npy"), xb)
        save_npy(os.path.join(outdir, bname + ".out.npy"), yb)
        entries.append(entry(bname, onnx_file, bname + ".in.npy", bname + ".out.npy", m, xb, yb, case))
    return entries


# ---------------------------------------------------------------- detector


class Detector(nn.Module):
    """A small one-stage detector with its post-processing: a stride-16
    backbone, a two-level feature pyramid (nearest upsampling, Resize),
    shared class and box heads over two anchors a place, the boxes decoded
    from the anchors to corners (y1, x1, y2, x2), and the 20 best places by
    their best class score (TopK). NonMaxSuppression is appended to the
    exported graph (detector_nms below)."""

    CLASSES, ANCHORS, TOP = 3, 2, 20

    def __init__(self, side):
        super().__init__()
        self.c1 = nn.Conv2d(3, 16, 3, 2, 1)
        self.c2 = nn.Conv2d(16, 32, 3, 2, 1)
        self.c3 = nn.Conv2d(32, 48, 3, 2, 1)
        self.c4 = nn.Conv2d(48, 48, 3, 2, 1)
        self.l3 = nn.Conv2d(48, 32, 1)
        self.l4 = nn.Conv2d(48, 32, 1)
        self.cls = nn.Conv2d(32, self.ANCHORS * self.CLASSES, 3, padding=1)
        self.reg = nn.Conv2d(32, self.ANCHORS * 4, 3, padding=1)
        anchors = []
        for stride in (8, 16):
            n = side // stride
            for y in range(n):
                for x in range(n):
                    for a in range(self.ANCHORS):
                        s = stride * (2 + 2 * a)
                        anchors.append([(x + 0.5) * stride, (y + 0.5) * stride, s, s])
        self.register_buffer("anchors", torch.tensor(anchors, dtype=torch.float32))

    def level(self, f):
        b = f.shape[0]
        c = torch.sigmoid(self.cls(f)).permute(0, 2, 3, 1).reshape(b, -1, self.CLASSES)
        r = self.reg(f).permute(0, 2, 3, 1).reshape(b, -1, 4)
        return c, r

    def forward(self, x):
        f = F.relu(self.c2(F.relu(self.c1(x))))
        f3 = F.relu(self.c3(f))
        f4 = F.relu(self.c4(f3))
        p4 = self.l4(f4)
        p3 = self.l3(f3) + F.interpolate(p4, scale_factor=2.0, mode="nearest")
        c3, r3 = self.level(p3)
        c4, r4 = self.level(p4)
        scores, reg = torch.cat([c3, c4], 1), torch.cat([r3, r4], 1)
        a = self.anchors
        cx = a[:, 0] + 0.1 * reg[..., 0] * a[:, 2]
        cy = a[:, 1] + 0.1 * reg[..., 1] * a[:, 3]
        w = a[:, 2] * torch.exp(0.2 * reg[..., 2])
        h = a[:, 3] * torch.exp(0.2 * reg[..., 3])
        boxes = torch.stack([cy - h / 2, cx - w / 2, cy + h / 2, cx + w / 2], -1)
        top_scores, top_index = torch.topk(scores.max(-1).values, self.TOP, dim=1)
        return boxes, scores.transpose(1, 2), top_scores, top_index


# The detector's NonMaxSuppression: at most 10 boxes a class, IoU above 0.4
# suppressed, scores above 0.8 kept (about a tenth of them).
NMS_MAX, NMS_IOU, NMS_SCORE = 10, 0.4, 0.8


def detector(outdir, side=128):
    """detector.onnx (outputs boxes, scores, top_scores, top_index and
    selected, NonMaxSuppression's rows) with detector.in.npy and PyTorch's
    outputs, detector.<output>.npy (float32; the indices as floats); the
    selection by torchvision.ops.nms class by class."""
    key = "detector"
    seed(key)
    model = Detector(side).eval()
    with torch.no_grad():  # heads of a trained detector's spread: scores 0–1, boxes moved and resized
        model.cls.weight.mul_(25)
        model.reg.weight.mul_(15)
    x = make_input(key, (1, 3, side, side))
    with torch.no_grad():
        boxes, scores, top_scores, top_index = model(x)
    path = os.path.join(outdir, "detector.onnx")
    names = ["boxes", "scores", "top_scores", "top_index"]
    torch.onnx.export(model, x, path, opset_version=OPSET, input_names=["input"], output_names=names)
    m = onnx.load(path)
    g = m.graph
    g.initializer.extend([
        onnx.numpy_helper.from_array(np.array([NMS_MAX], np.int64), "nms_max"),
        onnx.numpy_helper.from_array(np.array([NMS_IOU], np.float32), "nms_iou"),
        onnx.numpy_helper.from_array(np.array([NMS_SCORE], np.float32), "nms_score"),
    ])
    g.node.append(onnx.helper.make_node("NonMaxSuppression", ["boxes", "scores", "nms_max", "nms_iou", "nms_score"],
                                        ["selected"], name="nms"))
    g.output.append(onnx.helper.make_tensor_value_info("selected", onnx.TensorProto.INT64, ["selected", 3]))
    onnx.checker.check_model(m)
    onnx.save(m, path)
    # No decision within 1e-5 of a threshold (20 times the largest score
    # difference measured between the engines), so that another engine's
    # float32 (a different summation order, fused multiply-adds) selects
    # the same boxes and places: every score clear of the score threshold,
    # every IoU between candidates of a class clear of the IoU threshold,
    # the 21 best places' scores apart.
    best = torch.sort(scores[0].max(0).values, descending=True).values[:Detector.TOP + 1]
    assert float((best[:-1] - best[1:]).min()) > 1e-6, "detector: near-equal best places"
    assert float((scores - NMS_SCORE).abs().min()) > 1e-5, "detector: a score at the threshold"
    rows = []
    xyxy = boxes[0][:, [1, 0, 3, 2]]
    for c in range(Detector.CLASSES):
        s = scores[0, c]
        keep = torch.nonzero(s > NMS_SCORE).flatten()
        iou = torchvision.ops.box_iou(xyxy[keep], xyxy[keep])
        assert float((iou - NMS_IOU).abs().min()) > 1e-5, "detector: an overlap at the IoU threshold"
        order = torchvision.ops.nms(xyxy[keep], s[keep], NMS_IOU)[:NMS_MAX]
        rows += [[0, c, int(keep[i])] for i in order]
    selected = torch.tensor(rows, dtype=torch.float32).reshape(-1, 3)
    save_npy(os.path.join(outdir, "detector.in.npy"), x)
    for name, t in zip(names + ["selected"], [boxes, scores, top_scores, top_index.float(), selected]):
        save_npy(os.path.join(outdir, f"detector.{name}.npy"), t)
    print(f"detector: {len(rows)} boxes selected, ops {' '.join(graph_ops(m))}")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "out")
    os.makedirs(outdir, exist_ok=True)
    torch.set_num_threads(1)  # summation order, hence outputs, fixed
    print(f"torch {torch.__version__}, torchvision {torchvision.__version__}, "
          f"onnx {onnx.__version__}, numpy {np.__version__}; writing {outdir}")

    start = time.monotonic()
    manifest = []
    for case in CASES:
        t0 = time.monotonic()
        entries = run_case(case, outdir)
        manifest.extend(entries)
        e = entries[0]
        files = sorted({f for en in entries for f in (en["onnx"], en["input"], en["output"])})
        size = sum(os.path.getsize(os.path.join(outdir, f)) for f in files)
        print(f"{e['name']}: {size / 1024:.1f} KiB, {time.monotonic() - t0:.1f}s, "
              f"in {e['input_shape']} out {e['output_shape']}, fold={e['constant_folding']}, "
              f"training={e['export_training_mode']}, BN nodes={e['batchnorm_nodes']}, "
              f"nodes={e['nodes']}, dynamic={e['dynamic_batch']}, "
              f"max|out|={e['output_max_abs']:.4g}")
        print(f"    ops ({len(e['ops'])}): {' '.join(e['ops'])}")

    detector(outdir)
    with open(os.path.join(outdir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")

    small = big = 0
    seen = set()
    for en in manifest:
        base = en["onnx"][: -len(".onnx")]
        for fn in (en["onnx"], en["input"], en["output"]):
            if fn in seen:
                continue
            seen.add(fn)
            n = os.path.getsize(os.path.join(outdir, fn))
            if base in BIG:
                big += n
            else:
                small += n
    print(f"total: small cases {small / 1024:.1f} KiB, torchvision cases {big / 1024 / 1024:.1f} MiB, "
          f"{time.monotonic() - start:.1f}s")
    digest = hashlib.sha256()
    for fn in sorted(seen):
        with open(os.path.join(outdir, fn), "rb") as f:
            digest.update(fn.encode() + b"\0" + f.read())
    print(f"sha256 of all outputs: {digest.hexdigest()}")


if __name__ == "__main__":
    main()
