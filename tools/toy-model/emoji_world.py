"""The "emoji world": what the embedded toy-emoji model is trained to draw, as captions + layouts.

44 objects (Noto emoji sprites, plus a procedural table and lasagne), one or two per picture, with
relations (eating, sitting on, riding, next to, to the left of, above), positions (on the left / right),
styles (a painting of, a photo of), scenes (in the snow, at night) and colours. Every object has its own
position and size prior, so that a plain word swap ("a cat" -> "a dog") moves the object and
Prompt-to-Prompt's layout preservation is visible and measurable. In a pair the relation decides the
arrangement (the diner right of its food, the rider on its mount) and each noun its own place and size
within it (`lean`), so "a squirrel eating a burger" -> "a lion eating a burger" moves the diner too.

Pure Python: `sample(rng)` returns a caption and a `Scene` (layer specs in 64-px image coordinates);
`emoji_render.py` draws scenes in batches with torch. Captions are lowercase and punctuation-free, so a
word lookup equals true CLIP BPE (tokenizer.py).
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

IMAGE_SIZE = 64

# name -> (emoji code point file in emoji-datasource-google's img/google/64, or "proc:<kind>"), kind,
# prior centre x, centre y, size (sprite side in px). Kinds decide which relations an object can take.
OBJECTS: Dict[str, Tuple[str, str, float, float, float]] = {
    # animals: on the ground, each at its own x
    "cat": ("1f408", "animal", 22, 38, 30),
    "dog": ("1f415", "animal", 42, 38, 30),
    "lion": ("1f981", "animal", 32, 34, 32),
    "tiger": ("1f405", "animal", 26, 40, 32),
    "squirrel": ("1f43f-fe0f", "animal", 40, 40, 28),
    "bird": ("1f426", "animal", 42, 18, 24),
    "mouse": ("1f401", "animal", 22, 46, 20),
    "rabbit": ("1f407", "animal", 36, 38, 28),
    "horse": ("1f40e", "animal", 30, 36, 36),
    "cow": ("1f404", "animal", 34, 38, 34),
    "pig": ("1f416", "animal", 26, 42, 28),
    "monkey": ("1f412", "animal", 38, 32, 30),
    "elephant": ("1f418", "animal", 32, 36, 38),
    "penguin": ("1f427", "animal", 42, 38, 28),
    "turtle": ("1f422", "animal", 24, 46, 26),
    "fish": ("1f41f", "animal", 32, 30, 28),
    "duck": ("1f986", "animal", 22, 42, 26),
    # food: low, small
    "burger": ("1f354", "food", 32, 42, 26),
    "pizza": ("1f355", "food", 26, 40, 26),
    "pasta": ("1f35d", "food", 38, 42, 26),
    "lasagne": ("proc:lasagne", "food", 38, 44, 26),
    "apple": ("1f34e", "food", 38, 40, 22),
    "banana": ("1f34c", "food", 24, 40, 24),
    "cake": ("1f370", "food", 34, 42, 26),
    "donut": ("1f369", "food", 30, 38, 24),
    "strawberry": ("1f353", "food", 40, 44, 20),
    "carrot": ("1f955", "food", 24, 42, 26),
    # things
    "bicycle": ("1f6b2", "vehicle", 32, 44, 38),
    "car": ("1f697", "vehicle", 34, 46, 36),
    "bus": ("1f68c", "vehicle", 20, 40, 40),
    "boat": ("26f5", "vehicle", 32, 42, 36),
    "airplane": ("2708-fe0f", "sky", 32, 18, 32),
    "rocket": ("1f680", "sky", 42, 22, 30),
    "ball": ("26bd", "thing", 28, 48, 20),
    "balloon": ("1f388", "sky", 44, 18, 24),
    "umbrella": ("2602-fe0f", "thing", 24, 30, 30),
    "table": ("proc:table", "furniture", 32, 46, 44),
    "chair": ("1fa91", "furniture", 38, 42, 34),
    # scenery
    "tree": ("1f333", "scenery", 18, 32, 40),
    "flower": ("1f33b", "scenery", 44, 40, 28),
    "house": ("1f3e0", "scenery", 34, 34, 40),
    "sun": ("2600-fe0f", "sky", 48, 14, 22),
    "moon": ("1f319", "sky", 16, 14, 20),
    "cloud": ("2601-fe0f", "sky", 32, 14, 30),
}
NAMES = list(OBJECTS)
ANIMALS = [n for n in NAMES if OBJECTS[n][1] == "animal"]
FOOD = [n for n in NAMES if OBJECTS[n][1] == "food"]
SEATS = ["table", "chair", "car", "cloud"]                    # "A sitting on B"
MOUNTS = ["bicycle", "horse", "car", "boat", "elephant", "turtle", "rocket", "bus"]  # "A riding B"
RIDERS = [n for n in ANIMALS if n not in ("horse", "elephant", "cow")]
# colour words apply to made things (and a few animals whose emoji are one colour anyway)
TINTABLE = [n for n in NAMES if OBJECTS[n][1] in ("vehicle", "thing", "furniture")] + \
    ["balloon", "airplane", "rocket", "bird", "fish", "flower", "cat"]

COLOURS: Dict[str, Tuple[int, int, int]] = {
    "red": (225, 45, 45), "green": (50, 175, 70), "blue": (55, 100, 235), "yellow": (245, 215, 40),
    "purple": (150, 65, 205), "pink": (250, 130, 190), "black": (40, 40, 45),
}
STYLES = ["", "a painting of", "a photo of"]
SCENES = ["", "in the snow", "at night"]
POSITIONS = {"on the left": 18.0, "on the right": 46.0}
RELATIONS = ["eating", "sitting on", "riding", "next to", "to the left of", "above"]

VOCAB_WORDS = sorted(set(
    "a an of on the in at to left right next above eating sitting riding painting photo snow night".split()
    + list(COLOURS) + NAMES))


@dataclass
class Layer:
    name: str
    cx: float
    cy: float
    size: float
    tint: Optional[str] = None


@dataclass
class Scene:
    style: str = ""          # "", "painting", "photo"
    setting: str = ""        # "", "snow", "night"
    layers: List[Layer] = field(default_factory=list)  # back to front
    relation: str = ""
    position: str = ""
    bg: int = 0              # background palette index (plain style)


def article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def noun_phrase(name: str, colour: Optional[str]) -> str:
    head = f"{colour} {name}" if colour else name
    return f"{article(head)} {head}"


def _jit(rng: random.Random, v: float, s: float) -> float:
    return v + rng.gauss(0.0, s)


def _clamp(layer: Layer) -> Layer:
    h = layer.size * 0.42
    layer.cx = min(max(layer.cx, h), IMAGE_SIZE - h)
    layer.cy = min(max(layer.cy, h), IMAGE_SIZE - h)
    return layer


def place_single(name: str, rng: random.Random, position: str = "") -> Layer:
    _, _, x, y, s = OBJECTS[name]
    layer = Layer(name, _jit(rng, x, 2.5), _jit(rng, y, 2.0), _jit(rng, s, 1.5))
    if position:
        layer.cx = _jit(rng, POSITIONS[position], 1.5)
    return _clamp(layer)


def lean(name: str) -> float:
    """How far right of the middle a noun's prior puts it (px, -16..+16): its place within a pair."""
    return OBJECTS[name][2] - IMAGE_SIZE / 2


def pair_size(name: str, base: float, k: float = 0.6) -> float:
    """A noun's size in a pair: the relation's base size, moved towards the noun's own prior size."""
    return base + (OBJECTS[name][4] - 28) * k


# How far an eating / sitting / riding pair may spread around its nouns' places, for a model trained from scratch
# (`train_emoji.py --pair-spread`): (anchor x, anchor y, the other object's offset), px sd, each cut at 2 sd. None
# is the narrow layout the shipped model learnt (1.5 px, 1 px for the offset): there the words alone fix a pair's
# layout, the seed barely moves it, and a swap's new noun goes to its own place whatever P2P injects (REPORT-emoji
# §5). A wide spread makes the layout the seed's choice within the nouns' priors, as it is in Stable Diffusion.
PairSpread = Optional[Tuple[float, float, float]]


def _cut(rng: random.Random, s: float) -> float:
    return max(-2 * s, min(2 * s, rng.gauss(0.0, s)))


def _place_spread(a: str, rel: str, b: str, rng: random.Random, spread: Tuple[float, float, float]) -> List[Layer]:
    """place_pair's eating / sitting / riding arrangements with the anchor and the offset spread as asked."""
    sx, sy, so = spread
    jx = lambda v: v + _cut(rng, sx)  # noqa: E731
    jy = lambda v: v + _cut(rng, sy)  # noqa: E731
    n = lambda: _cut(rng, so)         # noqa: E731
    js = lambda v: _jit(rng, v, 1.5)  # noqa: E731  (sizes as in the narrow world)
    if rel == "eating":
        A = _clamp(Layer(a, jx(36 + lean(a)), jy(36), js(pair_size(a, 32, 0.8))))
        B = Layer(b, A.cx - 15 + 0.8 * lean(b) + n(), A.cy + 10 + n(), js(pair_size(b, 20)))
        return [A, _clamp(B)]
    seat_y, lift = (46, 19) if rel == "sitting on" else (44, 15)
    B = Layer(b, jx(32 + 0.3 * lean(b)), jy(seat_y), js(38))
    A = Layer(a, B.cx + 0.6 * lean(a) + n(), 0.0, js(pair_size(a, 26)))
    A.cy = B.cy - lift - (A.size - 26) * 0.4 + n()
    return [_clamp(B), _clamp(A)]


def place_pair(a: str, rel: str, b: str, rng: random.Random, spread: PairSpread = None) -> List[Layer]:
    """Layers back to front for "a A <rel> a B": the relation decides the arrangement, each noun its place."""
    if spread is not None and rel in ("eating", "sitting on", "riding"):
        return _place_spread(a, rel, b, rng, spread)
    j = lambda v: _jit(rng, v, 1.5)  # noqa: E731
    n = lambda: rng.gauss(0, 1)      # noqa: E731
    if rel == "eating":              # diner right of its food; the food in front of it, low
        A = Layer(a, j(36 + lean(a)), j(36), j(pair_size(a, 32, 0.8)))
        B = Layer(b, A.cx - 15 + 0.8 * lean(b) + n(), A.cy + 10 + n(), j(pair_size(b, 20)))
        return [_clamp(A), _clamp(B)]
    if rel in ("sitting on", "riding"):  # seat / mount low and wide, the sitter / rider on it where its noun leans
        seat_y, lift = (46, 19) if rel == "sitting on" else (44, 15)
        B = Layer(b, j(32 + 0.3 * lean(b)), j(seat_y), j(38))
        A = Layer(a, B.cx + 0.6 * lean(a) + n(), 0.0, j(pair_size(a, 26)))
        A.cy = B.cy - lift - (A.size - 26) * 0.4 + n()
        return [_clamp(B), _clamp(A)]
    if rel == "above":
        A = Layer(a, j(32 + 0.6 * lean(a)), j(17), j(pair_size(a, 24, 0.4)))
        B = Layer(b, j(32 + 0.6 * lean(b)), j(44), j(pair_size(b, 28, 0.4)))
        return [_clamp(B), _clamp(A)]
    # side by side; "next to" keeps the subject on either side
    left = rel == "to the left of" or rng.random() < 0.5
    xa, xb = (18, 46) if left else (46, 18)
    y = j(38)
    A = Layer(a, j(xa + 0.3 * lean(a)), y + n(), j(pair_size(a, 26, 0.3)))
    B = Layer(b, j(xb + 0.3 * lean(b)), y + n(), j(pair_size(b, 26, 0.3)))
    return [_clamp(B), _clamp(A)]


def relation_ok(rel: str, dx: float, dy: float) -> bool:
    """Does subject-minus-object centre offset (dx, dy) in px show `rel`? (The judge's test, the world's rule.)"""
    return {"eating": dx > 2, "sitting on": dy < -4, "riding": dy < -4, "above": dy < -8,
            "to the left of": dx < -8, "next to": abs(dx) > 8}[rel]


def pair_nouns(rel: str, rng: random.Random) -> Tuple[str, str]:
    if rel == "eating":
        return rng.choice(ANIMALS), rng.choice(FOOD)
    if rel == "sitting on":
        return rng.choice(RIDERS), rng.choice(SEATS)
    if rel == "riding":
        b = rng.choice(MOUNTS)
        return rng.choice([n for n in RIDERS if n != b]), b
    a = rng.choice(NAMES)
    return a, rng.choice([n for n in NAMES if n != a])


def caption_of(scene_words: Tuple[str, str], body: str) -> str:
    style, setting = scene_words
    text = f"{style} {body}" if style else body
    return f"{text} {setting}" if setting else text


# The homework notebook's pairs (its sections 3.1-3.10): what a classroom draws first. `sample(rng, focus)` draws
# one of them with probability `focus` (a fine-tune's emphasis; 0 keeps the plain world and its random stream).
NOTEBOOK_PAIRS = [(a, "eating", b) for a in ("squirrel", "lion", "cat") for b in ("burger", "pizza", "lasagne")] + \
    [(a, "sitting on", "table") for a in ("cat", "bird", "mouse", "rabbit")] + \
    [(a, "riding", "bicycle") for a in ("dog", "cat")]


def sample(rng: random.Random, focus: float = 0.0, spread: PairSpread = None) -> Tuple[str, Scene]:
    if focus > 0 and rng.random() < focus:
        return sample_notebook(rng, spread)
    style = rng.choices(STYLES, weights=[0.5, 0.25, 0.25])[0]
    setting = rng.choices(SCENES, weights=[0.7, 0.15, 0.15])[0]
    scene = Scene(style=style.split()[1] if style else "", setting=setting.split()[-1] if setting else "",
                  bg=rng.randrange(8))
    if rng.random() < 0.45:
        rel = rng.choice(RELATIONS)
        a, b = pair_nouns(rel, rng)
        scene.layers, scene.relation = place_pair(a, rel, b, rng, spread), rel
        body = f"{noun_phrase(a, None)} {rel} {noun_phrase(b, None)}"
    else:
        name = rng.choice(NAMES)
        colour = rng.choice(list(COLOURS)) if name in TINTABLE and rng.random() < 0.35 else None
        position = rng.choice(list(POSITIONS)) if rng.random() < 0.3 else ""
        layer = place_single(name, rng, position)
        layer.tint = colour
        scene.layers, scene.position = [layer], position
        body = noun_phrase(name, colour) + (f" {position}" if position else "")
    return caption_of((style, setting), body), scene


def sample_notebook(rng: random.Random, spread: PairSpread = None) -> Tuple[str, Scene]:
    """One of NOTEBOOK_PAIRS, three in four eating scenes painted (as the notebook's), any setting."""
    a, rel, b = rng.choice(NOTEBOOK_PAIRS)
    style = "a painting of" if rel == "eating" and rng.random() < 0.75 else rng.choice(STYLES)
    setting = rng.choices(SCENES, weights=[0.7, 0.15, 0.15])[0]
    scene = Scene(style=style.split()[1] if style else "", setting=setting.split()[-1] if setting else "",
                  bg=rng.randrange(8), layers=place_pair(a, rel, b, rng, spread), relation=rel)
    return caption_of((style, setting), f"{noun_phrase(a, None)} {rel} {noun_phrase(b, None)}"), scene


def parse_caption(caption: str) -> Optional[dict]:
    """The inverse of the grammar, for evaluation: {style, setting, nouns, relation, position, colour}."""
    words = caption.split()
    out = dict(style="", setting="", relation="", position="", colour=None, nouns=[])
    if words[:3] in (["a", "painting", "of"], ["a", "photo", "of"]):
        out["style"], words = words[1], words[3:]
    if words[-3:] == ["in", "the", "snow"]:
        out["setting"], words = "snow", words[:-3]
    elif words[-2:] == ["at", "night"]:
        out["setting"], words = "night", words[:-2]
    text = " ".join(words)
    for pos in POSITIONS:
        if text.endswith(" " + pos):
            out["position"], text = pos, text[: -len(pos) - 1]
    for rel in RELATIONS:
        if f" {rel} " in text:
            left, right = text.split(f" {rel} ", 1)
            out["relation"] = rel
            out["nouns"] = [left.split()[-1], right.split()[-1]]
            return out if all(n in OBJECTS for n in out["nouns"]) else None
    ws = text.split()
    if len(ws) >= 2 and ws[-1] in OBJECTS:
        out["nouns"] = [ws[-1]]
        out["colour"] = ws[-2] if ws[-2] in COLOURS else None
        return out
    return None


if __name__ == "__main__":
    r = random.Random(0)
    for _ in range(20):
        c, s = sample(r)
        print(c, "|", [(l.name, round(l.cx), round(l.cy), round(l.size)) for l in s.layers])
    print(len(NAMES), "objects,", len(VOCAB_WORDS), "words")
