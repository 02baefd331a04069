#!/usr/bin/python3
"""Write the held-out evaluation sets as folder-per-class image folders for `edge eval`.

    PYTHONPATH=models /usr/bin/python3 -m recipe.evaldata [OUT]     (default models/.work/data)

OUT/att-faces-heldout/sNN/*.pgm       the people never trained on (s21-s30), copied
OUT/omniglot-heldout/ALPHABET_charNN/ the held-out alphabets' drawings (PNG, as in the zips)
OUT/mnist-test/D/NNNNN.png            the MNIST test split (10,000 images)
OUT/mnist-test-1000/D/NNNNN.png       its first 100 images of each digit

These are the sets the model cards' `edge eval` figures use:
    go run ./cmd/edge eval --model models/faces.onnx --data OUT/att-faces-heldout
    go run ./cmd/edge eval --model models/omniglot.onnx --data OUT/omniglot-heldout
    go run ./cmd/edge eval --model models/omniglot.onnx --omniglot-runs ../shared/data/omniglot/runs-sample
    go run ./cmd/edge eval --model models/digits.onnx --data OUT/mnist-test
"""

import os
import shutil
import sys

import numpy as np
from PIL import Image

from . import data, train


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(train.ROOT, "models", ".work", "data")

    faces = os.path.join(out, "att-faces-heldout")
    for n in range(21, 31):
        src = os.path.join(train.DATA, "att-faces", "s%d" % n)
        dst = os.path.join(faces, "s%d" % n)
        os.makedirs(dst, exist_ok=True)
        for f in sorted(os.listdir(src)):
            if f.endswith(".pgm"):
                shutil.copyfile(os.path.join(src, f), os.path.join(dst, f))
    print("wrote", faces)

    omni = os.path.join(out, "omniglot-heldout")
    chars = data.omniglot_background(os.path.join(train.DATA, "omniglot"), set(train.OMNI_HELDOUT))
    for (alphabet, character), drawers in sorted(chars.items()):
        dst = os.path.join(omni, "%s_%s" % (alphabet, character))
        os.makedirs(dst, exist_ok=True)
        for drawer, img in sorted(drawers.items()):
            Image.fromarray(img).save(os.path.join(dst, "%02d.png" % drawer))
    print("wrote", omni, "(%d characters)" % len(chars))

    x, y = data.mnist(data.gomnist_dir(train.ROOT), "t10k")
    for name, keep in (("mnist-test", None), ("mnist-test-1000", 100)):
        root = os.path.join(out, name)
        seen = np.zeros(10, int)
        for i, (img, label) in enumerate(zip(x, y)):
            if keep and seen[label] >= keep:
                continue
            seen[label] += 1
            d = os.path.join(root, str(label))
            os.makedirs(d, exist_ok=True)
            Image.fromarray(img).save(os.path.join(d, "%05d.png" % i))
        print("wrote", root, "(%d images)" % seen.sum())


if __name__ == "__main__":
    main()
