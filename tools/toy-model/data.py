"""Procedural "coloured shapes" dataset: 32x32 RGB images with captions from a small grammar.

Each shape has its own prior over position and size (circles float high like balloons, squares sit
low like boxes, triangles lean left, ...), so a plain word swap moves the object when the position is
left to the noise, and Prompt-to-Prompt's layout preservation becomes visible and measurable.
Captions are lowercase and punctuation-free, so a word lookup equals true CLIP BPE (see tokenizer.py).
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import List, Optional, Tuple

import numpy as np
from PIL import Image, ImageDraw

IMAGE_SIZE = 32
SS = 4  # supersampling factor for anti-aliased edges

COLOURS = {
    "red": (220, 40, 40),
    "green": (40, 180, 60),
    "blue": (50, 90, 235),
    "yellow": (240, 220, 40),
    "purple": (150, 60, 205),
    "orange": (245, 140, 30),
    "white": (240, 240, 240),
    "pink": (250, 135, 195),
}
# dark, low-saturation backgrounds: never confusable with an object colour
BACKGROUNDS = [(25, 25, 30), (65, 65, 70), (40, 50, 72), (72, 58, 48), (40, 64, 52)]

SHAPES = ["circle", "square", "triangle", "star", "heart", "ring", "cross"]

# Per-shape prior: centre (x, y) in pixels, std along x and y, and P(big) when the size is unstated.
PRIORS = {
    "circle": ((16.0, 9.0), (4.0, 1.5), 0.3),    # balloons float high
    "square": ((16.0, 23.0), (4.0, 1.5), 0.7),   # boxes sit low
    "triangle": ((9.0, 16.0), (1.5, 4.0), 0.5),  # leans left
    "star": ((23.0, 9.0), (2.0, 2.0), 0.3),      # top right, in the sky
    "heart": ((23.0, 17.0), (1.5, 4.0), 0.5),    # leans right
    "ring": ((16.0, 16.0), (2.0, 2.0), 0.6),     # centred
    "cross": ((9.0, 23.0), (2.0, 2.0), 0.5),     # bottom left
}
SIZES = {"small": (5.5, 0.5), "big": (8.5, 0.7)}  # radius mean, std (small >= ~3 latent pixels wide)
POSITIONS = {"on the left": ("x", 9.0), "on the right": ("x", 23.0),
             "at the top": ("y", 9.0), "at the bottom": ("y", 23.0)}

VOCAB_WORDS = sorted(set(
    ["a", "and", "on", "the", "at", "left", "right", "top", "bottom", "small", "big"]
    + list(COLOURS) + SHAPES))


@dataclass
class Obj:
    shape: str
    colour: str
    cx: float
    cy: float
    r: float


def _star(cx, cy, r, points=5, inner=0.45):
    pts = []
    for i in range(points * 2):
        a = -math.pi / 2 + i * math.pi / points
        rr = r if i % 2 == 0 else r * inner
        pts.append((cx + rr * math.cos(a), cy + rr * math.sin(a)))
    return pts


def _heart(cx, cy, r, n=60):
    pts = []
    for i in range(n):
        t = 2 * math.pi * i / n
        x = 16 * math.sin(t) ** 3
        y = 13 * math.cos(t) - 5 * math.cos(2 * t) - 2 * math.cos(3 * t) - math.cos(4 * t)
        pts.append((cx + x * r / 16.5, cy - y * r / 16.5 + r * 0.1))
    return pts


def draw_object(d: ImageDraw.ImageDraw, o: Obj):
    c, s = COLOURS[o.colour], SS
    cx, cy, r = (o.cx + 0.5) * s, (o.cy + 0.5) * s, o.r * s
    if o.shape == "circle":
        d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=c)
    elif o.shape == "square":
        q = r * 0.85
        d.rectangle([cx - q, cy - q, cx + q, cy + q], fill=c)
    elif o.shape == "triangle":
        d.polygon([(cx, cy - r), (cx + r * 0.95, cy + r * 0.8), (cx - r * 0.95, cy + r * 0.8)], fill=c)
    elif o.shape == "star":
        d.polygon(_star(cx, cy, r * 1.1), fill=c)
    elif o.shape == "heart":
        d.polygon(_heart(cx, cy, r * 1.05), fill=c)
    elif o.shape == "ring":
        w = max(r * 0.4, 1.6 * s)
        d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=c)
        inner = r - w
        return ("hole", (cx - inner, cy - inner, cx + inner, cy + inner))
    elif o.shape == "cross":
        t = r * 0.33
        d.rectangle([cx - r, cy - t, cx + r, cy + t], fill=c)
        d.rectangle([cx - t, cy - r, cx + t, cy + r], fill=c)
    return None


def render(objs: List[Obj], bg: Tuple[int, int, int]) -> np.ndarray:
    img = Image.new("RGB", (IMAGE_SIZE * SS, IMAGE_SIZE * SS), bg)
    d = ImageDraw.Draw(img)
    for o in objs:
        hole = draw_object(d, o)
        if hole is not None:
            d.ellipse(hole[1], fill=bg)
    return np.asarray(img.resize((IMAGE_SIZE, IMAGE_SIZE), Image.BOX), dtype=np.uint8)


def _clamp(v, r):
    return float(min(max(v, r + 1.0), IMAGE_SIZE - 1.0 - r - 1.0))


def place(shape: str, size: Optional[str], position: Optional[str], rng: random.Random) -> Obj:
    (mx, my), (sx, sy), p_big = PRIORS[shape]
    size = size or ("big" if rng.random() < p_big else "small")
    r = max(4.5, rng.gauss(*SIZES[size]))
    cx, cy = rng.gauss(mx, sx), rng.gauss(my, sy)
    if position is not None:
        axis, v = POSITIONS[position]
        if axis == "x":
            cx = rng.gauss(v, 1.0)
        else:
            cy = rng.gauss(v, 1.0)
    return Obj(shape, "", _clamp(cx, r), _clamp(cy, r), r)


def sample(rng: random.Random) -> Tuple[np.ndarray, str, List[Obj]]:
    """One (image uint8 HxWx3, caption, objects) example."""
    bg = rng.choice(BACKGROUNDS)
    if rng.random() < 0.12:  # two objects, positions stated
        pair = rng.choice([("on the left", "on the right"), ("at the top", "at the bottom")])
        objs, words = [], []
        for pos in pair:
            shape, colour = rng.choice(SHAPES), rng.choice(list(COLOURS))
            o = place(shape, "small", pos, rng)
            o.colour = colour
            objs.append(o)
            words.append(f"a {colour} {shape} {pos}")
        return render(objs, bg), " and ".join(words), objs
    shape, colour = rng.choice(SHAPES), rng.choice(list(COLOURS))
    size = rng.choice(["small", "big"]) if rng.random() < 0.3 else None
    position = rng.choice(list(POSITIONS)) if rng.random() < 0.5 else None
    o = place(shape, size, position, rng)
    o.colour = colour
    caption = "a " + (size + " " if size else "") + f"{colour} {shape}" + (" " + position if position else "")
    return render([o], bg), caption, [o]


def make_dataset(n: int, seed: int):
    """Returns images uint8 [n, 32, 32, 3], captions list[str], objects list[list[Obj]]."""
    rng = random.Random(seed)
    imgs = np.zeros((n, IMAGE_SIZE, IMAGE_SIZE, 3), np.uint8)
    caps, objs = [], []
    for i in range(n):
        imgs[i], c, o = sample(rng)
        caps.append(c)
        objs.append(o)
    return imgs, caps, objs


if __name__ == "__main__":
    import sys, time
    t = time.time()
    imgs, caps, _ = make_dataset(64, 0)
    print(f"{(time.time() - t) / 64 * 1000:.2f} ms/image")
    grid = imgs.reshape(8, 8, 32, 32, 3).transpose(0, 2, 1, 3, 4).reshape(256, 256, 3)
    out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/toy_grid.png"
    Image.fromarray(grid).resize((512, 512), Image.NEAREST).save(out)
    print("\n".join(caps[:16]))
