#!/usr/bin/python3
"""Export the torchvision architectures that `make bench-compare` times.

For each of resnet18, mobilenet_v2 and squeezenet1_1 and each side S in
(112, 224) this writes OUTDIR/ARCH_S.onnx (OUTDIR is argv[1], default
./models beside this script): the model in eval mode with seeded random
weights (speed does not depend on the weight values), a static input
"input" of shape [1, 3, S, S] and output "output", ONNX opset 13, exported
the way a user would: Conv+BatchNorm fused by the exporter, constants
folded.

Run with the Debian interpreter, which has torch 1.13 and torchvision 0.14:

    /usr/bin/python3 bench/export.py [OUTDIR]

It also writes two twin-style networks of our own (random weights) of the
kinds people bring to a one-shot device:

- mobilefacenet_112.onnx: MobileFaceNet (Chen et al. 2018) at 112×112 RGB:
  a 3×3 stride-2 stem and a depthwise 3×3, then inverted-residual
  bottlenecks (1×1 expand ×2 or ×4, depthwise 3×3, 1×1 linear projection,
  PReLU, residual Add where the shape allows), a 1×1 to 512, the global
  depthwise 7×7 (GDConv) and a linear 1×1 to a 128-d embedding.
- koch_narrow_105.onnx: the twin branch of Koch et al. 2015 (Siamese
  networks for one-shot recognition) at 105×105 grey, at a quarter of the
  paper's widths: conv 10×10 (16) ReLU, max pool 2, conv 7×7 (32) ReLU,
  max pool, conv 4×4 (32) ReLU, max pool, conv 4×4 (64) ReLU, flatten,
  linear to 512 and sigmoid.

And two of the newer architectures people bring (issue 20's goal rows):
convnext_tiny_112.onnx (depthwise 7×7, LayerNorm, GELU) and vit_b_16_224.onnx
(a ViT-B/16 with its classifier re-drawn from N(0, 0.02): torchvision
initialises it to zeros, which would make every output 0).

Rerunning rewrites the files; about a minute on two cores (ViT-B is 330 MB).
"""

import os
import sys

import torch
import torchvision

ARCHS = ("resnet18", "mobilenet_v2", "squeezenet1_1")
SIDES = (112, 224)
NEWER = (("convnext_tiny", 112), ("vit_b_16", 224))


class Bottleneck(torch.nn.Module):
    """MobileFaceNet's inverted residual: 1×1 expand, depthwise 3×3, 1×1
    linear projection (BatchNorm after each, PReLU after the first two)."""

    def __init__(self, cin, cout, stride, expand):
        super().__init__()
        mid = cin * expand
        nn = torch.nn
        self.body = nn.Sequential(
            nn.Conv2d(cin, mid, 1, bias=False), nn.BatchNorm2d(mid), nn.PReLU(mid),
            nn.Conv2d(mid, mid, 3, stride, 1, groups=mid, bias=False), nn.BatchNorm2d(mid), nn.PReLU(mid),
            nn.Conv2d(mid, cout, 1, bias=False), nn.BatchNorm2d(cout))
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        y = self.body(x)
        return x + y if self.residual else y


def mobilefacenet():
    nn = torch.nn

    def conv(cin, cout, k, s, p, groups=1, act=True):
        layers = [nn.Conv2d(cin, cout, k, s, p, groups=groups, bias=False), nn.BatchNorm2d(cout)]
        if act:
            layers.append(nn.PReLU(cout))
        return layers

    layers = conv(3, 64, 3, 2, 1) + conv(64, 64, 3, 1, 1, groups=64)
    cin = 64
    # (expansion, channels, repeats, first stride), as in the paper's table 1
    for t, c, n, s in ((2, 64, 5, 2), (4, 128, 1, 2), (2, 128, 6, 1), (4, 128, 1, 2), (2, 128, 2, 1)):
        for i in range(n):
            layers.append(Bottleneck(cin, c, s if i == 0 else 1, t))
            cin = c
    layers += conv(128, 512, 1, 1, 0)
    layers += conv(512, 512, 7, 1, 0, groups=512, act=False)  # GDConv
    layers += conv(512, 128, 1, 1, 0, act=False)
    layers.append(nn.Flatten())
    return nn.Sequential(*layers)


def koch_narrow():
    nn = torch.nn
    return nn.Sequential(
        nn.Conv2d(1, 16, 10), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 7), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 32, 4), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 4), nn.ReLU(), nn.Flatten(),
        nn.Linear(64 * 6 * 6, 512), nn.Sigmoid())


def export(model, x, path):
    with torch.no_grad():
        torch.onnx.export(model, x, path, opset_version=13, input_names=["input"],
                          output_names=["output"], do_constant_folding=True)
    print(path)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "models")
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(1)
    for arch in ARCHS:
        torch.manual_seed(0)
        model = getattr(torchvision.models, arch)(weights=None).eval()
        for side in SIDES:
            path = os.path.join(out, f"{arch}_{side}.onnx")
            x = torch.randn(1, 3, side, side, generator=torch.Generator().manual_seed(side))
            export(model, x, path)
    for name, make, shape in (("mobilefacenet_112", mobilefacenet, (1, 3, 112, 112)),
                              ("koch_narrow_105", koch_narrow, (1, 1, 105, 105))):
        torch.manual_seed(0)
        model = make().eval()
        for m in model.modules():  # BatchNorm statistics and PReLU slopes away from their defaults
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.1, 0.1)
                m.running_var.uniform_(0.5, 1.5)
            if isinstance(m, torch.nn.PReLU):
                m.weight.data.uniform_(0.1, 0.3)
        export(model, torch.randn(*shape, generator=torch.Generator().manual_seed(1)), os.path.join(out, name + ".onnx"))
    for arch, side in NEWER:
        torch.manual_seed(0)
        model = getattr(torchvision.models, arch)(weights=None).eval()
        if arch.startswith("vit"):
            torch.nn.init.normal_(model.heads.head.weight, std=0.02)
        x = torch.randn(1, 3, side, side, generator=torch.Generator().manual_seed(side))
        # not under no_grad: there torch 1.13's attention takes a fused
        # fast path (_native_multi_head_attention) that ONNX cannot spell
        path = os.path.join(out, f"{arch}_{side}.onnx")
        torch.onnx.export(model, x, path, opset_version=13, input_names=["input"],
                          output_names=["output"], do_constant_folding=True)
        print(path)


if __name__ == "__main__":
    main()
