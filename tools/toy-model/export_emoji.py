"""Export the toy-emoji model in diffusers' ONNX layout (the same writer as toy-shapes: export.py).

  /usr/bin/python3 tools/toy-model/export_emoji.py --weights runs/toy-emoji-cpu/weights.pt \
      [--out public/models/toy-emoji] [--guidance 3]

64x64 images, 16x16 latents, cross-attention maps at 16x16. The examples written into p2p.json are the
homework notebook's sections on this world's nouns.
"""
from __future__ import annotations

import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export import export_loaded, model_geometry  # noqa: E402
from train_emoji import latent_size, load_weights, map_resolution  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))

# As the notebook: cross-attention injected for 80% of the steps, self-attention for 40%; only at 8x8 and
# 4x4 (query length <= 64), as the notebook leaves SD's finest 64x64 level alone.
DEFAULTS = dict(steps=20, guidance=3.0, crossReplaceSteps=0.8, selfReplaceSteps=0.4, selfMaxQuery=64)
EXAMPLES = [
    dict(prompt="a painting of a squirrel eating a burger", edit="a painting of a lion eating a burger",
         crossReplaceSteps=0.8, selfReplaceSteps=0.4),
    dict(prompt="a cat sitting on a table", edit="a bird sitting on a table", crossReplaceSteps=0.8,
         selfReplaceSteps=0.4),
    dict(prompt="a dog riding a bicycle", edit="a cat riding a bicycle", crossReplaceSteps=0.8,
         selfReplaceSteps=0.4),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--weights", default=os.path.join(HERE, "runs", "toy-emoji-cpu", "weights.pt"))
    ap.add_argument("--out", default=os.path.join(ROOT, "public", "models", "toy-emoji"))
    ap.add_argument("--guidance", type=float, default=DEFAULTS["guidance"])
    a = ap.parse_args()
    torch.set_num_threads(2)
    cfg, tok, ae, text, unet, scaling = load_weights(a.weights)
    geo = model_geometry(cfg, unet, text, scaling, image_size=cfg.image_size, latent=latent_size(cfg),
                         maps=map_resolution(cfg))
    export_loaded(cfg, tok, ae, text, unet, scaling, geo, a.out, dict(DEFAULTS, guidance=a.guidance), EXAMPLES,
                  sample_prompt=EXAMPLES[0]["prompt"])


if __name__ == "__main__":
    main()
