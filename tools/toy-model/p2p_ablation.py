"""Which injection keeps the layout? The Prompt-to-Prompt swap "a red circle" -> "a red square" on a
checkpoint with cross- and self-attention replacement on together, each alone, and shortened, as the
median centroid shift (px) between source and edited object, next to the no-controller shift.

  TOY_RUN=<run> /usr/bin/python3 tools/toy-model/p2p_ablation.py [ckpt] [seeds] ["a yellow star" "a yellow heart"]
"""
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import evaluate  # noqa: E402
from analyse import RUN, Analyser  # noqa: E402
from train import latent_size, load_trained, map_resolution  # noqa: E402

# (cross_replace, self_replace, self-attention query threshold)
SETTINGS = [(0.8, 0.4, 64), (0.8, 0.0, 64), (0.0, 0.4, 64), (0.8, 0.4, 256), (0.4, 0.2, 64), (0.8, 0.2, 64),
            # shorter injections: where the edit reads as the new shape and still keeps the layout (§13)
            (0.6, 0.2, 64), (0.5, 0.3, 64), (0.4, 0.4, 64), (0.3, 0.2, 64), (0.2, 0.2, 64), (0.4, 0.0, 64)]


def median_shift(a, b) -> float:
    return float(np.median(evaluate.centroid_shifts(a, b)))


def main():
    ckpt = sys.argv[1] if len(sys.argv) > 1 else os.path.join(RUN, "ckpt.pt")
    seeds = list(range(int(sys.argv[2]) if len(sys.argv) > 2 else 12))
    torch.set_num_threads(int(os.environ.get("TOY_THREADS", "2")))
    cfg, tok, ae, text, unet, scaling = load_trained(ckpt)
    models = (unet, text, ae.decoder, scaling, tok)
    evaluate.LATENT, evaluate.MAP_RES = latent_size(cfg), map_resolution(cfg)
    an = Analyser.load()
    src, dst = sys.argv[3:5] if len(sys.argv) > 4 else ("a red circle", "a red square")
    shape = dst.split()[-1]
    plain = an.analyse(evaluate.run_prompt(models, dst, seeds))
    for cr, sr, smq in SETTINGS:
        s_im, e_im = evaluate.run_swap(models, src, dst, seeds, smq, cr=cr, sr=sr)
        a_s, a_e = an.analyse(s_im), an.analyse(e_im)
        print(f"cross {cr} self {sr} (<= {smq} queries): shift {median_shift(a_s, a_e):.2f} px with the controller, "
              f"{median_shift(a_s, plain):.2f} px without; edit read as a {shape} "
              f"{np.mean([x['shape'] == shape for x in a_e]):.2f}", flush=True)


if __name__ == "__main__":
    main()
