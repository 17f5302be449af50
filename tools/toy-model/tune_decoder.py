"""Fine-tunes the toy-emoji autoencoder's decoder with its encoder frozen, so the latent space (and the UNet trained
on it) stays as it is and only the pictures get better.

The first run's autoencoder trained for 20 minutes (690 steps); its decoder draws pale or thin objects as outlines
(the painted squirrel: a few brown strokes). This continues the decoder alone on fresh renders with a loss that
weighs object pixels more (`--object-weight`, from the renderer's coverage masks) and an L1 on image gradients
(edges), with the same latent noise as the first run (so that it tolerates the UNet's slightly-off latents).
Resumable: rerunning with the same --run-dir continues from its ckpt.pt (a checkpoint every 5 minutes).

  /usr/bin/python3 tune_decoder.py --src runs/toy-emoji-ft2/weights.pt --run-dir runs/decoder-ft --minutes 40
  -> runs/decoder-ft/weights.pt (the source weights with the new decoder), and with --carry-in/--carry-out a carry

Before and after it prints, on 512 fixed renders: the reconstruction error (all pixels, object pixels) and how
much of each object the judge (emoji_judge.py) still recognises in the reconstruction (object-pixel accuracy).
"""
from __future__ import annotations

import argparse
import math
import os
import random
import time

import torch
import torch.nn.functional as F

from carry import FORMAT as CARRY_FORMAT, read_carry, unpack, write_carry
from emoji_judge import JUDGE, label, load_judge, targets
from emoji_render import load_sprite_tensor, render
from emoji_world import sample
from mixed_precision import autocast_factory, cpu_has_bf16, fp32_norms
from train import build_models, log
from train_emoji import config_from, tokenizer

HERE = os.path.dirname(os.path.abspath(__file__))


def draw(n: int, rng: random.Random, gen: torch.Generator, sprites: torch.Tensor):
    """n fresh renders, their per-pixel object coverage [n, 1, 64, 64] and judge targets [n, 64, 64]."""
    scenes = [sample(rng)[1] for _ in range(n)]
    x, cover = render(scenes, sprites, gen, masks=True)
    return x, cover.amax(1, keepdim=True), targets(scenes, cover)


def grads(x: torch.Tensor):
    return x[..., 1:, :] - x[..., :-1, :], x[..., :, 1:] - x[..., :, :-1]


def decoder_loss(y: torch.Tensor, x: torch.Tensor, cover: torch.Tensor, object_weight: float, edge_weight: float):
    w = 1.0 + object_weight * cover
    rec = ((y - x) ** 2 * w).mean() + 0.5 * ((y - x).abs() * w).mean()
    (gy, gx), (ty, tx) = grads(y), grads(x)
    return rec + edge_weight * ((gy - ty).abs().mean() + (gx - tx).abs().mean())


@torch.no_grad()
def measure(ae, judge, held) -> dict:
    """Reconstruction error and the judge's object-pixel accuracy on reconstructions of the held-out renders."""
    err = obj_err = 0.0
    hit = n_obj = 0
    for x, cover, y in held:
        r = ae.decoder(ae.encoder(x)).clamp(-1, 1)
        err += F.mse_loss(r, x).item()
        obj_err += (((r - x) ** 2).mean(1, keepdim=True) * cover).sum().item() / cover.sum().clamp(min=1).item()
        lab = label(judge, r)
        on = y > 0
        hit += int((lab[on] == y[on]).sum())
        n_obj += int(on.sum())
    k = len(held)
    return dict(mse=err / k, object_mse=obj_err / k, judge_object_px=hit / max(n_obj, 1))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--src", required=True, help="weights.pt or a carry (its encoder, decoder and the rest)")
    ap.add_argument("--run-dir", required=True)
    ap.add_argument("--minutes", type=float, default=40.0, help="wall-clock budget (cosine lr over it)")
    ap.add_argument("--lr", type=float, default=3e-4)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--object-weight", type=float, default=4.0)
    ap.add_argument("--edge-weight", type=float, default=0.5)
    ap.add_argument("--carry-in", help="a carry whose autoencoder to replace with the tuned one (e.g. the run's)")
    ap.add_argument("--carry-out", help="where to write that carry (e.g. checkpoints/toy-emoji.pt)")
    ap.add_argument("--sprites", default=os.path.join(HERE, "runs", "emoji", "sprites.npz"))
    ap.add_argument("--judge", default=JUDGE)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--smoke", action="store_true", help="3 steps, 64 held-out renders")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    os.makedirs(a.run_dir, exist_ok=True)
    ckpt_path = os.path.join(a.run_dir, "ckpt.pt")

    w = torch.load(a.src, map_location="cpu")
    if w.get("format") == CARRY_FORMAT:
        w = unpack(w, a.src)
    cfg = config_from(w["cfg"])
    ae, _, _ = build_models(cfg, len(tokenizer()))
    ae.load_state_dict(w["ae"])
    bf16 = cpu_has_bf16()
    if bf16:
        fp32_norms(ae)
    autocast = autocast_factory(torch.device("cpu"), bf16)
    sprites = load_sprite_tensor(a.sprites, "cpu")
    judge = load_judge(a.judge)
    held_rng, held_gen = random.Random(12345), torch.Generator().manual_seed(12345)
    held = [draw(64, held_rng, held_gen, sprites) for _ in range(1 if a.smoke else 8)]

    opt = torch.optim.Adam(ae.decoder.parameters(), lr=a.lr)
    step, elapsed = 0, 0.0
    if os.path.exists(ckpt_path):
        ck = torch.load(ckpt_path, map_location="cpu")
        ae.decoder.load_state_dict(ck["decoder"])
        opt.load_state_dict(ck["opt"])
        step, elapsed = ck["step"], ck["elapsed"]
        log(f"resumed at step {step}, {elapsed / 60:.1f} of {a.minutes:.0f} min")
    else:
        log(f"before: {measure(ae.eval(), judge, held)}")
    for p in ae.encoder.parameters():
        p.requires_grad_(False)
    ae.encoder.eval()
    ae.decoder.train()
    rng, gen = random.Random(1000 + step), torch.Generator().manual_seed(1000 + step)

    def save():
        torch.save(dict(decoder=ae.decoder.state_dict(), opt=opt.state_dict(), step=step,
                        elapsed=time.time() - t0), ckpt_path + ".tmp")
        os.replace(ckpt_path + ".tmp", ckpt_path)

    t0, last, budget = time.time() - elapsed, time.time(), a.minutes * 60
    while (a.smoke and step < 3) or (not a.smoke and time.time() - t0 < budget):
        frac = min(1.0, (time.time() - t0) / budget)
        lr = a.lr * min(1.0, (step + 1) / 50) * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * frac)))
        for g in opt.param_groups:
            g["lr"] = lr
        x, cover, _ = draw(a.batch, rng, gen, sprites)
        with torch.no_grad():
            z = ae.encoder(x)
            z = z + cfg.ae_latent_noise * z.std() * torch.randn_like(z)
        with autocast():
            y = ae.decoder(z)
        loss = decoder_loss(y.float(), x, cover, a.object_weight, a.edge_weight)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        step += 1
        if step % 25 == 0 or a.smoke:
            log(f"step {step} loss {loss.item():.5f} lr {lr:.2e} {(time.time() - t0) / 60:.1f}/{a.minutes:.0f} min")
        if time.time() - last > 300:
            save()
            last = time.time()
    save()
    ae.eval()
    log(f"after {step} steps: {measure(ae, judge, held)}")
    out = {k: v for k, v in w.items() if k not in ("format",)}
    out["ae"] = {k: v.detach().cpu() for k, v in ae.state_dict().items()}
    if w.get("format") == CARRY_FORMAT:  # weights.pt layout: EMA weights under text / unet, fp32
        out = dict(cfg=w["cfg"], ae=out["ae"], text=w["text"], unet=w["unet"], scaling_factor=w["scaling_factor"],
                   step=w["step"])
    torch.save(out, os.path.join(a.run_dir, "weights.pt"))
    log(f"wrote {os.path.join(a.run_dir, 'weights.pt')}")
    if a.carry_in and a.carry_out:
        c = read_carry(a.carry_in)
        write_carry(a.carry_out, c["cfg"], out["ae"], c["text"], c["unet"], c["scaling_factor"], c["step"],
                    c["elapsed"], c["samples"])
        log(f"wrote {a.carry_out} (the carry of {a.carry_in} with the tuned autoencoder)")


if __name__ == "__main__":
    main()
