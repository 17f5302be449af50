"""Sprites of the emoji world: Noto emoji PNGs from npm's emoji-datasource-google, plus two drawn here.

  /usr/bin/python3 tools/toy-model/emoji_sprites.py [--out runs/emoji/sprites.npz]

Fetches emoji-datasource-google@16.0.0 with `npm pack` (the npm registry is the one network source this
project may use) into runs/cache/, checks its sha512 against the one pinned below, decodes the 64-px PNGs
of emoji_world.OBJECTS and draws the two objects Noto has no emoji for (a table, a lasagne) in the same
flat style. Writes uint8 RGBA [N, 64, 64, 4] + names to an .npz: the only input of training, small enough
to copy to a GPU machine (which has no PIL and no network).

Licence: the Noto emoji images are Apache-2.0 (https://github.com/googlefonts/noto-emoji, LICENSE);
emoji-datasource itself is MIT. The app's About panel carries the attribution (ATTRIBUTION below).
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import io
import os
import subprocess
import sys
import tarfile

import numpy as np
from PIL import Image, ImageDraw

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from emoji_world import NAMES, OBJECTS  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE = "emoji-datasource-google@16.0.0"
TARBALL = "emoji-datasource-google-16.0.0.tgz"
# `npm view emoji-datasource-google@16.0.0 dist.integrity`
INTEGRITY = "sha512-ZRexfzs7MVoLnmzZmNsO4TKhnAJp5D++Vm6PpUpH/jEQQlemp3l88CjZ+DoZ2faM9R4QxZkOPJCoT8DlPhfQ3A=="
ATTRIBUTION = ("Pictures of the toy-emoji model's world: Noto Emoji by Google, Apache License 2.0 "
               "(github.com/googlefonts/noto-emoji), via emoji-datasource-google 16.0.0 (MIT).")


def fetch_package(cache: str) -> str:
    os.makedirs(cache, exist_ok=True)
    path = os.path.join(cache, TARBALL)
    if not os.path.exists(path):
        subprocess.run(["npm", "pack", PACKAGE, "--silent", "--pack-destination", cache], check=True,
                       stdout=subprocess.DEVNULL)
    digest = "sha512-" + base64.b64encode(hashlib.sha512(open(path, "rb").read()).digest()).decode()
    if digest != INTEGRITY:
        raise SystemExit(f"{path}: sha512 {digest} is not the pinned {INTEGRITY}; delete it and rerun")
    return path


def draw_table(n: int = 256) -> Image.Image:
    """A wooden table seen from the front: a thick top with a lighter edge, two legs and a shadow."""
    im = Image.new("RGBA", (n, n), (0, 0, 0, 0))
    d = ImageDraw.Draw(im)
    u = n / 64
    dark, wood, light = (120, 72, 38, 255), (170, 108, 58, 255), (205, 145, 85, 255)
    d.rounded_rectangle([4 * u, 20 * u, 60 * u, 29 * u], radius=2 * u, fill=wood, outline=dark, width=int(u))
    d.rectangle([5 * u, 20 * u, 59 * u, 23 * u], fill=light)
    for x in (9, 49):
        d.rectangle([x * u, 28 * u, (x + 6) * u, 58 * u], fill=wood, outline=dark, width=int(u))
    d.rectangle([15 * u, 29 * u, 49 * u, 32 * u], fill=dark)
    return im


def draw_lasagne(n: int = 256) -> Image.Image:
    """A slice of lasagne on a plate: pasta, sauce and cheese layers under a browned top and a basil leaf."""
    im = Image.new("RGBA", (n, n), (0, 0, 0, 0))
    d = ImageDraw.Draw(im)
    u = n / 64
    d.ellipse([3 * u, 38 * u, 61 * u, 58 * u], fill=(235, 238, 242, 255), outline=(170, 175, 185, 255),
              width=int(u))
    layers = [((248, 214, 120), 3), ((200, 40, 30), 3), ((250, 246, 230), 2), ((248, 214, 120), 3),
              ((200, 40, 30), 3), ((250, 246, 230), 2), ((248, 214, 120), 3)]
    y = 47.0
    for colour, h in layers:
        d.rectangle([12 * u, (y - h) * u, 52 * u, y * u], fill=colour + (255,))
        y -= h
    d.polygon([(12 * u, y * u), (52 * u, y * u), (56 * u, (y - 5) * u), (16 * u, (y - 5) * u)],
              fill=(232, 150, 60, 255))
    d.polygon([(52 * u, y * u), (52 * u, 47 * u), (56 * u, 42 * u), (56 * u, (y - 5) * u)],
              fill=(185, 60, 35, 255))
    d.ellipse([30 * u, (y - 5) * u, 40 * u, (y - 1) * u], fill=(60, 160, 60, 255))
    return im


def load_sprites(tgz: str) -> np.ndarray:
    out = np.zeros((len(NAMES), 64, 64, 4), np.uint8)
    with tarfile.open(tgz) as tar:
        for i, name in enumerate(NAMES):
            src = OBJECTS[name][0]
            if src == "proc:table":
                im = draw_table()
            elif src == "proc:lasagne":
                im = draw_lasagne()
            else:
                data = tar.extractfile(f"package/img/google/64/{src}.png").read()
                im = Image.open(io.BytesIO(data)).convert("RGBA")
            out[i] = np.asarray(im.resize((64, 64), Image.LANCZOS), np.uint8)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(HERE, "runs", "emoji", "sprites.npz"))
    ap.add_argument("--sheet", default=None, help="also write a contact sheet PNG")
    args = ap.parse_args()
    sprites = load_sprites(fetch_package(os.path.join(HERE, "runs", "cache")))
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    np.savez_compressed(args.out, rgba=sprites, names=np.array(NAMES))
    print(f"{len(NAMES)} sprites -> {args.out} ({os.path.getsize(args.out) / 1024:.0f} KiB)")
    if args.sheet:
        cols = 11
        sheet = Image.new("RGBA", (64 * cols, 64 * ((len(NAMES) + cols - 1) // cols)), (255, 255, 255, 255))
        for i in range(len(NAMES)):
            sheet.alpha_composite(Image.fromarray(sprites[i]), ((i % cols) * 64, (i // cols) * 64))
        sheet.save(args.sheet)


if __name__ == "__main__":
    main()
