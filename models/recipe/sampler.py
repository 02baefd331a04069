"""The batches and pairs the recipe trains on: P classes x K images per
batch (with synthetic composite identities), and the online selection of
positive and hard negative pairs within a batch."""

import numpy as np
import torch


class Sampler:
    """P classes x K images per batch, seeded.

    With rot_classes every class also appears rotated by 90, 180 and 270
    degrees as three further classes. With composites=C, each batch also
    holds C synthetic identities: a composite class stacks horizontal bands
    of different people's photos (two or three bands: hair and forehead /
    eyes and nose / mouth and chin, cut at rows drawn once per class and
    blended over a few rows), each of its K images from other photos of the
    same people. The net then sees far more identities than the data holds,
    and must tell faces apart by every part. With overlay=p, a composite
    class is instead, with probability p, two classes drawn over each other
    (pixel maximum; for Omniglot, where strokes are bright on black, a new
    character made of both characters' strokes).

    With groups (a group name per class, e.g. its alphabet) and group_p=q,
    a batch is with probability q drawn from the classes of one group, its
    composites included, so that its negatives are as alike as the test's
    (the official Omniglot runs are within one alphabet).
    """

    def __init__(self, labels, P, K, rot_classes, seed, composites=0, bands=(2, 3), overlay=0.0,
                 groups=None, group_p=0.0):
        self.rng = np.random.default_rng(seed)
        self.by_class = [np.flatnonzero(labels == c) for c in np.unique(labels)]
        self.rots = 4 if rot_classes else 1
        self.P, self.K = min(P, len(self.by_class) * self.rots), K
        self.composites, self.bands, self.overlay = composites, bands, overlay
        self.group_p = group_p
        if group_p:
            if groups is None:
                raise ValueError("group_p=%g needs a group per class" % group_p)
            if len(groups) != len(self.by_class):
                raise ValueError("%d groups for %d classes" % (len(groups), len(self.by_class)))
            names = sorted(set(groups))
            self.groups = [np.array([c for c, g in enumerate(groups) if g == n]) for n in names]

    def _take(self, c):
        members = self.by_class[c]
        return self.rng.choice(members, self.K, replace=len(members) < self.K)

    def batch(self):
        """(src, cuts, rot, labels): src (N, 3) source indices of the bands
        (-1: unused), cuts (N, 2) band boundaries as fractions of the height
        (a negative first cut marks an overlay)."""
        n = len(self.by_class) * self.rots
        pool = np.arange(len(self.by_class))  # the classes this batch draws from
        if self.group_p and self.rng.random() < self.group_p:
            pool = self.groups[self.rng.integers(len(self.groups))]
        cand = (pool[:, None] * self.rots + np.arange(self.rots)).ravel()
        picks = self.rng.choice(cand, min(self.P, len(cand)), replace=False)
        src, cuts, rot, lab = [], [], [], []
        for c in picks:
            for i in self._take(c // self.rots):
                src.append((i, -1, -1))
                cuts.append((2.0, 2.0))
            rot += [c % self.rots] * self.K
            lab += [c] * self.K
        for k in range(self.composites):
            if self.overlay > 0 and self.rng.random() < self.overlay:
                a, b = self.rng.choice(pool, 2, replace=False)
                for i, j in zip(self._take(a), self._take(b)):
                    src.append((i, j, -1))
                    cuts.append((-1.0, 2.0))
                rot += [0] * self.K
                lab += [n + k] * self.K
                continue
            nb = int(self.rng.choice(self.bands))
            people = self.rng.choice(pool, nb, replace=False)
            if nb == 2:
                cut = (self.rng.uniform(0.42, 0.62), 2.0)
            else:
                cut = (self.rng.uniform(0.30, 0.42), self.rng.uniform(0.55, 0.68))
            takes = [self._take(p) for p in people] + [[-1] * self.K] * (3 - nb)
            for j in range(self.K):
                src.append(tuple(t[j] for t in takes))
                cuts.append(cut)
            rot += [0] * self.K
            lab += [n + k] * self.K  # distinct within the batch; pairs never span batches
        return (np.array(src), np.array(cuts, np.float32), np.array(rot), torch.from_numpy(np.array(lab)))


def compose(src, idx, cuts, ramp=4.0):
    """The batch's source images: band b of image n comes from src[idx[n, b]],
    below row cuts[n, b-1]·H, blended over `ramp` rows."""
    x = src[idx[:, 0]]
    H = src.shape[2]
    rows = torch.arange(H, dtype=torch.float32).view(1, 1, H, 1)
    over = np.flatnonzero((idx[:, 1] >= 0) & (cuts[:, 0] < 0))
    if len(over):
        x[over] = torch.maximum(x[over], src[idx[over, 1]])
    for b in (1, 2):
        m = np.flatnonzero((idx[:, b] >= 0) & (cuts[:, 0] >= 0))
        if len(m):
            c = torch.from_numpy(cuts[m, b - 1]).view(-1, 1, 1, 1) * H
            w = ((rows - c) / ramp + 0.5).clamp(0, 1)
            x[m] = (1 - w) * x[m] + w * src[idx[m, b]]
    return x


def select_pairs(d, labels, neg_ratio, hard_frac, g):
    """Online pair selection within a batch: (i, j, y) of every positive pair and
    neg_ratio x as many negatives, hard_frac of them the hardest (closest)
    different-class pairs and the rest random different-class pairs."""
    n = len(labels)
    iu = torch.triu_indices(n, n, 1)
    same = labels[iu[0]] == labels[iu[1]]
    pos = iu[:, same]
    neg = iu[:, ~same]
    want = min(neg.shape[1], int(round(neg_ratio * pos.shape[1])))
    n_hard = int(round(want * hard_frac))
    dn = d.detach()[neg[0], neg[1]]
    hard = torch.argsort(dn)[:n_hard]
    rest = torch.ones(neg.shape[1], dtype=torch.bool)
    rest[hard] = False
    rest_idx = torch.nonzero(rest).flatten()
    rand = rest_idx[torch.randperm(len(rest_idx), generator=g)[:want - n_hard]]
    neg = neg[:, torch.cat([hard, rand])]
    i = torch.cat([pos[0], neg[0]])
    j = torch.cat([pos[1], neg[1]])
    y = torch.cat([torch.zeros(pos.shape[1]), torch.ones(neg.shape[1])])
    return i, j, y
