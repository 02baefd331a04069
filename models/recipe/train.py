#!/usr/bin/python3
"""Train one of edge's twin networks with the contrastive loss and export it.

    PYTHONPATH=models /usr/bin/python3 -m recipe.train faces|omniglot|digits [options]

Run from anywhere; paths default to the project layout (the project root is
two folders up from this file, the data folder $EDGE_DATA, by default
../shared/data from the root, as for the Go tests).

What it does:
  1. loads the training classes and the held-out ones (never other images of
     trained classes: faces s1-s20 / s21-s30, Omniglot background alphabets
     minus two held-out alphabets, MNIST train / test);
  2. trains the embedding branch on online pairs: each batch holds P classes
     x K images, every same-class pair in it is a positive and the hardest
     different-class pairs (plus some random ones) are the negatives; the loss
     is the contrastive loss L = (1-Y)·D² + Y·max(0, m-D)², mean over the
     selected pairs (nets.contrastive_loss);
  3. evaluates the held-out classes by the shared protocol (protocol.py),
     calibrates the default distance threshold at a false-accept rate of 0.1%
     on held-out pairs (or takes it from --set threshold=T, e.g. when faces
     train on every person, heldout_people=[]), and exports the embedding branch alone to ONNX
     (opset 13, batch dimension "batch", input "input", output "embedding")
     with the edge.* metadata_props of models/METADATA.md;
  4. writes checkpoint.pt and metrics.json into --work, and MODEL.in.npy /
     MODEL.out.npy into --parity-dir (default models/testdata): a held-out
     input batch (a training batch when nothing is held out) and PyTorch's
     output for it, which the Go tests compare with our engine.

Reproducible: everything random comes from --seed, and PyTorch runs on
--threads threads (default 1; results are bit-identical only for the same
thread count). --smoke trains a few steps on a tiny subset (the CI test).
"""

import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch

from . import augment, data, nets, protocol
from .ema import EMA
from .export import export, metadata
from .sampler import Sampler, compose, select_pairs

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The data folder: $EDGE_DATA (a relative one is from the project root, as
# for the Go tests' internal/edgedata), else ../shared/data.
DATA = os.path.normpath(os.path.join(ROOT, os.environ.get("EDGE_DATA") or os.path.join("..", "shared", "data")))

FACE_AFFINE = dict(rot=12, scale=(0.87, 1.15), aniso=0.06, shear=0.06, shift=0.07, flip=0.5, pad="border")
# Photometric augmentation for faces is off by default: brightness and
# contrast are removed exactly by the network's input InstanceNorm, and every
# blur / noise / gamma setting tried cost accuracy on the held-out people
# (see models/faces-scratch.md). FACE_PHOTO is the light setting measured there;
# turn it on with --set photo='{"gamma": 0.1, "blur": [0.1, 0.7], "noise": [0.1, 0.01]}'.
FACE_PHOTO = dict(gamma=0.1, blur=(0.1, 0.7), noise=(0.1, 0.01))
# Koch et al. 2015: rotation ±10°, shear ±0.3, scale 0.8-1.2 per axis, shift ±2 px, each
# component applied with probability 0.5.
OMNI_AFFINE = dict(rot=10, scale=(0.85, 1.15), aniso=0.1, shear=0.3, shift=0.03, p_each=0.5, pad="zeros")
DIGIT_AFFINE = dict(rot=12, scale=(0.85, 1.12), aniso=0.08, shear=0.15, shift=0.08, pad="zeros")
DIGIT_PHOTO = dict(contrast=0.3, blur=(0.2, 0.9), noise=(0.3, 0.05))

# Settings that describe how the model is used, not how it is trained: a
# re-export (--export-only) takes them from here rather than the checkpoint.
USE_ONLY = ("crop", "crop_margin", "roi", "resize", "far", "threshold", "trained_on")

OMNI_HELDOUT = ("Balinese", "Early_Aramaic")

CONFIGS = {
    "faces": dict(
        height=56, width=46, factor=2, invert=0, pixel_mean=0.5, pixel_std=0.5,
        crop="face", crop_margin=0.2, roi="0,0,1,1", resize="area",
        train_people=list(range(1, 21)), heldout_people=list(range(21, 31)),
        # composites=32 (80% of a batch's identities synthetic) won the 3-fold person-disjoint
        # cross-validation in models/faces-scratch.md (16 before).
        margin=1.0, classes_per_batch=8, composites=32, per_class=4, steps=400, lr=2e-3, weight_decay=5e-4,
        warmup=100, ema=0.0, neg_ratio=2, hard_frac=0.5, affine=FACE_AFFINE, photo={}, rot_classes=False,
        # erase: random erasing, off by default; e.g. --set erase='{"p": 0.5, "area": [0.02, 0.2]}'
        # (augment.random_erase).
        erase={},
        # eyewear: synthetic spectacles, off by default; e.g. --set eyewear='{"p": 0.3}' (augment.eyewear).
        eyewear={},
        # trained_on=None: written from train_people, e.g. "att-faces s1-s20 (20 people x 10 images)".
        # threshold=None: calibrated at FAR `far` on the held-out people; a number is
        # used as given (needed when heldout_people=[]).
        trained_on=None, threshold=None, far=0.001, eval_every=50),
    "omniglot": dict(
        height=35, width=35, factor=3, invert=1, pixel_mean=0.0, pixel_std=1.0,
        crop="none", crop_margin=0.0, roi="0,0,1,1", resize="area",
        margin=1.0, classes_per_batch=24, composites=24, overlay=0.5, per_class=3, steps=1300, lr=2e-3,
        weight_decay=5e-4,
        # Version 2 (models/omniglot.md): every batch from one alphabet, and no rotated characters
        # as extra classes (version 1: alphabet_batches=0, rot_classes=True).
        warmup=100, ema=0.0, neg_ratio=2, hard_frac=0.5, affine=OMNI_AFFINE, photo={}, rot_classes=False,
        # unused_alphabets: neither trained on nor held out (data-scaling runs, models/omniglot.md).
        unused_alphabets=[],
        # alphabet_batches=q: a batch is with probability q drawn from one alphabet (Sampler).
        alphabet_batches=1.0,
        trained_on=None, threshold=None, far=0.001, eval_every=200),
    "digits": dict(
        height=28, width=28, factor=1, invert=0, pixel_mean=0.0, pixel_std=1.0,
        crop="none", crop_margin=0.0, roi="0,0,1,1", resize="area",
        margin=1.0, classes_per_batch=10, per_class=8, steps=1500, lr=2e-3, weight_decay=5e-4,
        warmup=100, ema=0.0, neg_ratio=2, hard_frac=0.5, affine=DIGIT_AFFINE, photo=DIGIT_PHOTO, rot_classes=False,
        trained_on="MNIST train split, images 0-49999 (threshold calibrated on 50000-59999)",
        threshold=None, far=0.001, eval_every=250),
}


def log(*a):
    print(*a, flush=True)


def people_text(people):
    """[1, 2, ..., 10, 21, ..., 30] -> "s1-s10,s21-s30"."""
    runs, ps = [], sorted(people)
    for p in ps:
        if runs and p == runs[-1][1] + 1:
            runs[-1][1] = p
        else:
            runs.append([p, p])
    return ",".join("s%d" % a if a == b else "s%d-s%d" % (a, b) for a, b in runs)


class Split:
    """Images of one split: uint8 sources, labels and, for Omniglot, alphabets and drawers."""

    def __init__(self, images, labels, alphabet=None, drawer=None, names=None):
        self.images, self.labels = images, np.asarray(labels)
        self.alphabet, self.drawer, self.names = alphabet, drawer, names


def load(name, args, cfg):
    """(train, heldout, calib, extra) Splits for the model; extra holds the Omniglot run."""
    datadir = os.path.join(args.shared, "data") if args.shared else args.data
    if name == "faces":
        root = os.path.join(datadir, "att-faces")
        tr, ho = list(cfg["train_people"]), list(cfg["heldout_people"])
        if args.smoke:
            tr, ho = tr[:4], ho[:3]
        if set(tr) & set(ho):
            raise SystemExit("faces: people %s are both trained on and held out" % sorted(set(tr) & set(ho)))
        xi, yi = data.att_faces(root, tr)
        if not ho:  # every person trained on: nothing to validate or calibrate on
            return Split(xi, yi), None, None, None
        xh, yh = data.att_faces(root, ho)
        heldout = Split(xh, yh)
        return Split(xi, yi), heldout, heldout, None
    if name == "omniglot":
        root = os.path.join(datadir, "omniglot")
        want = None
        if args.smoke:
            want = {"Latin", "Balinese"}
        chars = data.omniglot_background(root, want)
        alphabets = sorted({a for a, _ in chars})
        held = [a for a in alphabets if a in args.holdout]
        if not held:
            raise SystemExit("omniglot: --holdout names no alphabet of the data; the threshold is calibrated "
                             "on held-out alphabets")
        unused = set(cfg["unused_alphabets"])
        if unused - set(alphabets):
            raise SystemExit("omniglot: unused_alphabets names %s, not alphabets of the data" % sorted(unused - set(alphabets)))
        train_alph = [a for a in alphabets if a not in args.holdout and a not in unused]
        log("omniglot: training alphabets %s; held out %s" % (", ".join(train_alph), ", ".join(held) or "none"))
        xi, yi, ki = data.omniglot_set(chars, set(train_alph))
        train = Split(xi, yi, names=ki)
        xh, yh, kh = data.omniglot_set(chars, set(held))
        drawers = [w for k in kh for w in sorted(chars[k])]
        heldout = Split(xh, yh, alphabet=[kh[c][0] for c in yh], drawer=drawers, names=kh)
        run = None
        run_dir = os.path.join(root, "runs-sample", "run01")
        if os.path.isdir(run_dir):
            run = data.omniglot_run(run_dir)
        return train, heldout, heldout, run
    if name == "digits":
        d = data.gomnist_dir(ROOT)
        log("digits: MNIST from %s" % d)
        x, y = data.mnist(d, "train")
        xt, yt = data.mnist(d, "t10k")
        if args.smoke:
            return (Split(list(x[:200]), y[:200]), Split(list(xt[:100]), yt[:100]),
                    Split(list(x[50000:50100]), y[50000:50100]), None)
        return (Split(list(x[:50000]), y[:50000]), Split(list(xt), yt),
                Split(list(x[50000:]), y[50000:]), None)
    raise ValueError(name)


def embed(net, images, cfg, batch=256):
    net.eval()
    out = []
    with torch.no_grad():
        for s in range(0, len(images), batch):
            out.append(net(augment.preprocess(images[s:s + batch], cfg)))
    return torch.cat(out).numpy()


def evaluate(net, name, cfg, heldout, run, draws, quick=False):
    """The shared protocol on the held-out split (and the Omniglot run)."""
    m = {}
    if heldout is not None:
        e = embed(net, heldout.images, cfg)
        acc, nway = protocol.oneshot(e, heldout.labels, draws=draws)
        m.update(oneshot_nway_acc=acc, n_way=nway)
        d, same = protocol.pair_distances(e, heldout.labels, max_images=2000 if quick else None)
        m.update(protocol.verification(d, same))
        m["pairs"] = int(len(d))
        if heldout.alphabet is not None:
            m["simulated_20way"] = protocol.simulated_runs(e, heldout.labels, heldout.alphabet, heldout.drawer,
                                                           runs=100 if quick else 1000)
    if run is not None:
        test, train, answer = run
        k, n = protocol.omniglot_runs(embed(net, test, cfg), embed(net, train, cfg), answer)
        m.update(run01_correct=k, run01_trials=n, run01_accuracy=k / n)
    return m


def fmt(m):
    parts = []
    for k, v in m.items():
        parts.append("%s=%.4f" % (k, v) if isinstance(v, float) else "%s=%s" % (k, v))
    return " ".join(parts)


def train(name, args, cfg, train_split, heldout, run):
    torch.manual_seed(args.seed)
    g = torch.Generator().manual_seed(args.seed + 1)
    net = nets.Embedder(**cfg["arch"])
    params = sum(p.numel() for p in net.parameters())
    log("%s: %d parameters, input 1x%dx%d, margin %.2f" % (name, params, cfg["height"], cfg["width"], cfg["margin"]))
    src = augment.to_tensor(train_split.images, cfg["invert"])
    sampler = Sampler(train_split.labels, cfg["classes_per_batch"], cfg["per_class"], cfg["rot_classes"], args.seed + 2,
                      composites=cfg.get("composites", 0), overlay=cfg.get("overlay", 0.0),
                      groups=[k[0] for k in train_split.names] if train_split.names else None,
                      group_p=cfg.get("alphabet_batches", 0.0))
    opt = torch.optim.AdamW(net.parameters(), lr=cfg["lr"], weight_decay=cfg["weight_decay"])
    steps, warm = cfg["steps"], min(cfg["warmup"], cfg["steps"] // 2)

    def lr_at(s):  # linear warm-up, then cosine decay to zero
        if s < warm:
            return cfg["lr"] * (s + 1) / warm
        return cfg["lr"] * 0.5 * (1 + math.cos(math.pi * (s - warm) / max(1, steps - warm)))

    ema = EMA(net, cfg["ema"]) if cfg.get("ema") else None
    t0 = time.time()
    stats = []
    for step in range(steps):
        for grp in opt.param_groups:
            grp["lr"] = lr_at(step)
        idx, cuts, rot, lab = sampler.batch()
        x = compose(src, idx, cuts)
        if cfg.get("eyewear"):
            x = augment.eyewear(x, g, cfg["eyewear"])
        if cfg["rot_classes"]:
            x = torch.stack([torch.rot90(xi, int(r), (1, 2)) for xi, r in zip(x, rot)])
        x = augment.affine_views(x, (cfg["height"], cfg["width"]), cfg["factor"], g, cfg["affine"])
        if cfg["photo"]:
            x = augment.photometric(x, g, cfg["photo"])
        if cfg.get("erase"):
            x = augment.random_erase(x, g, cfg["erase"])
        x = (x - cfg["pixel_mean"]) / cfg["pixel_std"]
        net.train()
        e = net(x)
        d2, d = nets.pairwise_distances(e)
        i, j, y = select_pairs(d, lab, cfg["neg_ratio"], cfg["hard_frac"], g)
        loss = nets.contrastive_loss(d2[i, j], d[i, j], y, cfg["margin"])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if ema is not None:
            ema.update(net)
        with torch.no_grad():
            dp, dn = d[i, j][y == 0], d[i, j][y == 1]
            stats.append((loss.item(), dp.mean().item(), dn.mean().item(), (dn < cfg["margin"]).float().mean().item()))
        if (step + 1) % args.print_every == 0 or step + 1 == steps:
            s = np.mean(stats, 0)
            stats = []
            el = time.time() - t0
            log("step %5d/%d  loss %.4f  D+ %.3f  D- %.3f  neg<m %.2f  lr %.2e  %.0f img/s  %s" % (
                step + 1, steps, s[0], s[1], s[2], s[3], lr_at(step), (step + 1) * len(idx) / el,
                time.strftime("%M:%S", time.gmtime(el))))
        if (cfg["eval_every"] and (step + 1) % cfg["eval_every"] == 0 and step + 1 < steps and not args.smoke
                and (heldout is not None or run is not None)):
            log("  held-out (quick): " + fmt(evaluate(ema.model if ema else net, name, cfg, heldout, run, draws=10,
                                                      quick=True)))
    if ema is not None:
        net = ema.model
    net.eval()
    return net, params, time.time() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model", choices=sorted(CONFIGS))
    ap.add_argument("--name", help="the exported model's name (edge.name, and the default file names; default MODEL)")
    ap.add_argument("--onnx", help="where to write the ONNX file (default models/NAME.onnx)")
    ap.add_argument("--work", help="scratch folder (default models/.work/MODEL)")
    ap.add_argument("--parity-dir", help="where MODEL.in.npy / MODEL.out.npy go (default models/testdata)")
    ap.add_argument("--data", default=DATA, help="the data folder (default $EDGE_DATA, else ../shared/data from the project root)")
    ap.add_argument("--shared", help="the shared folder, whose data folder to use instead of --data")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, help="override the number of training steps")
    ap.add_argument("--version", type=int, default=1, help="edge.version to write")
    ap.add_argument("--holdout", default=",".join(OMNI_HELDOUT),
                    help="Omniglot alphabets held out of training, for validation and calibration (comma-separated)")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=JSON",
                    help="override a training setting (e.g. margin=1.5) or, as arch.KEY, an architecture one")
    ap.add_argument("--export-only", action="store_true", help="re-export from WORK/checkpoint.pt without training")
    ap.add_argument("--smoke", action="store_true", help="a few steps on a tiny subset (CI)")
    ap.add_argument("--print-every", type=int, default=50)
    args = ap.parse_args()
    args.holdout = [a for a in args.holdout.split(",") if a]

    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)
    name = args.model
    cfg = dict(CONFIGS[name])
    arch = {}
    for kv in args.set:
        k, v = kv.split("=", 1)
        if k.startswith("arch."):
            arch[k[5:]] = json.loads(v)
        elif k in cfg:
            cfg[k] = json.loads(v)
        else:
            ap.error("--set %s: no such setting" % k)
    cfg["arch"] = dict(nets.ARCHS[name], **arch)
    if name == "omniglot" and cfg["trained_on"] is None:
        left_out = list(args.holdout) + [a for a in cfg["unused_alphabets"] if a not in args.holdout]
        cfg["trained_on"] = "Omniglot background-small 1+2%s" % (
            " minus %s" % ", ".join(left_out) if left_out else "")
    if name == "faces" and cfg["trained_on"] is None:
        cfg["trained_on"] = "att-faces %s (%d people x 10 images)" % (
            people_text(cfg["train_people"]), len(cfg["train_people"]))
    if args.steps:
        cfg["steps"] = args.steps
    if args.smoke:
        cfg.update(steps=args.steps or 3, classes_per_batch=3, per_class=2, composites=min(2, cfg.get("composites", 0)))
        args.print_every = 1
    export_name = args.name or name
    onnx_path = args.onnx or os.path.join(ROOT, "models", export_name + ".onnx")
    work = args.work or os.path.join(ROOT, "models", ".work", name)
    os.makedirs(work, exist_ok=True)

    t_start = time.time()
    train_split, heldout, calib, run = load(name, args, cfg)
    log("%s: %d training images of %d classes; %s held-out images" % (
        name, len(train_split.images), len(np.unique(train_split.labels)),
        len(heldout.images) if heldout else 0))
    if calib is None and cfg.get("threshold") is None:  # fail before training, not after
        raise SystemExit("%s: nothing is held out to calibrate the threshold on; give it with --set threshold=T "
                         "(e.g. estimated by cross-validation, see models/faces-scratch.md)" % name)
    ckpt = os.path.join(work, "checkpoint.pt")
    if args.export_only:
        state = torch.load(ckpt)
        # The network and its input come from the checkpoint; the settings
        # that only describe its use (crop, resize, calibration) from here.
        cfg = dict(state["config"], **{k: cfg[k] for k in USE_ONLY})
        net = nets.from_checkpoint(state)
        params, train_s = sum(p.numel() for p in net.parameters()), state["train_seconds"]
    else:
        net, params, train_s = train(name, args, cfg, train_split, heldout, run)
        torch.save({"state_dict": net.state_dict(), "config": {k: v for k, v in cfg.items()},
                    "seed": args.seed, "threads": args.threads, "train_seconds": train_s}, ckpt)
        log("trained in %.0f s; checkpoint %s" % (train_s, ckpt))

    metrics = {"model": name, "parameters": params, "train_seconds": round(train_s, 1), "seed": args.seed,
               "threads": args.threads, "steps": cfg["steps"], "args": " ".join(sys.argv[1:])}
    if heldout is not None or run is not None:
        metrics["heldout"] = evaluate(net, name, cfg, heldout, run, draws=10 if args.smoke else 100)
        log("held-out (protocol, PyTorch): " + fmt(metrics["heldout"]))
    else:
        metrics["heldout"] = None
        log("held-out: none (every class trained on)")

    given = cfg.get("threshold")
    if calib is not None:
        e = embed(net, calib.images, cfg)
        d, same = protocol.pair_distances(e, calib.labels, max_images=None if name != "digits" else 4000)
        t, far, tar, n_imp = protocol.threshold_at_far(d, same, cfg["far"])
        metrics["threshold"] = {"value": t, "source": "calibrated on held-out pairs", "far_target": cfg["far"],
                                "far_measured": far, "tar": tar, "impostor_pairs": n_imp,
                                "genuine_pairs": int(same.sum())}
        log("threshold %.4f: FAR %.5f (target %g) over %d impostor pairs, TAR %.4f over %d genuine pairs" % (
            t, far, cfg["far"], n_imp, tar, same.sum()))
        if given is not None:
            # The given threshold is exported; report what it does on the held-out pairs.
            imp, gen = d[~same], d[same]
            metrics["threshold"] = {"value": float(given), "source": "given (--set threshold)",
                                    "far_target": cfg["far"], "far_measured": float(np.mean(imp <= given)),
                                    "tar": float(np.mean(gen <= given)), "impostor_pairs": int(len(imp)),
                                    "genuine_pairs": int(len(gen)), "calibrated_here": t}
            log("threshold %.4f given: FAR %.5f, TAR %.4f on the held-out pairs" % (
                given, metrics["threshold"]["far_measured"], metrics["threshold"]["tar"]))
    else:
        metrics["threshold"] = {"value": float(given), "source": "given (--set threshold); nothing held out",
                                "far_target": cfg["far"]}
        log("threshold %.4f given (nothing held out to measure it on)" % given)
    t = metrics["threshold"]["value"]

    parity_src = (heldout or calib or train_split).images[:3]
    parity_in = augment.preprocess(parity_src, cfg)
    want = export(net, export_name, cfg, onnx_path, metadata(export_name, cfg, net, t, args.version), parity_in)
    parity_dir = args.parity_dir or os.path.join(ROOT, "models", "testdata")
    os.makedirs(parity_dir, exist_ok=True)
    np.save(os.path.join(parity_dir, export_name + ".in.npy"), parity_in.numpy().astype(np.float32))
    np.save(os.path.join(parity_dir, export_name + ".out.npy"), want.astype(np.float32))
    metrics["onnx"] = {"path": os.path.relpath(onnx_path, ROOT) if onnx_path.startswith(ROOT) else onnx_path,
                       "bytes": os.path.getsize(onnx_path)}
    metrics["wall_seconds"] = round(time.time() - t_start, 1)
    with open(os.path.join(work, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=2)
    log("exported %s (%d bytes); metrics %s; total %.0f s" % (
        onnx_path, metrics["onnx"]["bytes"], os.path.join(work, "metrics.json"), metrics["wall_seconds"]))


if __name__ == "__main__":
    main()
