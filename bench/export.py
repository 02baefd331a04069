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

Rerunning rewrites the files; about 10 s on two cores.
"""

import os
import sys

import torch
import torchvision

ARCHS = ("resnet18", "mobilenet_v2", "squeezenet1_1")
SIDES = (112, 224)


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
            with torch.no_grad():
                torch.onnx.export(model, x, path, opset_version=13, input_names=["input"],
                                  output_names=["output"], do_constant_folding=True)
            print(path)


if __name__ == "__main__":
    main()
