"""The embedding branch shared by both twins.

Built for edge's kernels: 3x3 convolutions (padding 1, no bias) with channel
counts in multiples of 8, each followed by BatchNorm (folded into the
convolution when exported) and ReLU (fused into it by the engine), 2x2 max
pooling, global average pooling, one fully connected layer to the embedding
and, optionally, L2 normalisation. An optional InstanceNorm on the input
standardises each image's brightness and contrast.
"""

import torch
import torch.nn as nn


class L2Norm(nn.Module):
    """x / max(||x||, eps) along dim 1, exported as ReduceL2, Clip and a broadcasting Div
    (F.normalize would add an Expand and lose the static embedding size)."""

    def forward(self, x):
        return x / torch.norm(x, p=2, dim=1, keepdim=True).clamp_min(1e-6)


class Embedder(nn.Module):
    """cfg lists convolution widths and 'M' for a 2x2 max pool."""

    def __init__(self, cfg, in_channels=1, embedding=64, normalize=True, instance_norm=False, grid=None,
                 dropout=0.0):
        """grid=(h, w) replaces global average pooling by average pooling to an
        h x w grid that the fully connected layer sees whole (keeps the layout
        of aligned faces); dropout acts before the fully connected layer."""
        super().__init__()
        layers = []
        if instance_norm:
            layers.append(nn.InstanceNorm2d(in_channels, affine=False, eps=1e-5))
        c = in_channels
        for v in cfg:
            if v == "M":
                layers.append(nn.MaxPool2d(2))
                continue
            if v % 8:
                raise ValueError("channel count %d is not a multiple of 8" % v)
            layers += [nn.Conv2d(c, v, 3, padding=1, bias=False), nn.BatchNorm2d(v), nn.ReLU(inplace=True)]
            c = v
        self.features = nn.Sequential(*layers)
        # AdaptiveAvgPool2d(1) is exported as GlobalAveragePool; to a grid it
        # becomes AveragePool, which needs the feature size to be a multiple
        # of the grid (the exporter refuses anything else).
        self.grid = tuple(grid) if grid else None
        self.pool = nn.AdaptiveAvgPool2d(self.grid or 1)
        self.flatten = nn.Flatten()
        self.drop = nn.Dropout(dropout) if dropout else nn.Identity()
        gh, gw = grid or (1, 1)
        # embedding=0: the pooled features themselves are the embedding.
        self.fc = nn.Linear(c * gh * gw, embedding) if embedding else nn.Identity()
        self.size = embedding or c * gh * gw
        self.norm = L2Norm() if normalize else nn.Identity()
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    def forward(self, x):
        x = self.features(x)
        if tuple(x.shape[-2:]) != tuple(self.pool.output_size if self.grid else (1, 1)):
            x = self.pool(x)  # a grid the size of the feature map needs no pooling (nor an exported op)
        return self.norm(self.fc(self.drop(self.flatten(x))))


def from_checkpoint(state):
    """The trained network of a train.py checkpoint (torch.load of WORK/checkpoint.pt), in eval mode."""
    net = Embedder(**state["config"]["arch"])
    net.load_state_dict(state["state_dict"])
    net.eval()
    return net


# Architectures of the shipped models. Inputs are (H, W); all grey.
ARCHS = {
    # Faces keep their layout: the last feature map (7x5 at 56x46) is
    # flattened whole into the fully connected layer instead of being
    # averaged away (grid = the feature map's size, so the pooling is the
    # identity and is not exported).
    "faces": dict(cfg=[16, 16, "M", 32, 32, "M", 64, 64, "M", 16], grid=(7, 5), dropout=0.3, embedding=64,
                  normalize=True, instance_norm=True),
    # Characters are roughly centred in their frame: as for faces, the last
    # feature map (4x4 at 35x35) is flattened whole rather than averaged.
    "omniglot": dict(cfg=[32, "M", 64, 64, "M", 96, 96, "M", 64], grid=(4, 4), dropout=0.2, embedding=64,
                     normalize=True, instance_norm=False),
    "digits": dict(cfg=[16, "M", 32, 32, "M", 64, 64], embedding=32,
                   normalize=True, instance_norm=False),
}



def pairwise_distances(e):
    """(D^2, D): squared and plain Euclidean distances between all rows of e.

    D^2 is computed from differences (not the ||a||^2 + ||b||^2 - 2ab
    expansion) so that it is exact and never negative; D's gradient is kept
    finite at 0 by a tiny floor under the square root.
    """
    diff = e.unsqueeze(1) - e.unsqueeze(0)
    d2 = diff.pow(2).sum(-1)
    return d2, torch.sqrt(d2.clamp_min(1e-12))


def contrastive_loss(d2, d, y, margin):
    """The contrastive loss, mean over the pairs given.

    L = (1-Y)·D² + Y·max(0, m-D)², Y=0 same class, Y=1 different.
    """
    y = y.to(d.dtype)
    return ((1 - y) * d2 + y * torch.clamp(margin - d, min=0).pow(2)).mean()
