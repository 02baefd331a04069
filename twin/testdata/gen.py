#!/usr/bin/python3
"""Write the tiny twin networks twin's tests run, with reference outputs.

    /usr/bin/python3 twin/testdata/gen.py

Writes into this folder:

  tiny_gray.onnx   [N,1,16,12] -> [N,4]: conv-relu-maxpool-conv-relu-gap-linear,
                   seeded random weights, full edge.* metadata (crop none, invert 1)
  tiny_rgb.onnx    [N,3,16,12] -> [N,4]: same layout on RGB, crop fixed with
                   roi 0.25,0.25,0.5,0.5, invert 0
  gray.pgm         a 12x16 grey test image (P5)
  rgb.ppm          a 24x32 colour test image (P6); its ROI is the central 12x16
  expected.json    PyTorch's embedding of each image after the preprocessing
                   METADATA.md defines (the crops and sizes are chosen so that
                   resampling is the identity)

Deterministic: rerunning gives the same files. Needs Debian's torch 1.13 and onnx 1.12.
"""

import json
import os

import numpy as np
import onnx
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
H, W, E = 16, 12, 4


class Branch(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.f = nn.Sequential(
            nn.Conv2d(c, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 8, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
            nn.Flatten(), nn.Linear(8, E))

    def forward(self, x):
        return self.f(x)


def meta(c, extra):
    m = {
        "edge.name": "tiny", "edge.version": "1", "edge.input_channels": str(c),
        "edge.input_height": str(H), "edge.input_width": str(W),
        "edge.resize": "bilinear", "edge.embedding_size": str(E), "edge.normalized": "0",
        "edge.margin": "2.0", "edge.threshold": "0.5", "edge.threshold_far": "0.001",
        "edge.trained_on": "nothing: seeded random weights for tests",
    }
    m.update(extra)
    return m


def export(name, c, props):
    torch.manual_seed(len(name) * 1000 + c)
    net = Branch(c).eval()
    path = os.path.join(HERE, name + ".onnx")
    torch.onnx.export(net, torch.zeros(1, c, H, W), path, opset_version=13,
                      input_names=["input"], output_names=["embedding"],
                      dynamic_axes={"input": {0: "batch"}, "embedding": {0: "batch"}})
    m = onnx.load(path)
    for k in sorted(props):
        p = m.metadata_props.add()
        p.key, p.value = k, props[k]
    m.producer_version = "1.13"  # keep the files stable across patch releases
    onnx.save(m, path)
    return net


def write_pnm(path, arr):
    h, w = arr.shape[:2]
    magic = b"P5" if arr.ndim == 2 else b"P6"
    with open(path, "wb") as f:
        f.write(b"%s\n%d %d\n255\n" % (magic, w, h))
        f.write(arr.astype(np.uint8).tobytes())


def main():
    torch.set_num_threads(1)
    gray_props = meta(1, {"edge.pixel_mean": "0.5", "edge.pixel_std": "0.25",
                          "edge.invert": "1", "edge.crop": "none"})
    rgb_props = meta(3, {"edge.pixel_mean": "0.4", "edge.pixel_std": "0.3",
                         "edge.invert": "0", "edge.crop": "fixed",
                         "edge.roi": "0.25,0.25,0.5,0.5"})
    gnet = export("tiny_gray", 1, gray_props)
    cnet = export("tiny_rgb", 3, rgb_props)

    yy, xx = np.mgrid[0:H, 0:W]
    gray = (yy * 13 + xx * 17 + (yy * xx) % 7 * 9) % 256
    write_pnm(os.path.join(HERE, "gray.pgm"), gray)
    Y, X = np.mgrid[0:2 * H, 0:2 * W]
    rgb = np.stack([(Y * 7 + X * 3) % 256, (X * 11) % 256, (Y * X * 5) % 256], axis=-1)
    write_pnm(os.path.join(HERE, "rgb.ppm"), rgb)

    with torch.no_grad():
        g = (255.0 - gray) / 255.0  # invert, then normalise
        g = (g - 0.5) / 0.25
        eg = gnet(torch.tensor(g, dtype=torch.float32)[None, None])[0]
        roi = rgb[H // 2:H // 2 + H, W // 2:W // 2 + W]  # x,y = 0.25·24, 0.25·32
        c = (roi / 255.0 - 0.4) / 0.3
        ec = cnet(torch.tensor(c, dtype=torch.float32).permute(2, 0, 1)[None])[0]
    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump({"gray.pgm": [float(v) for v in eg], "rgb.ppm": [float(v) for v in ec]}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
