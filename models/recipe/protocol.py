"""The shared evaluation protocol (../shared/README.md) on embeddings, in numpy.

These are the recipe's own monitoring figures; the model cards quote
`edge eval` (our Go engine) as well. Draws are seeded, so reruns agree; the
Go tool draws with its own generator, so one-shot figures may differ in the
last digits.
"""

import numpy as np


def distances(a, b):
    """Euclidean distances (len(a), len(b)), in float64."""
    a = np.asarray(a, np.float64)
    b = np.asarray(b, np.float64)
    d2 = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2 * a @ b.T
    return np.sqrt(np.maximum(d2, 0))


def oneshot(emb, labels, draws=100, seed=0):
    """One-shot N-way identification: mean accuracy over seeded draws.

    Each draw enrols one random image per class and classifies every other
    image by its nearest enrolled embedding.
    """
    rng = np.random.default_rng(seed)
    classes = np.unique(labels)
    idx = [np.flatnonzero(labels == c) for c in classes]
    accs = []
    for _ in range(draws):
        gallery = np.array([rng.choice(i) for i in idx])
        probe = np.setdiff1d(np.arange(len(labels)), gallery)
        d = distances(emb[probe], emb[gallery])
        accs.append(np.mean(classes[d.argmin(1)] == labels[probe]))
    return float(np.mean(accs)), len(classes)


def pair_distances(emb, labels, max_images=None, seed=0):
    """Distances and same-class flags of all unordered pairs (optionally of a seeded subset)."""
    if max_images and len(labels) > max_images:
        keep = np.sort(np.random.default_rng(seed).choice(len(labels), max_images, replace=False))
        emb, labels = emb[keep], labels[keep]
    iu = np.triu_indices(len(labels), 1)
    d = distances(emb, emb)[iu]
    same = labels[iu[0]] == labels[iu[1]]
    return d, same


def verification(d, same):
    """ROC AUC, EER and TAR at FAR=1% of 'distance <= t means same'."""
    order = np.argsort(d, kind="stable")
    d, same = d[order], same[order]
    npos, nneg = same.sum(), (~same).sum()
    # Accepting everything up to each distinct distance.
    last = np.r_[np.flatnonzero(np.diff(d)), len(d) - 1]
    tp = np.cumsum(same)[last] / npos
    fp = np.cumsum(~same)[last] / nneg
    tpr = np.r_[0.0, tp]
    fpr = np.r_[0.0, fp]
    auc = float(np.sum((fpr[1:] - fpr[:-1]) * (tpr[1:] + tpr[:-1]) / 2))
    # EER: where the false-reject rate 1-TPR meets the false-accept rate.
    frr = 1 - tpr
    k = np.flatnonzero(fpr >= frr)[0]
    if k == 0:
        eer = 0.0
    else:
        # Linear interpolation between the two operating points around the crossing.
        a0, a1 = fpr[k - 1] - frr[k - 1], fpr[k] - frr[k]
        w = a0 / (a0 - a1) if a1 != a0 else 0.0
        eer = float(fpr[k - 1] + w * (fpr[k] - fpr[k - 1]))
    tar = float(tpr[np.flatnonzero(fpr <= 0.01)[-1]])
    return {"auc": auc, "eer": eer, "tar_at_far1": tar}


def threshold_at_far(d, same, far):
    """The calibrated default threshold: distance <= t accepts at most `far` of impostor pairs.

    t lies halfway between the k-th and (k+1)-th smallest impostor distances,
    k = floor(far · impostors). Returns (t, measured FAR, TAR at t, impostor pairs).
    """
    imp = np.sort(d[~same])
    k = int(np.floor(far * len(imp)))
    t = imp[0] / 2 if k == 0 else (imp[k - 1] + imp[k]) / 2
    return float(t), float(np.mean(imp <= t)), float(np.mean(d[same] <= t)), len(imp)


def omniglot_runs(emb_test, emb_train, answer):
    """Official 20-way rule: each test image takes the class of the nearest training image."""
    d = distances(emb_test, emb_train)
    return int(np.sum(d.argmin(1) == answer)), len(answer)


def simulated_runs(emb, labels, alphabet_of, drawer_of, runs=400, ways=20, seed=0):
    """Official-style 20-way runs drawn from held-out alphabets.

    Each run picks an alphabet with at least `ways` characters, `ways` of its
    characters and two drawers; one drawer's images are the training images,
    the other's the test images. Returns the accuracy over all trials.
    """
    rng = np.random.default_rng(seed)
    alph = {}
    for i, (c, a) in enumerate(zip(labels, alphabet_of)):
        alph.setdefault(a, set()).add(c)
    usable = sorted(a for a, cs in alph.items() if len(cs) >= ways)
    if not usable:
        return None
    where = {(c, w): i for i, (c, w) in enumerate(zip(labels, drawer_of))}
    correct = total = 0
    for _ in range(runs):
        a = usable[rng.integers(len(usable))]
        cs = rng.choice(sorted(alph[a]), ways, replace=False)
        d1, d2 = rng.choice(np.arange(1, 21), 2, replace=False)
        tr = [where[(c, d1)] for c in cs]
        te = [where[(c, d2)] for c in cs]
        k, n = omniglot_runs(emb[te], emb[tr], np.arange(ways))
        correct += k
        total += n
    return correct / total
