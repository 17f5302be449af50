"""Why classifier-free guidance over-shoots on this model. Default: along a sampling trajectory,
prints per PNDM step ||eps_cond - eps_uncond|| / ||eps_cond|| and the latent's std, unguided (g=1)
and at g=7.5. With --split: where in t the over-shoot happens, as the analyser's colour adherence
(16 seeds) when guidance 7.5 is applied only above or only below a timestep and 3 elsewhere.

  /usr/bin/python3 tools/toy-model/diagnose_guidance.py [ckpt] [prompt]
  TOY_RUN=<run> /usr/bin/python3 tools/toy-model/diagnose_guidance.py --split <ckpt> "a purple heart"
"""
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from pipeline import PNDMScheduler, initial_latent  # noqa: E402
from train import latent_size, load_trained  # noqa: E402


def sample(cfg, tok, text, unet, prompt, seeds, guidance_at, on_step=None):
    """PNDM 20 steps with guidance_at(t) as the guidance scale of each step -> final latents;
    on_step(t, x, eps_uncond, eps_cond) sees every step before its update."""
    with torch.no_grad():
        ctx = text(torch.tensor([tok.ids("")] * len(seeds) + [tok.ids(prompt)] * len(seeds)))
        x = torch.cat([initial_latent(s, latent_size(cfg)) for s in seeds])
        sched = PNDMScheduler()
        sched.set_timesteps(20)
        for t in sched.timesteps:
            eu, ec = unet(torch.cat([x, x]), torch.tensor([float(t)]), ctx).chunk(2)
            if on_step is not None:
                on_step(int(t), x, eu, ec)
            x = sched.step(eu + guidance_at(int(t)) * (ec - eu), t, x)
    return x


def split(ckpt: str, prompt: str):
    from analyse import Analyser
    from pipeline import to_uint8
    torch.set_num_threads(int(os.environ.get("TOY_THREADS", "2")))
    cfg, tok, ae, text, unet, scaling = load_trained(ckpt)
    an, colour, seeds = Analyser.load(), prompt.split()[1], list(range(16))
    bands = [("7.5 everywhere", lambda t: 7.5)] + \
        [(f"7.5 at t >= {b}, 3 below", lambda t, b=b: 7.5 if t >= b else 3.0) for b in (500, 200, 60)] + \
        [(f"3 at t >= {b}, 7.5 below", lambda t, b=b: 3.0 if t >= b else 7.5) for b in (500, 200)]
    for name, g in bands:
        x = sample(cfg, tok, text, unet, prompt, seeds, g)
        with torch.no_grad():
            found = [a["colour"] for a in an.analyse(to_uint8(ae.decoder(x / scaling)))]
        print(f"{prompt!r} {name}: colour {sum(c == colour for c in found) / len(found):.2f}, "
              f"final latent std {float(x.std()):.2f}", flush=True)


def main():
    if sys.argv[1:2] == ["--split"]:
        return split(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else "a purple heart")
    ckpt = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "runs", "toy-shapes", "ckpt.pt")
    prompt = sys.argv[2] if len(sys.argv) > 2 else "a red circle"
    torch.set_num_threads(1)
    cfg, tok, _, text, unet, _ = load_trained(ckpt)
    for g in (1.0, 7.5):
        cells = []
        x = sample(cfg, tok, text, unet, prompt, list(range(8)), lambda t, g=g: g, lambda t, x, eu, ec: cells.append(
            f"{t}:{float((ec - eu).norm() / ec.norm()):.2f}/{float(x.std()):.2f}"))
        print(f"guidance {g}: t:ratio/std " + " ".join(cells[::2]) + f"  final std {float(x.std()):.2f}")


if __name__ == "__main__":
    main()
