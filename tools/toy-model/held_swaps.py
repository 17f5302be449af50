"""Held-layout swaps: a training term that shows the UNet what Prompt-to-Prompt asks of it.

On toy-emoji a word swap under P2P draws the new noun where the edited prompt alone would (REPORT-emoji §5): the
layout is fixed by the words, and it reaches the UNet through the text embeddings' values (the words after the
swapped noun carry the diner's place, `emoji_eval.py --context-from-source words`), so injected maps do not move
it. The world can render what a P2P edit should look like: the source picture with one noun's object replaced in
place (same centre, same box, same background). This term noises that picture and the source picture with the
same noise and timestep, records the UNet's attention probabilities on the source (caption, picture) without
gradients, and trains the UNet on the held picture under the edited caption with those probabilities injected as
the app's controller injects them (every cross-attention layer; the self-attention layers of at most
`self_max_query` queries at the timesteps of the controller's self window). So the model learns that an injected
map places its noun, which a Stable Diffusion model does without being told.

Pure PyTorch; used by train_emoji.py (`--held-swaps WEIGHT`).
"""
from __future__ import annotations

import copy
import random
from typing import List, Optional, Tuple

import torch

from emoji_render import render
from emoji_world import (ANIMALS, FOOD, MOUNTS, NAMES, OBJECTS, RIDERS, SEATS, TINTABLE, Scene, article,
                         sample)
from train import draw_timesteps, noised


def _choices(scene: Scene, k: int) -> List[str]:
    """Nouns that may replace layer k's noun: same role in the relation, same kind for single objects."""
    name = scene.layers[k].name
    other = {l.name for i, l in enumerate(scene.layers) if i != k}
    rel = scene.relation
    if rel == "eating":
        pool = ANIMALS if k == 0 else FOOD
    elif rel in ("sitting on", "riding"):  # layers: seat / mount first, then the sitter / rider
        pool = (SEATS if rel == "sitting on" else MOUNTS) if k == 0 else RIDERS
    elif rel:
        pool = NAMES
    else:
        pool = [n for n in NAMES if OBJECTS[n][1] == OBJECTS[name][1]]
    if scene.layers[k].tint:
        pool = [n for n in pool if n in TINTABLE]
    return [n for n in pool if n != name and n not in other]


def held_swap(caption: str, scene: Scene, rng: random.Random) -> Optional[Tuple[str, Scene]]:
    """(edited caption, held scene): one noun of `caption` swapped for another of its role, and the scene with that
    object redrawn as the new noun in the old one's place and box. None if the caption has no swappable noun."""
    words = caption.split()
    ks = [k for k, l in enumerate(scene.layers) if words.count(l.name) == 1]
    rng.shuffle(ks)
    for k in ks:
        pool = _choices(scene, k)
        if not pool:
            continue
        old, new = scene.layers[k].name, rng.choice(pool)
        i = words.index(old)
        out = list(words)
        out[i] = new
        if i > 0 and out[i - 1] in ("a", "an"):
            out[i - 1] = article(new)
        held = copy.deepcopy(scene)
        held.layers[k].name = new
        return " ".join(out), held
    return None


class HeldSwapBatches:
    """(source pictures, held pictures, source ids, edited ids), drawn fresh; each pair rendered with one seed so
    that the backgrounds, styles and textures match and only the swapped object differs."""

    def __init__(self, sprites, tok, seed: int, focus: float = 0.0, spread=None):
        self.sprites, self.tok, self.focus, self.spread = sprites, tok, focus, spread
        self.rng = random.Random(seed)

    def __call__(self, n: int):
        src_caps, dst_caps, src_scenes, held_scenes = [], [], [], []
        while len(src_caps) < n:
            cap, scene = sample(self.rng, self.focus, self.spread)
            swap = held_swap(cap, scene, self.rng)
            if swap is None:
                continue
            src_caps.append(cap)
            dst_caps.append(swap[0])
            src_scenes.append(scene)
            held_scenes.append(swap[1])
        dev = self.sprites.device
        seed = self.rng.randrange(2 ** 31)
        src, _ = render(src_scenes, self.sprites, torch.Generator(device=dev).manual_seed(seed))
        held, _ = render(held_scenes, self.sprites, torch.Generator(device=dev).manual_seed(seed))
        ids = lambda caps: torch.tensor([self.tok.ids(c) for c in caps], dtype=torch.long, device=dev)  # noqa: E731
        return src, held, ids(src_caps), ids(dst_caps)


class Injector:
    """Attention hooks for the term: `record` keeps every layer's probabilities (cross, and self up to
    `self_max_query` queries) in forward order; `inject` puts them back in the same order, the self-attention
    ones only for the samples in `self_rows`."""

    def __init__(self, unet: torch.nn.Module, self_max_query: int):
        self.modules = [m for _, m in unet.attention_modules()]
        self.self_max_query, self.mode, self.kept, self.at, self.self_rows = self_max_query, None, [], 0, None
        for m in self.modules:
            m.hook = self._hook(m.heads)

    def _hook(self, heads: int):
        def hook(probs, is_cross, place):
            if self.mode is None or (not is_cross and probs.shape[1] > self.self_max_query):
                return probs
            if self.mode == "record":
                self.kept.append(probs.detach())
                return probs
            src = self.kept[self.at]
            self.at += 1
            if is_cross:
                return src
            rows = self.self_rows.repeat_interleave(heads).view(-1, 1, 1)
            return torch.where(rows, src, probs)
        return hook

    def record(self):
        self.mode, self.kept = "record", []

    def inject(self, self_rows: torch.Tensor):
        self.mode, self.at, self.self_rows = "inject", 0, self_rows

    def off(self):
        self.mode, self.kept, self.self_rows = None, [], None

    def remove(self):
        for m in self.modules:
            m.hook = None


def held_swap_loss(unet, text, encode, batch, ac, injector: Injector, t_low: int = 200, self_from: int = 600,
                   high_frac: float = 0.6, t_high_from: int = 800) -> torch.Tensor:
    """Epsilon loss on the held pictures under the edited captions, with the source's attention injected.
    `encode` maps pictures to scaled latents. Timesteps from [t_low, 1000) (the controller's cross window: the
    first 80 % of 20 steps), `high_frac` of them from [t_high_from, 1000) as the main term draws them; the
    self-attention maps are injected where t >= self_from (its self window, 40 % of the steps)."""
    src, held, src_ids, dst_ids = batch
    with torch.no_grad():
        x_src, x_held = encode(src), encode(held)
    t = draw_timesteps(len(src_ids), high_frac, t_high_from, t_low, device=src_ids.device)
    noise = torch.randn_like(x_src)
    try:
        injector.record()
        with torch.no_grad():
            unet(noised(x_src, noise, t, ac), t.float(), text(src_ids))
        injector.inject(t >= self_from)
        eps = unet(noised(x_held, noise, t, ac), t.float(), text(dst_ids))
        assert injector.at == len(injector.kept), "the edited pass met other layers than the source pass"
    finally:
        injector.off()
    return ((eps - noise) ** 2).mean()
