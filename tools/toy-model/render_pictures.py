"""Writes tests/fixtures/pictures/: renders of the embedded model's world (data.py's shapes) to edit as "your own
picture" (issue #21): at the model's 32 px, larger, and not square (the studio and the CLI centre-crop and resize),
with pictures.json giving each one's caption (the source prompt) and an edit.

  /usr/bin/python3 render_pictures.py --out ../../tests/fixtures/pictures
"""
from __future__ import annotations

import argparse
import json
import os

from PIL import Image, ImageDraw

import data
from data import COLOURS, Obj

PICTURES = [
    # file, shape, colour, centre (x, y) and radius in 32-px units, background, output size, caption, edit
    ("star-yellow.png", "star", "yellow", (21.0, 10.0), 7.0, 0, (32, 32), "a yellow star", "a yellow heart"),
    ("circle-red-left.png", "circle", "red", (9.0, 12.0), 6.0, 2, (32, 32), "a red circle on the left", "a red square on the left"),
    ("heart-pink-96.png", "heart", "pink", (15.0, 16.0), 8.0, 1, (96, 96), "a pink heart", "a pink star"),
    ("square-blue-wide.png", "square", "blue", (16.0, 18.0), 7.0, 4, (160, 120), "a blue square", "a blue circle"),
]


def render(shape, colour, centre, radius, bg, size):
    """The object drawn like data.py's renders, on a canvas whose central square is the 32-px world."""
    w, h = size
    side = min(w, h)
    scale = side / 32.0
    # draw_object works in pixels of the output, on a canvas SS times larger (box-filtered down, as data.render).
    img = Image.new("RGB", (w * data.SS, h * data.SS), data.BACKGROUNDS[bg])
    d = ImageDraw.Draw(img)
    ox, oy = (w - side) / 2, (h - side) / 2
    o = Obj(shape, colour, ox + centre[0] * scale, oy + centre[1] * scale, radius * scale)
    hole = data.draw_object(d, o)
    if hole is not None:
        d.ellipse(hole[1], fill=data.BACKGROUNDS[bg])
    return img.resize((w, h), Image.BOX)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="../../tests/fixtures/pictures")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    listing = []
    for name, shape, colour, centre, radius, bg, size, caption, edit in PICTURES:
        assert colour in COLOURS
        render(shape, colour, centre, radius, bg, size).save(os.path.join(args.out, name))
        listing.append({"file": name, "prompt": caption, "edit": edit, "size": list(size), "object": {"shape": shape, "centre": list(centre), "radius": radius}})
    json.dump({"note": "written by tools/toy-model/render_pictures.py; centre and radius in the 32-px world", "pictures": listing},
              open(os.path.join(args.out, "pictures.json"), "w"), indent=2)
    print(f"wrote {len(listing)} pictures to {args.out}")


if __name__ == "__main__":
    main()
