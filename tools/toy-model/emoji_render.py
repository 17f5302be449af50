"""Batched torch renderer of emoji_world scenes: 64x64 RGB in [-1, 1], on any device.

Draws at 2x (128 px) and box-filters down, so sprites scaled by grid_sample are anti-aliased. Per picture:
background (plain pastel / photo sky and ground / painting canvas; snow and night change sky and ground),
the sprites back to front (optionally tinted to a colour word), then the setting's and the style's look
(snowflakes; night darkening and stars; painting posterisation, brush noise and a frame; photo softness
and grain). Training draws fresh pictures every step this way, so the data never repeats and costs the
GPU almost nothing. Also returns each layer's coverage mask (for the evaluator).
"""
from __future__ import annotations

from typing import List, Optional, Tuple

import numpy as np
import torch
import torch.nn.functional as F

from emoji_world import COLOURS, IMAGE_SIZE, NAMES, Scene

SS = 2
PLAIN = [(250, 240, 215), (215, 235, 250), (225, 245, 220), (250, 225, 230), (235, 230, 250), (245, 245, 245),
         (255, 245, 200), (220, 240, 240)]
COLOUR_LIST = list(COLOURS)
SETTINGS = ["", "snow", "night"]
STYLE_LIST = ["", "painting", "photo"]


def load_sprite_tensor(npz_path: str, device) -> torch.Tensor:
    """[N, 4, 64, 64] float in [0, 1], straight (not premultiplied) alpha, in emoji_world.NAMES order."""
    z = np.load(npz_path)
    assert list(z["names"]) == NAMES, "sprites.npz was written for another object list; rerun emoji_sprites.py"
    return torch.from_numpy(z["rgba"]).permute(0, 3, 1, 2).float().div(255).to(device)


def _rgb(c, device) -> torch.Tensor:
    return torch.tensor(c, dtype=torch.float32, device=device).div(255)


def _lowfreq(b: int, c: int, n: int, cells: int, gen, device) -> torch.Tensor:
    z = torch.randn(b, c, cells, cells, generator=gen, device=device)
    return F.interpolate(z, size=(n, n), mode="bicubic", align_corners=False)


def _background_colours(s: Scene):
    """(sky top, sky bottom, ground) in 0..255; flat backgrounds use one colour for all three."""
    if s.setting == "night":
        return (15, 20, 55), (45, 50, 100), (35, 40, 55)
    if s.setting == "snow":
        return (185, 200, 220), (220, 228, 238), (245, 248, 252)
    if s.style == "photo":
        return (110, 165, 230), (195, 220, 245), [(95, 160, 70), (215, 195, 145), (150, 150, 150)][s.bg % 3]
    flat = (225, 205, 160) if s.style == "painting" else PLAIN[s.bg]
    return flat, flat, flat


def backgrounds(scenes: List[Scene], gen, device) -> torch.Tensor:
    """[B, 3, 128, 128]: a vertical sky gradient above a horizon, flat ground below (one batched op)."""
    n, b = IMAGE_SIZE * SS, len(scenes)
    cols = torch.tensor([_background_colours(s) for s in scenes], dtype=torch.float32, device=device) / 255
    top, bottom, ground = (cols[:, j].view(b, 3, 1, 1) for j in range(3))
    horizon = torch.empty(b, 1, 1, 1, device=device).uniform_(0.62, 0.74, generator=gen)
    rows = torch.linspace(0, 1, n, device=device).view(1, 1, n, 1)
    sky = top + (bottom - top) * (rows / horizon).clamp(max=1)
    below = (rows >= horizon).float()
    return (sky * (1 - below) + ground * below).expand(b, 3, n, n).contiguous()


def tint(rgba: torch.Tensor, colour: torch.Tensor) -> torch.Tensor:
    """Recolour a sprite to a colour word, keeping its shading: luminance times the colour."""
    lum = (rgba[:, :3] * torch.tensor([0.3, 0.59, 0.11], device=rgba.device).view(1, 3, 1, 1)).sum(1, keepdim=True)
    rgb = (colour.view(-1, 3, 1, 1) * (0.45 + 0.8 * lum)).clamp(0, 1)
    return torch.cat([rgb, rgba[:, 3:]], 1)


def place(rgba: torch.Tensor, cx, cy, size) -> torch.Tensor:
    """Warp [B, 4, 64, 64] sprites to [B, 4, 128, 128] canvases: centre (cx, cy), side `size` (64-px units)."""
    b, n = rgba.shape[0], IMAGE_SIZE * SS
    s = IMAGE_SIZE / size
    theta = torch.zeros(b, 2, 3, device=rgba.device)
    theta[:, 0, 0], theta[:, 1, 1] = s, s
    theta[:, 0, 2] = -s * (cx / (IMAGE_SIZE / 2) - 1)
    theta[:, 1, 2] = -s * (cy / (IMAGE_SIZE / 2) - 1)
    grid = F.affine_grid(theta, [b, 4, n, n], align_corners=False)
    # premultiply so that bilinear filtering does not bleed the transparent pixels' colour into edges
    pm = torch.cat([rgba[:, :3] * rgba[:, 3:], rgba[:, 3:]], 1)
    return F.grid_sample(pm, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


def render(scenes: List[Scene], sprites: torch.Tensor, gen: Optional[torch.Generator] = None,
           masks: bool = False) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
    device, b, n = sprites.device, len(scenes), IMAGE_SIZE * SS
    img = backgrounds(scenes, gen, device)
    depth = max(len(s.layers) for s in scenes)
    cover = torch.zeros(b, depth, n, n, device=device) if masks else None
    palette = torch.tensor([COLOURS[c] for c in COLOUR_LIST], dtype=torch.float32, device=device) / 255
    for k in range(depth):
        rows = [i for i, s in enumerate(scenes) if len(s.layers) > k]
        ls = [scenes[i].layers[k] for i in rows]
        idx = torch.tensor([NAMES.index(l.name) for l in ls], device=device)
        rgba = sprites[idx]
        tinted = [j for j, l in enumerate(ls) if l.tint]
        if tinted:
            cols = palette[torch.tensor([COLOUR_LIST.index(ls[j].tint) for j in tinted], device=device)]
            rgba[tinted] = tint(rgba[tinted], cols)
        f = lambda a: torch.tensor(a, dtype=torch.float32, device=device)  # noqa: E731
        layer = place(rgba, f([l.cx for l in ls]), f([l.cy for l in ls]), f([l.size for l in ls]))
        r = torch.tensor(rows, device=device)
        a = layer[:, 3:]
        img[r] = img[r] * (1 - a) + layer[:, :3]
        if masks:
            cover[r, k] = a[:, 0]
    img = effects(img, scenes, gen)
    img = F.avg_pool2d(img, SS).clamp(0, 1) * 2 - 1
    return img, (F.avg_pool2d(cover, SS) if masks else None)


def effects(img: torch.Tensor, scenes: List[Scene], gen) -> torch.Tensor:
    device, b, n = img.device, img.shape[0], img.shape[-1]
    setting = torch.tensor([SETTINGS.index(s.setting) for s in scenes], device=device)
    style = torch.tensor([STYLE_LIST.index(s.style) for s in scenes], device=device)
    dots = torch.rand(b, 1, n, n, generator=gen, device=device)
    # night: darker and bluer, with a few stars
    night = (setting == 2).float().view(b, 1, 1, 1)
    dark = img * torch.tensor([0.55, 0.6, 0.8], device=device).view(1, 3, 1, 1)
    stars = (dots > 0.9985).float() * (torch.linspace(1, 0, n, device=device).view(1, 1, n, 1) > 0.5).float()
    img = img * (1 - night) + night * torch.maximum(dark, stars * 0.95)
    # snow: white flakes everywhere (2x2 at 128 px = one soft 64-px dot)
    snow = (setting == 1).float().view(b, 1, 1, 1)
    flakes = F.max_pool2d((dots < 0.004).float(), 3, 1, 1)
    img = img * (1 - snow * flakes) + snow * flakes * 0.97
    # painting: posterised colours, brush noise, a wooden frame
    paint = (style == 1).float().view(b, 1, 1, 1)
    poster = torch.round(img * 6) / 6
    brush = _lowfreq(b, 3, n, 16, gen, device) * 0.04 + torch.randn(b, 1, n, n, generator=gen, device=device) * 0.01
    painted = (0.6 * poster + 0.4 * img + brush).clamp(0, 1)
    edge = torch.zeros(1, 1, n, n, device=device)
    w = 3 * SS
    edge[..., :w, :], edge[..., -w:, :], edge[..., :, :w], edge[..., :, -w:] = 1, 1, 1, 1
    painted = painted * (1 - edge) + edge * _rgb((115, 72, 35), device).view(1, 3, 1, 1)
    img = img * (1 - paint) + paint * painted
    # photo: softer, with grain
    photo = (style == 2).float().view(b, 1, 1, 1)
    soft = F.avg_pool2d(F.pad(img, (1, 1, 1, 1), mode="replicate"), 3, 1)
    grain = torch.randn(b, 1, n, n, generator=gen, device=device) * 0.025
    img = img * (1 - photo) + photo * (soft + grain)
    return img


if __name__ == "__main__":
    import os
    import random
    import sys
    import time

    from PIL import Image

    from emoji_world import sample
    here = os.path.dirname(os.path.abspath(__file__))
    spr = load_sprite_tensor(os.path.join(here, "runs", "emoji", "sprites.npz"), "cpu")
    rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 0)
    caps, scenes = zip(*[sample(rng) for _ in range(64)])
    t = time.time()
    x, _ = render(list(scenes), spr, torch.Generator().manual_seed(0))
    print(f"{(time.time() - t) * 1000 / 64:.2f} ms/picture (cpu)")
    g = ((x + 1) * 127.5).round().byte().permute(0, 2, 3, 1).numpy()
    grid = g.reshape(8, 8, 64, 64, 3).transpose(0, 2, 1, 3, 4).reshape(512, 512, 3)
    Image.fromarray(grid).save(sys.argv[1] if len(sys.argv) > 1 else "/tmp/emoji_grid.png")
    print("\n".join(f"{i}: {c}" for i, c in enumerate(caps[:16])))
