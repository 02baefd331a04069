"""Batch augmentation and the preprocessing edge applies at run time.

Source images are kept at their native resolution as float tensors in [0, 1]
(inverted first where the model says edge.invert=1). A training view is made
by one random affine warp (grid_sample) to `factor` times the model's input
size followed by factor x factor average pooling, so that the last step is
the same area resampling the runtime uses (edge.resize=area; at the integer
factors used here it is an exact box average). Photometric changes act on
the pooled view. All randomness comes from the torch.Generator passed in.
"""

import math

import numpy as np
import torch
import torch.nn.functional as F


def to_tensor(images, invert):
    """uint8 (H, W) arrays of one size -> float32 (N, 1, H, W) in [0, 1]."""
    x = torch.from_numpy(np.stack(images)).float().div_(255.0).unsqueeze(1)
    return 1.0 - x if invert else x


def preprocess(images, spec):
    """What edge does to a whole image (crop none) before the network.

    uint8 (H, W) arrays -> float32 (N, 1, h, w): invert if asked, area
    resampling to the input size, then (p - mean) / std.
    """
    out = []
    for img in images:
        x = torch.from_numpy(np.asarray(img, dtype=np.float32)).div(255.0)[None, None]
        if spec["invert"]:
            x = 1.0 - x
        x = area_resize(x, spec["height"], spec["width"])
        out.append(x)
    x = torch.cat(out)
    return (x - spec["pixel_mean"]) / spec["pixel_std"]


def area_resize(x, h, w):
    """Area (box-filter) resampling of (N, C, H, W) to (h, w).

    Each output pixel is the mean of the source area it covers, with
    fractional weights at the edges (OpenCV's INTER_AREA for downscaling).
    Integer factors reduce to plain block averages.
    """
    H, W = x.shape[-2:]
    if (H, W) == (h, w):
        return x
    if H % h == 0 and W % w == 0:
        return F.avg_pool2d(x, (H // h, W // w))
    return _area_matrix(h, H).to(x) @ x @ _area_matrix(w, W).to(x).T


def _area_matrix(n, N):
    """(n, N) weights of area resampling from N to n samples along one axis."""
    m = torch.zeros(n, N, dtype=torch.float64)
    scale = N / n
    for i in range(n):
        a, b = i * scale, (i + 1) * scale
        j = int(math.floor(a))
        while j < b and j < N:
            m[i, j] = min(b, j + 1) - max(a, j)
            j += 1
    if scale < 1:  # upscaling: fall back to bilinear weights (half-pixel centres)
        m.zero_()
        for i in range(n):
            s = min(max((i + 0.5) * scale - 0.5, 0), N - 1)
            j = int(math.floor(s))
            f = s - j
            m[i, j] += 1 - f
            m[i, min(j + 1, N - 1)] += f
    return m / m.sum(1, keepdim=True)


def _u(g, n, lo, hi):
    return torch.rand(n, generator=g) * (hi - lo) + lo


def _on(g, n, p):
    return (torch.rand(n, generator=g) < p).float()


def affine_views(src, out_hw, factor, g, p):
    """Random affine warps of src (N, 1, H, W) -> (N, 1, out_h, out_w).

    p holds the ranges: rot (degrees), scale (lo, hi), aniso (relative x/y
    scale spread), shear, shift (fraction of the size), flip (probability),
    p_each (probability that each component is applied, Koch et al. style),
    pad ('zeros' or 'border').
    """
    n = src.shape[0]
    H, W = src.shape[-2:]
    on = lambda: _on(g, n, p.get("p_each", 1.0))
    rot = torch.deg2rad(_u(g, n, -p["rot"], p["rot"])) * on()
    s = torch.exp(_u(g, n, math.log(p["scale"][0]), math.log(p["scale"][1])) * on())
    a = torch.exp(_u(g, n, -p["aniso"], p["aniso"]) * on())
    sx, sy = s * a, s / a
    shx = _u(g, n, -p["shear"], p["shear"]) * on()
    shy = _u(g, n, -p["shear"], p["shear"]) * on()
    tx = _u(g, n, -p["shift"], p["shift"]) * 2 * on()
    ty = _u(g, n, -p["shift"], p["shift"]) * 2 * on()
    flip = 1 - 2 * _on(g, n, p.get("flip", 0.0))
    # Forward map in pixel units (output = A · input): flip, scale, shear,
    # rotate. grid_sample needs the inverse, in coordinates normalised to
    # [-1, 1] on each axis, so the off-diagonal terms carry the aspect ratio.
    c, si = torch.cos(rot), torch.sin(rot)
    A = torch.zeros(n, 2, 2)
    A[:, 0, 0], A[:, 0, 1], A[:, 1, 0], A[:, 1, 1] = flip, shx, shy, 1.0
    A = torch.diag_embed(torch.stack([sx, sy], 1)) @ A
    R = torch.stack([torch.stack([c, -si], 1), torch.stack([si, c], 1)], 1)
    A = R @ A
    inv = torch.linalg.inv(A)
    inv[:, 0, 1] *= H / W
    inv[:, 1, 0] *= W / H
    theta = torch.cat([inv, -inv @ torch.stack([tx, ty], 1).unsqueeze(2)], 2)
    oh, ow = out_hw[0] * factor, out_hw[1] * factor
    grid = F.affine_grid(theta, (n, 1, oh, ow), align_corners=False)
    x = F.grid_sample(src, grid, mode="bilinear", padding_mode=p.get("pad", "zeros"), align_corners=False)
    return F.avg_pool2d(x, factor) if factor > 1 else x


def gaussian_blur(x, sigma):
    """Per-image Gaussian blur of (N, 1, H, W); sigma (N,), 0 leaves an image alone."""
    n = x.shape[0]
    r = 3
    t = torch.arange(-r, r + 1, dtype=x.dtype)
    k = torch.exp(-t[None] ** 2 / (2 * sigma.clamp_min(1e-3)[:, None] ** 2))
    k = k / k.sum(1, keepdim=True)
    xp = F.pad(x.transpose(0, 1), (r, r, r, r), mode="replicate")  # (1, N, H+2r, W+2r)
    xp = F.conv2d(xp, k.view(n, 1, 1, -1), groups=n)
    xp = F.conv2d(xp, k.view(n, 1, -1, 1), groups=n)
    return xp.transpose(0, 1)


def photometric(x, g, p):
    """Brightness, contrast, gamma, blur, low resolution and noise, each per image."""
    n = x.shape[0]
    if p.get("gamma"):
        gm = torch.exp(_u(g, n, -p["gamma"], p["gamma"]))
        x = x.clamp(0, 1).pow(gm.view(n, 1, 1, 1))
    if p.get("contrast"):
        c = torch.exp(_u(g, n, -p["contrast"], p["contrast"])).view(n, 1, 1, 1)
        m = x.mean((1, 2, 3), keepdim=True)
        x = (x - m) * c + m
    if p.get("brightness"):
        x = x + _u(g, n, -p["brightness"], p["brightness"]).view(n, 1, 1, 1)
    if p.get("lowres"):
        # A coarser camera: down to a random fraction of the size and back.
        h, w = x.shape[-2:]
        on = _on(g, n, p["lowres"][0]).view(n, 1, 1, 1)
        f = float(_u(g, 1, p["lowres"][1], 1.0))
        small = F.interpolate(x, size=(max(4, round(h * f)), max(4, round(w * f))), mode="area")
        x = on * F.interpolate(small, size=(h, w), mode="bilinear", align_corners=False) + (1 - on) * x
    if p.get("blur"):
        on = _on(g, n, p["blur"][0])
        x = gaussian_blur(x, _u(g, n, 0.3, p["blur"][1]) * on)
    if p.get("noise"):
        on = _on(g, n, p["noise"][0]).view(n, 1, 1, 1)
        sd = _u(g, n, 0, p["noise"][1]).view(n, 1, 1, 1)
        x = x + on * sd * torch.randn(x.shape, generator=g)
    return x.clamp(0, 1)


def random_erase(x, g, p):
    """Random erasing (cutout) of (N, 1, H, W) in [0, 1]: with probability p["p"]
    per image, one rectangle covering a random fraction p["area"] = (lo, hi) of
    the image, of aspect (height/width) in p["aspect"] = (lo, hi) (log-uniform,
    default (0.5, 2)), is filled with the image's mean (flat after the input
    InstanceNorm). Occludes glasses, a mouth, an eye: the embedding cannot
    rest on any one region."""
    n, _, H, W = x.shape
    on = _on(g, n, p["p"])
    area = _u(g, n, p["area"][0], p["area"][1]) * H * W
    lo, hi = p.get("aspect", (0.5, 2.0))
    asp = torch.exp(_u(g, n, math.log(lo), math.log(hi)))
    h = (area * asp).sqrt().clamp(1, H)
    w = (area / asp).sqrt().clamp(1, W)
    y0 = torch.rand(n, generator=g) * (H - h)
    x0 = torch.rand(n, generator=g) * (W - w)
    rows = torch.arange(H, dtype=x.dtype).view(1, H, 1)
    cols = torch.arange(W, dtype=x.dtype).view(1, 1, W)
    box = ((rows >= y0.view(n, 1, 1)) & (rows < (y0 + h).view(n, 1, 1)) &
           (cols >= x0.view(n, 1, 1)) & (cols < (x0 + w).view(n, 1, 1))).unsqueeze(1)
    box = box & (on.view(n, 1, 1, 1) > 0)
    mean = x.mean((1, 2, 3), keepdim=True).expand_as(x)
    return torch.where(box, mean, x)


def eyewear(x, g, p):
    """Synthetic spectacles on (N, 1, H, W) in [0, 1] at the source resolution,
    before the affine warp: with probability p["p"] per image, two elliptical
    rims over where the eyes of an aligned face are, a bridge and the temple
    arms, drawn 1-2 px wide in a dark (80%) or light frame colour with soft
    edges. Photos of one person with and without glasses are among the faces
    model's failures in cross-validation (models/faces-scratch.md); the positions are fractions of the
    frame, p["row"] = (lo, hi) for the eye row (default (0.40, 0.50)) and
    p["apart"] = (lo, hi) for each eye's offset from the centre (default
    (0.19, 0.25) of the width)."""
    n, _, H, W = x.shape
    on = _on(g, n, p["p"]).view(n, 1, 1, 1)
    r0, r1 = p.get("row", (0.40, 0.50))
    a0, a1 = p.get("apart", (0.19, 0.25))
    cy = _u(g, n, r0, r1).view(n, 1, 1) * H
    cx = (0.5 + _u(g, n, -0.03, 0.03)).view(n, 1, 1) * W
    off = _u(g, n, a0, a1).view(n, 1, 1) * W
    a = off * _u(g, n, 0.6, 0.85).view(n, 1, 1)  # rim half-width
    b = _u(g, n, 0.055, 0.09).view(n, 1, 1) * H  # rim half-height
    t = _u(g, n, 0.8, 2.2).view(n, 1, 1)  # line width, pixels
    dark = _on(g, n, 0.8).view(n, 1, 1)
    ink = dark * _u(g, n, 0.03, 0.3).view(n, 1, 1) + (1 - dark) * _u(g, n, 0.75, 1.0).view(n, 1, 1)
    rows = torch.arange(H, dtype=x.dtype).view(1, H, 1)
    cols = torch.arange(W, dtype=x.dtype).view(1, 1, W)
    alpha = torch.zeros(n, H, W, dtype=x.dtype)
    for side in (-1.0, 1.0):
        ex = cx + side * off
        r = (((cols - ex) / a) ** 2 + ((rows - cy) / b) ** 2).sqrt()
        alpha = torch.maximum(alpha, (t / 2 - (r - 1).abs() * torch.minimum(a, b) + 0.5).clamp(0, 1))
    line = (t / 2 - (rows - cy).abs() + 0.5).clamp(0, 1)
    bridge = (cols > cx - off + a) & (cols < cx + off - a)
    reach = off + a + 0.04 * W  # the arms end at the ears
    arms = ((cols - cx).abs() > off + a) & ((cols - cx).abs() < reach)
    alpha = torch.maximum(alpha, line * (bridge | arms).to(x.dtype))
    alpha = alpha.unsqueeze(1) * on
    return x * (1 - alpha) + ink.unsqueeze(1) * alpha
