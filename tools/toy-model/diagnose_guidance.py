"""Why classifier-free guidance over-shoots on this model: along a sampling trajectory, prints per
PNDM step ||eps_cond - eps_uncond|| / ||eps_cond|| and the latent's std, unguided (g=1) and at g=7.5.

  /usr/bin/python3 tools/toy-model/diagnose_guidance.py [ckpt] [prompt]
"""
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from pipeline import PNDMScheduler, initial_latent  # noqa: E402
from train import latent_size, load_trained  # noqa: E402


def main():
    ckpt = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "runs", "toy-shapes", "ckpt.pt")
    prompt = sys.argv[2] if len(sys.argv) > 2 else "a red circle"
    torch.set_num_threads(1)
    cfg, tok, _, text, unet, _ = load_trained(ckpt)
    seeds = range(8)
    for g in (1.0, 7.5):
        ctx = text(torch.tensor([tok.ids("")] * len(seeds) + [tok.ids(prompt)] * len(seeds)))
        x = torch.cat([initial_latent(s, latent_size(cfg)) for s in seeds])
        sched = PNDMScheduler()
        sched.set_timesteps(20)
        cells = []
        with torch.no_grad():
            for t in sched.timesteps:
                eu, ec = unet(torch.cat([x, x]), torch.tensor([float(t)]), ctx).chunk(2)
                cells.append(f"{int(t)}:{float((ec - eu).norm() / ec.norm()):.2f}/{float(x.std()):.2f}")
                x = sched.step(eu + g * (ec - eu), t, x)
        print(f"guidance {g}: t:ratio/std " + " ".join(cells[::2]) + f"  final std {float(x.std()):.2f}")


if __name__ == "__main__":
    main()
