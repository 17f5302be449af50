"""Does the model use a word? Two probes on a checkpoint (EMA weights), no sampling involved.

1. Loss gap per timestep: the denoising MSE on held-out training-style images whose captions state a
   position, with the true caption vs the caption with the position word swapped (left <-> right,
   top <-> bottom), the colour word swapped, or no caption. A gap of 0 means the UNet ignores that word.
2. Output change: ||eps(caption) - eps(edited caption)|| / ||eps(caption)|| for one noise input, e.g.
   "a red circle on the left" vs "... on the right".

  /usr/bin/python3 tools/toy-model/word_probe.py [ckpt]
"""
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from data import COLOURS, POSITIONS, make_dataset  # noqa: E402
from train import encode_all, latent_size, load_trained, sd_alphas_cumprod, shipped_ckpt  # noqa: E402

FLIP = {"left": "right", "right": "left", "top": "bottom", "bottom": "top"}
COLOUR_NAMES = list(COLOURS)
TIMESTEPS = [50, 200, 400, 600, 750, 850, 920, 970, 999]


def swap_position(caption: str) -> str:
    return " ".join(FLIP.get(w, w) for w in caption.split())


def swap_colour(caption: str) -> str:
    """Each colour word -> the colour three places on in the palette (never itself)."""
    return " ".join(COLOUR_NAMES[(COLOUR_NAMES.index(w) + 3) % len(COLOUR_NAMES)] if w in COLOURS else w
                    for w in caption.split())


def loss_gaps(tok, ae, text, unet, scaling, n=96):
    imgs, caps, _ = make_dataset(4000, 123)  # seed 123: not the training seed
    sel = [i for i, c in enumerate(caps) if " and " not in c and any(p in c for p in POSITIONS)][:n]
    variants = {"true": lambda c: c, "position": swap_position, "colour": swap_colour, "empty": lambda c: ""}
    z = encode_all(ae, imgs[sel]) * scaling
    ctx = {k: text(torch.tensor([tok.ids(f(caps[i])) for i in sel])) for k, f in variants.items()}
    ac = sd_alphas_cumprod()
    g = torch.Generator().manual_seed(0)
    print("loss gap = MSE(edited caption) - MSE(true caption), per element")
    print("t      true     position  colour    empty")
    for t in TIMESTEPS:
        noise = torch.randn(z.shape, generator=g)
        xt = ac[t].sqrt() * z + (1 - ac[t]).sqrt() * noise
        tt = torch.full((len(sel),), float(t))
        mse = {k: ((unet(xt, tt, c) - noise) ** 2).mean().item() for k, c in ctx.items()}
        print(f"{t:<6} {mse['true']:.4f}   " + "   ".join(f"{mse[k] - mse['true']:+.4f}"
                                                         for k in ("position", "colour", "empty")))


def output_change(cfg, tok, text, unet):
    base = "a red circle on the left"
    edits = ["a red circle on the right", "a blue circle on the left", "a red square on the left",
             "a red circle"]
    ctx = text(torch.tensor([tok.ids(c) for c in [base] + edits]))
    size = latent_size(cfg)
    x = torch.randn(1, 4, size, size, generator=torch.Generator().manual_seed(0)).repeat(len(edits) + 1, 1, 1, 1)
    print(f"\n||eps(edit) - eps('{base}')|| / ||eps('{base}')||")
    print("t      " + "  ".join(f"{e!r}" for e in edits))
    for t in (999, 900, 700):
        eps = unet(x, torch.full((len(edits) + 1,), float(t)), ctx)
        rel = [((eps[0] - eps[i]).norm() / eps[0].norm()).item() for i in range(1, len(edits) + 1)]
        print(f"{t:<6} " + "  ".join(f"{r:.4f}".ljust(len(repr(e))) for r, e in zip(rel, edits)))


def main():
    ckpt = sys.argv[1] if len(sys.argv) > 1 else shipped_ckpt()
    torch.set_num_threads(1)
    cfg, tok, ae, text, unet, scaling = load_trained(ckpt)
    with torch.no_grad():
        loss_gaps(tok, ae, text, unet, scaling)
        output_change(cfg, tok, text, unet)


if __name__ == "__main__":
    main()
