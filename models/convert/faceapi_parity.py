#!/usr/bin/python3
"""Check a model written by faceapi_onnx.py against face-api itself.

Three inputs of whole pixel levels (uniform noise, a colour gradient and an
att-faces photo on a grey canvas) go through face-api's FaceRecognitionNet
in TensorFlow.js (faceapi_reference.mjs) and through the ONNX file in
edge's engine (`edge infer`); each descriptor must agree within --rtol of
its Euclidean length.

    /usr/bin/python3 models/convert/faceapi_parity.py \\
        --model models/.work/faceapi/dlib.onnx \\
        --face-api models/.work/faceapi/package [--edge /path/to/edge]
"""

import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def read_pgm(path):
    with open(path, "rb") as f:
        data = f.read()
    magic, w, h, maxval, rest = data.split(maxsplit=4)
    if magic != b"P5" or int(maxval) != 255:
        raise ValueError(f"{path}: not an 8-bit binary PGM")
    w, h = int(w), int(h)
    return np.frombuffer(rest[:w * h], np.uint8).reshape(h, w)


def inputs(photo):
    rng = np.random.default_rng(1)
    noise = rng.integers(0, 256, (3, 150, 150))
    yy, xx = np.mgrid[0:150, 0:150]
    grad = np.stack([(xx + yy) % 256, (2 * xx) % 256, 255 - yy])
    face = np.full((3, 150, 150), 128)
    g = read_pgm(photo)
    face[:, 19:19 + g.shape[0], 29:29 + g.shape[1]] = g
    return (np.stack([noise, grad, face]).astype(np.float64) / 255).astype(np.float32)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True)
    ap.add_argument("--face-api", required=True, help="the unpacked @vladmandic/face-api package")
    ap.add_argument("--edge", help="an edge binary (default: go run ./cmd/edge)")
    ap.add_argument("--photo", default=os.path.join(ROOT, "..", "shared", "data", "att-faces", "s1", "1.pgm"))
    ap.add_argument("--rtol", type=float, default=1e-4)
    a = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        x, ref, got = (os.path.join(tmp, n) for n in ("in.npy", "ref.npy", "onnx.npy"))
        np.save(x, inputs(a.photo))
        subprocess.run(["node", os.path.join(HERE, "faceapi_reference.mjs"), "--face-api", a.face_api,
                        "--input", x, "--output", ref], check=True, stdout=subprocess.DEVNULL)
        edge = [a.edge] if a.edge else ["go", "run", "./cmd/edge"]
        subprocess.run(edge + ["infer", "--model", a.model, "--input", x, "--output", got],
                       check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        r, o = np.load(ref), np.load(got)
    worst = 0.0
    for i, (ri, oi) in enumerate(zip(r, o)):
        err = float(np.abs(ri - oi).max() / np.linalg.norm(ri))
        worst = max(worst, err)
        print(f"input {i}: |face-api| {np.linalg.norm(ri):.4f}, max |difference| / |face-api| {err:.2e}")
    if not worst <= a.rtol:
        print(f"faceapi_parity: {worst:.2e} exceeds {a.rtol:g}", file=sys.stderr)
        return 1
    print(f"faceapi_parity: agrees within {worst:.2e} (tolerance {a.rtol:g})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
