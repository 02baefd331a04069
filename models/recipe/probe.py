"""Side measurements on the faces cross-validation folds (models/faces-scratch.md).

    PYTHONPATH=models /usr/bin/python3 -m recipe.probe ensemble NAME [NAME ...]
        Each cv_faces.sh run NAME (models/.work/cv/NAME/fold{A,B,C}/checkpoint.pt)
        alone and, with two or more names, their ensemble (the L2-normalised
        embeddings concatenated), each with and without horizontal-flip test-time
        augmentation (the embeddings of the image and its mirror image summed).
    PYTHONPATH=models /usr/bin/python3 -m recipe.probe people NAME FOLD
        Per held-out person of one fold (A, B or C) of run NAME: the mean and
        largest distance between their own photos, and the nearest other person.
    PYTHONPATH=models /usr/bin/python3 -m recipe.probe lbp
        A hand-made baseline with no training: uniform local binary pattern
        histograms over a grid of cells, square-rooted (Hellinger) and
        L2-normalised.

ensemble and lbp print one-shot 10-way / EER / TAR@FAR=1% (percent) per fold and their mean,
by protocol.py on each fold's held-out people (the folds of cv_faces.sh). These
are PyTorch/numpy figures; the cards' model figures come from `edge eval`.
"""
import argparse
import os
import sys

import numpy as np
import torch

from . import augment, data, nets, protocol

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FOLDS = {"A": list(range(1, 11)), "B": list(range(11, 21)), "C": list(range(21, 31))}


def figures(e, y):
    acc, _ = protocol.oneshot(e, y, draws=100)
    d, same = protocol.pair_distances(e, y)
    v = protocol.verification(d, same)
    return 100 * acc, 100 * v["eer"], 100 * v["tar_at_far1"]


def report(label, rows):
    rows = np.asarray(rows)
    cells = "  ".join("%s %.1f/%.1f/%.1f" % (f, *r) for f, r in zip(FOLDS, rows))
    print("%-28s %s  mean %.1f/%.1f/%.1f" % ((label, cells) + tuple(rows.mean(0))))


def load(path):
    state = torch.load(path)
    return nets.from_checkpoint(state), state["config"]


def embed(net, cfg, images, flip):
    with torch.no_grad():
        x = augment.preprocess(images, cfg)
        e = net(x)
        if flip:
            e = e + net(torch.flip(x, [3]))
        return torch.nn.functional.normalize(e, dim=1)


def ensemble(names, shared):
    rows = {}
    for f, people in FOLDS.items():
        x, y = data.att_faces(os.path.join(shared, "data", "att-faces"), people)
        y = np.asarray(y)
        members = [load(os.path.join(ROOT, "models", ".work", "cv", n, "fold" + f, "checkpoint.pt")) for n in names]
        for flip in (False, True):
            embs = [embed(net, cfg, x, flip) for net, cfg in members]
            for n, e in zip(names, embs):
                rows.setdefault("%s%s" % (n, " +flip" if flip else ""), []).append(figures(e.numpy(), y))
            if len(embs) > 1:
                rows.setdefault("ensemble%s" % (" +flip" if flip else ""), []).append(
                    figures(torch.cat(embs, 1).numpy(), y))
    for label, r in rows.items():
        report(label, r)


def people(name, fold, shared):
    if fold not in FOLDS:
        raise SystemExit("fold %r: one of %s" % (fold, ", ".join(FOLDS)))
    net, cfg = load(os.path.join(ROOT, "models", ".work", "cv", name, "fold" + fold, "checkpoint.pt"))
    who = FOLDS[fold]
    x, y = data.att_faces(os.path.join(shared, "data", "att-faces"), who)
    y = np.asarray(y)
    e = embed(net, cfg, x, False).numpy()
    d = protocol.distances(e, e)
    for c in range(len(who)):
        own = y == c
        genuine = d[np.ix_(own, own)][np.triu_indices(int(own.sum()), 1)]
        other = d[np.ix_(own, ~own)]
        nearest = y[~own][np.unravel_index(np.argmin(other), other.shape)[1]]
        print("s%-3d own photos: mean %.3f, largest %.3f | nearest other person s%d at %.3f" % (
            who[c], genuine.mean(), genuine.max(), who[nearest], other.min()))


def lbp_codes(img):
    """8-neighbour LBP codes of the interior pixels, mapped to the 59 uniform bins."""
    x = np.asarray(img, dtype=np.float32)
    h, w = x.shape
    c = x[1:-1, 1:-1]
    code = np.zeros(c.shape, np.int32)
    for k, (dy, dx) in enumerate([(-1, -1), (-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1)]):
        code |= (x[1 + dy:h - 1 + dy, 1 + dx:w - 1 + dx] >= c).astype(np.int32) << k
    return UNIFORM[code]


def uniform_bins():
    table, n = np.zeros(256, np.int32), 0
    for v in range(256):
        bits = [(v >> i) & 1 for i in range(8)]
        if sum(bits[i] != bits[(i + 1) % 8] for i in range(8)) <= 2:
            table[v], n = n, n + 1
        else:
            table[v] = -1
    table[table < 0] = n
    return table, n + 1


UNIFORM, BINS = uniform_bins()


def lbp_feature(img, gy, gx):
    c = lbp_codes(img)
    h, w = c.shape
    hists = []
    for i in range(gy):
        for j in range(gx):
            cell = c[i * h // gy:(i + 1) * h // gy, j * w // gx:(j + 1) * w // gx]
            hist = np.bincount(cell.ravel(), minlength=BINS).astype(np.float32)
            hists.append(hist / hist.sum())
    f = np.sqrt(np.concatenate(hists))
    return f / np.linalg.norm(f)


def lbp(shared):
    for gy, gx in [(5, 5), (7, 7), (8, 6), (10, 8)]:
        rows = []
        for people in FOLDS.values():
            x, y = data.att_faces(os.path.join(shared, "data", "att-faces"), people)
            rows.append(figures(np.stack([lbp_feature(i, gy, gx) for i in x]), np.asarray(y)))
        report("LBP %dx%d cells, 112x92" % (gy, gx), rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=["ensemble", "people", "lbp"])
    ap.add_argument("names", nargs="*")
    ap.add_argument("--shared", default=os.path.join(os.path.dirname(ROOT), "shared"))
    args = ap.parse_args()
    torch.set_num_threads(1)
    if args.what == "ensemble":
        if not args.names:
            ap.error("ensemble needs the name of at least one cv_faces.sh run")
        ensemble(args.names, args.shared)
    elif args.what == "people":
        if len(args.names) != 2:
            ap.error("people needs a cv_faces.sh run and a fold: people NAME A|B|C")
        people(args.names[0], args.names[1], args.shared)
    else:
        lbp(args.shared)


if __name__ == "__main__":
    sys.exit(main())
