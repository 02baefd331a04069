#!/usr/bin/python3
"""Check that edge reproduces PyTorch on ten torchvision architectures.

For each architecture below this builds the torchvision 0.14 model with
seeded random weights (every parameter drawn again: normal with variance
1/fan-in for weights of two or more dimensions, 1 ± 0.1 for other weights,
± 0.1 for biases, so that no layer is left at torchvision's zero or
constant initialisation and the outputs are not degenerate), exports it at
opset 13 with a static 1×3×S×S input, runs PyTorch on a seeded random
input, then `edge infer` on the same input at 1 and 2 threads, and
compares the outputs: a pass is a largest difference of at most 1e-4 of
the largest output (issue 20's goal: 10 of 10).

    /usr/bin/python3 bench/torchvision_check.py EDGE WORKDIR

EDGE is the edge binary, WORKDIR a folder for the exports (make
torchvision-check uses bench/models/tv). Exit status 1 when any fails.
"""
import os
import subprocess
import sys

import numpy as np
import torch
import torchvision

ARCHS = [
    ("efficientnet_b0", 112), ("shufflenet_v2_x1_0", 112), ("mnasnet1_0", 112),
    ("regnet_x_400mf", 112), ("densenet121", 112), ("googlenet", 112),
    ("mobilenet_v3_small", 112), ("wide_resnet50_2", 112), ("convnext_tiny", 112),
    ("vit_b_16", 224),
]


def build(name):
    kw = {"aux_logits": False, "init_weights": True} if name == "googlenet" else {}
    m = getattr(torchvision.models, name)(weights=None, **kw).eval()
    with torch.no_grad():
        for pname, p in m.named_parameters():
            if p.dim() > 1:
                p.normal_(0, (1.0 / p[0].numel()) ** 0.5)
            elif pname.endswith("weight"):
                p.copy_(1 + 0.1 * torch.randn_like(p))
            else:
                p.copy_(0.1 * torch.randn_like(p))
    return m


def main():
    edge, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    failed = set()
    for i, (name, side) in enumerate(ARCHS):
        torch.manual_seed(1000 + i)
        m = build(name)
        x = torch.randn(1, 3, side, side)
        with torch.no_grad():
            y = m(x).numpy()
        path = os.path.join(work, name + ".onnx")
        torch.onnx.export(m, x, path, opset_version=13, input_names=["x"], output_names=["y"])
        xin = os.path.join(work, name + "_x.npy")
        np.save(xin, x.numpy())
        scale = float(np.abs(y).max())
        for threads in (1, 2):
            out = os.path.join(work, "%s_edge%d.npy" % (name, threads))
            r = subprocess.run([edge, "infer", "-model", path, "-input", xin, "-output", out,
                                "-threads", str(threads)], capture_output=True, text=True)
            if r.returncode != 0:
                print("%-20s %d thread(s): edge failed: %s" % (name, threads, r.stderr.strip().splitlines()[-1:]))
                failed.add(name)
                continue
            d = float(np.abs(np.load(out) - y).max())
            ok = d <= 1e-4 * max(scale, 1e-30)
            if not ok:
                failed.add(name)
            print("%-20s %d thread(s): largest output %.3g, largest difference %.2e (%.2e of it) %s"
                  % (name, threads, scale, d, d / scale, "ok" if ok else "FAIL"), flush=True)
    print("%d of %d architectures reproduce PyTorch" % (len(ARCHS) - len(failed), len(ARCHS)))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
