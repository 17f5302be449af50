"""Analyser for generated toy images and the quality evaluation behind REPORT.md.

Analyser: background = median of the border pixels; object = largest 4-connected component of pixels
far from the background; colour = nearest palette colour to the mean of its core pixels; centroid =
mask centroid (pixels); shape = a tiny CNN on the soft object mask, trained on synthetic images and on
their autoencoder reconstructions (so decoder blur looks familiar), validated on held-out images.

  /usr/bin/python3 tools/toy-model/analyse.py train     # fit + validate the shape classifier
  /usr/bin/python3 tools/toy-model/analyse.py eval      # adherence + P2P centroid shift, grids
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections import deque

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from data import COLOURS, SHAPES, make_dataset  # noqa: E402
from train import shipped_ckpt  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
RUN = os.environ.get("TOY_RUN", os.path.dirname(shipped_ckpt()))  # a run folder: ckpt.pt, analyser.pt
PALETTE_NAMES = list(COLOURS)
PALETTE = np.array([COLOURS[c] for c in PALETTE_NAMES], np.float32)


def object_mask(img: np.ndarray):
    """img uint8 [H,W,3] -> (soft mask in [0,1] of the largest component, hard mask) or (None, None)."""
    f = img.astype(np.float32)
    border = np.concatenate([f[0], f[-1], f[:, 0], f[:, -1]])
    bg = np.median(border, axis=0)
    dist = np.linalg.norm(f - bg, axis=-1)
    hard = dist > 60.0
    if not hard.any():
        return None, None
    H, W = hard.shape
    labels = np.zeros((H, W), np.int32)
    best, best_n, lab = 0, 0, 0
    for y0 in range(H):
        for x0 in range(W):
            if hard[y0, x0] and not labels[y0, x0]:
                lab += 1
                labels[y0, x0] = lab
                q, n = deque([(y0, x0)]), 0
                while q:
                    y, x = q.popleft()
                    n += 1
                    for dy, dx in ((1, 0), (-1, 0), (0, 1), (0, -1)):
                        yy, xx = y + dy, x + dx
                        if 0 <= yy < H and 0 <= xx < W and hard[yy, xx] and not labels[yy, xx]:
                            labels[yy, xx] = lab
                            q.append((yy, xx))
                if n > best_n:
                    best, best_n = lab, n
    comp = labels == best
    soft = np.clip(dist / max(dist[comp].max(), 1e-6), 0, 1) * comp
    return soft.astype(np.float32), comp


class ShapeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(32, 64, 3, stride=2, padding=1), nn.ReLU(), nn.Conv2d(64, 64, 3, stride=2, padding=1),
            nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, len(SHAPES)))

    def forward(self, x):
        return self.net(x)


class Analyser:
    def __init__(self, net: ShapeNet | None = None):
        self.net = net

    @staticmethod
    def load(path=os.path.join(RUN, "analyser.pt")):
        net = ShapeNet()
        net.load_state_dict(torch.load(path))
        net.eval()
        return Analyser(net)

    def analyse(self, imgs: np.ndarray):
        """imgs uint8 [N,H,W,3] -> list of dicts {colour, shape, cx, cy, area} (None fields if empty)."""
        out, masks, idx = [], [], []
        for i, img in enumerate(imgs):
            soft, comp = object_mask(img)
            if soft is None:
                out.append(dict(colour=None, shape=None, cx=None, cy=None, area=0))
                continue
            core = soft > 0.6
            mean = img[core].astype(np.float32).mean(0)
            colour = PALETTE_NAMES[int(np.argmin(np.linalg.norm(PALETTE - mean, axis=1)))]
            ys, xs = np.nonzero(comp)
            out.append(dict(colour=colour, shape=None, cx=float(xs.mean()), cy=float(ys.mean()), area=int(comp.sum())))
            masks.append(soft)
            idx.append(i)
        if masks and self.net is not None:
            with torch.no_grad():
                pred = self.net(torch.from_numpy(np.stack(masks))[:, None]).argmax(1).numpy()
            for i, p in zip(idx, pred):
                out[i]["shape"] = SHAPES[p]
        return out


def _single_object(n, seed):
    imgs, caps, objs = make_dataset(int(n * 1.4), seed)
    keep = [i for i, o in enumerate(objs) if len(o) == 1][:n]
    return imgs[keep], [objs[i][0] for i in keep]


def _recon(imgs):
    from train import load_trained, to_tensor
    _, _, ae, _, _, _ = load_trained(os.path.join(RUN, "ckpt.pt"))
    out = []
    with torch.no_grad():
        for i in range(0, len(imgs), 512):
            y = ae.decoder(ae.encoder(to_tensor(imgs[i:i + 512])))
            out.append(((y / 2 + 0.5).clamp(0, 1) * 255).round().byte().permute(0, 2, 3, 1).numpy())
    return np.concatenate(out)


def train_analyser(n=6000, epochs=8):
    torch.set_num_threads(1)
    torch.manual_seed(0)
    imgs, objs = _single_object(n, seed=1001)
    imgs = np.concatenate([imgs, _recon(imgs)])
    labels = torch.tensor([SHAPES.index(o.shape) for o in objs] * 2)
    masks = torch.from_numpy(np.stack([object_mask(im)[0] for im in imgs]))[:, None]
    net = ShapeNet()
    opt = torch.optim.Adam(net.parameters(), 2e-3)
    for ep in range(epochs):
        perm = torch.randperm(len(masks))
        for i in range(0, len(perm), 128):
            b = perm[i:i + 128]
            loss = F.cross_entropy(net(masks[b]), labels[b])
            opt.zero_grad()
            loss.backward()
            opt.step()
        print(f"analyser epoch {ep} loss {loss.item():.4f}", flush=True)
    net.eval()
    torch.save(net.state_dict(), os.path.join(RUN, "analyser.pt"))
    return validate(Analyser(net))


def validate(an: Analyser, n=2000):
    """Accuracy on held-out synthetic images (a seed never used for training), raw and reconstructed."""
    imgs, objs = _single_object(n, seed=2002)
    res = {}
    for name, ims in (("synthetic", imgs), ("ae_reconstruction", _recon(imgs))):
        r = an.analyse(ims)
        col = np.mean([a["colour"] == o.colour for a, o in zip(r, objs)])
        shp = np.mean([a["shape"] == o.shape for a, o in zip(r, objs)])
        err = np.median([np.hypot(a["cx"] - o.cx, a["cy"] - o.cy) for a, o in zip(r, objs) if a["cx"] is not None])
        res[name] = dict(n=len(objs), colour_acc=float(col), shape_acc=float(shp), centroid_err_px_median=float(err))
    print(json.dumps(res, indent=1))
    with open(os.path.join(RUN, "analyser_validation.json"), "w") as f:
        json.dump(res, f, indent=1)
    return res


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["train", "eval"])
    a = ap.parse_args()
    if a.cmd == "train":
        train_analyser()
    else:
        import evaluate
        evaluate.main()
