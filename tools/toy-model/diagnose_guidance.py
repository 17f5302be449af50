"""Why classifier-free guidance over-shoots on this model. Default: along a sampling trajectory,
prints per PNDM step ||eps_cond - eps_uncond|| / ||eps_cond|| and the latent's std, unguided (g=1)
and at g=7.5. With --split: where in t the over-shoot happens, as the analyser's colour adherence
(16 seeds) when guidance 7.5 is applied only above or only below a timestep and 3 elsewhere.
With --trace: per PNDM step at 7.5, the colour the analyser reads in the decoded x0 predictions of
the empty-caption, captioned and guided eps (16 seeds). With --samplers: colour adherence at 7.5 with
PNDM and with DDIM over the same 20 timesteps (16 seeds per prompt). With --shapes: shape adherence
(16 seeds per prompt) with EMA or raw weights, PNDM or DDIM, guidance 7.5, 3 or 1.5: whether wrong
shapes come from sampling or from the model itself.

  /usr/bin/python3 tools/toy-model/diagnose_guidance.py [ckpt] [prompt]
  TOY_RUN=<run> /usr/bin/python3 tools/toy-model/diagnose_guidance.py --split|--trace <ckpt> "a purple heart"
  TOY_RUN=<run> /usr/bin/python3 tools/toy-model/diagnose_guidance.py --samplers <ckpt> "a purple heart" "a pink circle"
  TOY_RUN=<run> /usr/bin/python3 tools/toy-model/diagnose_guidance.py --shapes <ckpt> ["a green square" ...]
"""
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from pipeline import PNDMScheduler, initial_latent, to_uint8  # noqa: E402
from train import latent_size, load_trained, sd_alphas_cumprod, shipped_ckpt  # noqa: E402

SEEDS = list(range(16))
# the prompts whose shapes failed most on v11 and v12 at 7.5 (REPORT.md §12)
WEAK_SHAPES = ["a green square", "a yellow star", "a green square at the top", "a blue triangle on the right",
               "a red circle at the bottom"]


def predicted_x0(x, eps, alpha_bar):
    """The clean latent that an eps prediction implies at noise level alpha_bar."""
    return (x - (1 - alpha_bar).sqrt() * eps) / alpha_bar.sqrt()


class DDIM:
    """DDIM (eta 0) over PNDM's 20 timesteps without the repeated one: the one-step sampler that PNDM's
    4-step extrapolation is compared against."""

    def __init__(self):
        pndm = PNDMScheduler()
        pndm.set_timesteps(20)
        self.timesteps = sorted({int(t) for t in pndm.timesteps}, reverse=True)
        self.ac = sd_alphas_cumprod()

    def step(self, eps, t, x):
        i = self.timesteps.index(int(t))
        a_prev = self.ac[self.timesteps[i + 1]] if i + 1 < len(self.timesteps) else self.ac[0]
        return a_prev.sqrt() * predicted_x0(x, eps, self.ac[int(t)]) + (1 - a_prev).sqrt() * eps


def sample(cfg, tok, text, unet, prompt, seeds, guidance_at, on_step=None, sched=None):
    """20 steps (PNDM unless sched is given) with guidance_at(t) as the guidance scale of each step ->
    final latents; on_step(t, x, eps_uncond, eps_cond) sees every step before its update."""
    with torch.no_grad():
        ctx = text(torch.tensor([tok.ids("")] * len(seeds) + [tok.ids(prompt)] * len(seeds)))
        x = torch.cat([initial_latent(s, latent_size(cfg)) for s in seeds])
        if sched is None:
            sched = PNDMScheduler()
            sched.set_timesteps(20)
        for t in sched.timesteps:
            eu, ec = unet(torch.cat([x, x]), torch.tensor([float(t)]), ctx).chunk(2)
            if on_step is not None:
                on_step(int(t), x, eu, ec)
            x = sched.step(eu + guidance_at(int(t)) * (ec - eu), t, x)
    return x


def analysed(an, ae, scaling, latents, key):
    """The analyser's `key` ("colour" or "shape") for each decoded latent (None where it finds no object)."""
    with torch.no_grad():
        return [a[key] for a in an.analyse(to_uint8(ae.decoder(latents / scaling)))]


def colours(an, ae, scaling, latents):
    return analysed(an, ae, scaling, latents, "colour")


def load(ckpt):
    from analyse import Analyser
    torch.set_num_threads(int(os.environ.get("TOY_THREADS", "2")))
    return load_trained(ckpt), Analyser.load()


def samplers(ckpt: str, prompts):
    (cfg, tok, ae, text, unet, scaling), an = load(ckpt)
    for prompt in prompts:
        want = prompt.split()[1]
        for name, sched in (("PNDM", None), ("DDIM", DDIM())):
            found = colours(an, ae, scaling, sample(cfg, tok, text, unet, prompt, SEEDS, lambda t: 7.5, sched=sched))
            print(f"{prompt!r} {name} at 7.5: {want} {sum(c == want for c in found)}/{len(found)}, "
                  f"found {sorted(set(map(str, found)))}", flush=True)


def shapes(ckpt: str, prompts):
    (cfg, tok, ae, text, unet, scaling), an = load(ckpt)
    raw = torch.load(ckpt, map_location="cpu")
    settings = [("EMA", "PNDM", 7.5), ("EMA", "DDIM", 7.5), ("EMA", "PNDM", 3.0), ("EMA", "PNDM", 1.5),
                ("raw", "PNDM", 7.5), ("raw", "DDIM", 7.5)]
    for weights, sampler, g in settings:
        if weights == "raw":
            unet.load_state_dict(raw["unet"])
            text.load_state_dict(raw["text"])
        hits = []
        for prompt in prompts:
            x = sample(cfg, tok, text, unet, prompt, SEEDS, lambda t: g, sched=DDIM() if sampler == "DDIM" else None)
            hits.append(sum(s == prompt.split()[2] for s in analysed(an, ae, scaling, x, "shape")))
        print(f"{weights} weights, {sampler}, guidance {g}: shape {sum(hits)}/{len(SEEDS) * len(prompts)}, "
              f"per prompt {hits}", flush=True)


def trace(ckpt: str, prompt: str):
    (cfg, tok, ae, text, unet, scaling), an = load(ckpt)
    want, ac = prompt.split()[1], sd_alphas_cumprod()

    def on_step(t, x, eu, ec):
        cells = []
        for name, eps in (("empty", eu), ("caption", ec), ("guided", eu + 7.5 * (ec - eu))):
            found = colours(an, ae, scaling, predicted_x0(x, eps, ac[t]))
            top = max(set(found), key=found.count)
            cells.append(f"{name} {sum(c == want for c in found):2d}/{len(found)} (most: {top})")
        print(f"t={t:4d} |c-u|/|c| {float((ec - eu).norm() / ec.norm()):.3f}  " + " | ".join(cells), flush=True)
    sample(cfg, tok, text, unet, prompt, SEEDS, lambda t: 7.5, on_step)


def split(ckpt: str, prompt: str):
    (cfg, tok, ae, text, unet, scaling), an = load(ckpt)
    colour = prompt.split()[1]
    bands = [("7.5 everywhere", lambda t: 7.5)] + \
        [(f"7.5 at t >= {b}, 3 below", lambda t, b=b: 7.5 if t >= b else 3.0) for b in (500, 200, 60)] + \
        [(f"3 at t >= {b}, 7.5 below", lambda t, b=b: 3.0 if t >= b else 7.5) for b in (500, 200)]
    for name, g in bands:
        x = sample(cfg, tok, text, unet, prompt, SEEDS, g)
        found = colours(an, ae, scaling, x)
        print(f"{prompt!r} {name}: colour {sum(c == colour for c in found) / len(found):.2f}, "
              f"final latent std {float(x.std()):.2f}", flush=True)


def main():
    modes = {"--split": split, "--trace": trace}
    if sys.argv[1:2] and sys.argv[1] in modes:
        return modes[sys.argv[1]](sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else "a purple heart")
    if sys.argv[1:2] == ["--samplers"]:
        return samplers(sys.argv[2], sys.argv[3:] or ["a purple heart", "a pink circle"])
    if sys.argv[1:2] == ["--shapes"]:
        return shapes(sys.argv[2], sys.argv[3:] or WEAK_SHAPES)
    ckpt = sys.argv[1] if len(sys.argv) > 1 else shipped_ckpt()
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
