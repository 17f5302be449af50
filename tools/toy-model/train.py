"""Train the toy latent diffusion model: autoencoder first, then UNet + text encoder jointly.

Reads top to bottom: 1. config  2. data  3. autoencoder + latent scaling factor  4. diffusion
training (classifier-free guidance dropout, SD noise schedule, epsilon prediction, min-SNR weights,
EMA)  5. export. Resumable: rerunning the same command continues from runs/<name>/ckpt.pt.

  /usr/bin/python3 tools/toy-model/train.py            # full run (~60 min on 2 cores)
  /usr/bin/python3 tools/toy-model/train.py --smoke    # 3 steps each + export to a temp dir
"""
from __future__ import annotations

import argparse
import copy
import dataclasses
import math
import os
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from typing import Optional

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import (AEConfig, AutoEncoder, CLIPTextModel, TextConfig, UNet2DConditionModel,  # noqa: E402
                   UNetConfig, count_params)
from tokenizer import ToyTokenizer  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


@dataclass
class TrainConfig:
    """Run v13, the shipped model (REPORT.md). Earlier runs (v1-v12) and what each taught: REPORT.md's
    history; their presets are in git history (REPORT.md names the commit)."""
    name: str = "toy-shapes-v13"
    seed: int = 0
    # Threads: the AE (32x32 convolutions) gains from both cores; the UNet phase's ops are so small that
    # one thread is faster than two here (measured, batch 128: 1.77 s per step on 1 thread vs 2.76 s on 2;
    # on run v3's smaller UNet, two 1-thread data-parallel processes gave 12 ms/sample vs 9 ms for one).
    ae_threads: int = 2
    threads: int = 1
    n_images: int = 80_000           # generated once (0.2 ms each); ~2x what the UNet phase sees
    # autoencoder: 32x32x3 -> 16x16x4, one downsampling. At 16x16 a shape spans 5-8 latent pixels (as objects
    # do in SD's 64x64 latents) and guidance 7.5 keeps the data's scale; 8x8 latents (two downsamplings,
    # run v3) made the latent a code for shape and colour, and 7.5 over-shot it.
    ae_channels: tuple = (16, 32)
    ae_minutes: float = 3.0          # enough for near-lossless flat-colour shapes
    ae_batch: int = 64
    ae_lr: float = 1e-3
    ae_latent_l2: float = 1e-4       # keeps latents bounded (SD uses a KL term for the same reason)
    ae_latent_noise: float = 0.1     # decoder learns to tolerate slightly-off latents from sampling
    # text encoder: CLIP-like, tiny (vocabulary of ~600 byte-level BPE tokens)
    text_dim: int = 64
    text_layers: int = 2
    text_heads: int = 2
    # UNet: three levels 16x16 / 8x8 / 4x4, attention at 8x8, 4x4 and in the mid block, none at 16x16 (as
    # SDXL's top level; attention there too would cost 4.4 s/step). 1.5 s fwd+bwd at batch 128 on 1 thread
    # (measured); 1208 training steps in the 53-min budget (run v13).
    unet_channels: tuple = (32, 64, 64)
    unet_attn: tuple = (False, True, True)
    unet_layers: int = 1             # SD's layers_per_block (2 there; 1 here halves the cost)
    unet_heads: int = 2              # head dim 32 (64 channels at 8x8 and 4x4)
    unet_groups: int = 8
    # diffusion training
    minutes: float = 53.0            # wall-clock budget for the UNet phase (cosine lr over it)
    batch: int = 128                 # 9 ms/sample at 128 vs 13 ms at 64 (1 thread, measured on run v3's UNet)
    lr: float = 1.5e-3
    warmup: int = 200
    weight_decay: float = 0.0
    cond_drop: float = 0.10          # classifier-free guidance: 10% empty captions
    # Loss weights over timesteps: None = uniform, as Stable Diffusion. min-SNR-5 (tried) down-weights
    # low-noise steps so much that conditional and unconditional ε still differ by ~15% there, and
    # guidance 7.5 then amplifies that into over-saturated, wrong-coloured latents (run v2).
    min_snr_gamma: Optional[float] = None
    # Timestep sampling: this fraction of each batch is drawn from [t_high_from, 1000) instead of
    # [0, 1000) (0 = uniform, as Stable Diffusion). At 16x16 an object's 30-50 latent pixels show where
    # it is down to SNR ~0.025 (t ~ 845), so the text (position, colour) only places it near the top of
    # the schedule, and uniform sampling starves those steps: under it the UNet ignored the position words
    # (run v4; SD3 shifts its sampling toward noise for the same reason).
    t_high_frac: float = 0.6
    t_high_from: int = 800
    # Guidance consistency: for captioned samples with t < consistency_below, add
    # consistency_weight * ||eps(x_t, caption) - sg(eps(x_t, ""))||^2 (scaled by their share of the batch),
    # from consistency_from (fraction of the budget) on. Below t ~ 500 the 16x16 latent already shows the
    # object, so an ideal model's captioned and empty-caption predictions agree there; without the term they
    # disagreed by 13-18% at t ~ 100, guidance 7.5 multiplied that, and PNDM's 4-step extrapolation turned it
    # into a period-2 oscillation (purple and pink wrong with PNDM, right with DDIM; REPORT.md's history,
    # runs v10-v11). One extra no-grad forward pass over those samples.
    consistency_weight: float = 1.0
    consistency_below: int = 500
    consistency_from: float = 0.4
    # The extra forward pass runs on at most this many of those samples (None: all of them). The term
    # is a regulariser, so a 16-sample estimate of it is enough, and the pass then costs ~2% of a step
    # instead of ~15% (v11, uncapped: 1183 steps against v10's 1394 in the same budget).
    consistency_cap: Optional[int] = 16
    ema: float = 0.998               # ~500-step window: short enough for a ~1.2k-step run
    ckpt_every_s: float = 120.0
    log_every: int = 25


def config_from(fields: dict) -> TrainConfig:
    """The config stored in a checkpoint. Checkpoints of earlier runs also hold fields of their removed
    presets (t_high_decay, t_high_floor: training schedule only); they are dropped."""
    known = {f.name for f in dataclasses.fields(TrainConfig)}
    return TrainConfig(**{k: v for k, v in fields.items() if k in known})


def shipped_ckpt() -> str:
    """The run exported to public/models/toy-shapes; the tools default to its folder."""
    return os.path.join(HERE, "runs", TrainConfig().name, "ckpt.pt")


def latent_size(cfg: TrainConfig) -> int:
    """Latent height = width: 32-px images, one 2x downsampling per AE level after the first."""
    return 32 // 2 ** (len(cfg.ae_channels) - 1)


def map_resolution(cfg: TrainConfig) -> int:
    """Side of the finest cross-attention maps: the latent size at the first UNet level with attention."""
    return latent_size(cfg) >> list(cfg.unet_attn).index(True)


def sd_alphas_cumprod() -> torch.Tensor:
    """SD schedule: scaled_linear 0.00085..0.012 over 1000 steps (diffusers' formula, float32)."""
    betas = torch.linspace(0.00085 ** 0.5, 0.012 ** 0.5, 1000, dtype=torch.float32) ** 2
    return torch.cumprod(1.0 - betas, dim=0)


def unet_config(cfg: TrainConfig) -> UNetConfig:
    return UNetConfig(block_out_channels=tuple(cfg.unet_channels), down_attn=tuple(cfg.unet_attn),
                      layers_per_block=cfg.unet_layers, num_heads=cfg.unet_heads,
                      cross_attention_dim=cfg.text_dim, norm_num_groups=cfg.unet_groups)


def build_models(cfg: TrainConfig, vocab_size: int):
    ae = AutoEncoder(AEConfig(channels=tuple(cfg.ae_channels)))
    text = CLIPTextModel(TextConfig(vocab_size=vocab_size, dim=cfg.text_dim, layers=cfg.text_layers,
                                    heads=cfg.text_heads))
    unet = UNet2DConditionModel(unet_config(cfg))
    return ae, text, unet


def load_trained(ckpt_path: str):
    """(cfg, tokenizer, ae, text, unet, scaling_factor) with EMA weights, eval mode."""
    ck = torch.load(ckpt_path, map_location="cpu")
    cfg = config_from(ck["cfg"])
    tok = ToyTokenizer()
    ae, text, unet = build_models(cfg, len(tok))
    ae.load_state_dict(ck["ae"])
    text.load_state_dict(ck["ema_text"])
    unet.load_state_dict(ck["ema_unet"])
    for m in (ae, text, unet):
        m.eval()
    return cfg, tok, ae, text, unet, float(ck["scaling_factor"])


def log(msg: str):
    print(time.strftime("%H:%M:%S"), msg, flush=True)


def to_tensor(imgs_u8: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(imgs_u8).permute(0, 3, 1, 2).float() / 127.5 - 1.0


def train_ae(cfg, ae, imgs, max_steps=None):
    opt = torch.optim.Adam(ae.parameters(), lr=cfg.ae_lr)
    t0, step, n = time.time(), 0, len(imgs)
    budget = cfg.ae_minutes * 60
    while (max_steps is None and time.time() - t0 < budget) or (max_steps is not None and step < max_steps):
        frac = min(1.0, (time.time() - t0) / budget)
        for g in opt.param_groups:
            g["lr"] = cfg.ae_lr * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * frac)))
        x = to_tensor(imgs[np.random.randint(0, n, cfg.ae_batch)])
        z = ae.encoder(x)
        zn = z + cfg.ae_latent_noise * z.detach().std() * torch.randn_like(z)
        y = ae.decoder(zn)
        rec = F.mse_loss(y, x) + 0.5 * F.l1_loss(y, x)
        loss = rec + cfg.ae_latent_l2 * z.pow(2).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        step += 1
        if step % 100 == 0 or max_steps is not None:
            log(f"ae step {step} rec {rec.item():.5f} |z| {z.std().item():.3f} {time.time() - t0:.0f}s")
    return step


def draw_timesteps(n: int, t_high_frac: float = 0.0, t_high_from: int = 800, t_low: int = 0, device=None):
    """n training timesteps from [t_low, 1000), the first round(t_high_frac * n) of them from [t_high_from, 1000)."""
    t = torch.randint(t_low, 1000, (n,), device=device)
    n_high = int(round(t_high_frac * n))
    if n_high:
        t[:n_high] = torch.randint(t_high_from, 1000, (n_high,), device=device)
    return t


def noised(x0, noise, t, ac):
    """x_t = sqrt(a_t) x0 + sqrt(1 - a_t) noise for a batch of timesteps t."""
    a = ac[t].view(-1, 1, 1, 1)
    return a.sqrt() * x0 + (1 - a).sqrt() * noise


def diffusion_loss(unet, text, x0, cond, t, ac, weight_t, empty_ids, consistency=0.0, consistency_below=500,
                   consistency_cap=None):
    """Epsilon-prediction loss on x_t = sqrt(a) x0 + sqrt(1-a) noise, weighted per timestep, plus the
    guidance-consistency term (TrainConfig.consistency_weight) when `consistency` > 0, estimated on at
    most `consistency_cap` of the samples it applies to (the batch is already a random draw)."""
    noise = torch.randn_like(x0)
    xt = noised(x0, noise, t, ac)
    eps = unet(xt, t.float(), text(cond))
    loss = ((eps - noise) ** 2).mean(dim=(1, 2, 3)).mul(weight_t[t]).mean()
    if consistency > 0:
        low = ((t < consistency_below) & (cond != empty_ids).any(1)).nonzero().flatten()
        if len(low):
            share = len(low) / len(t)
            low = low[:consistency_cap]
            with torch.no_grad():
                eps_empty = unet(xt[low], t[low].float(), text(empty_ids[None].expand(len(low), -1)))
            loss = loss + consistency * ((eps[low] - eps_empty) ** 2).mean() * share
    return loss


@torch.no_grad()
def encode_all(ae, imgs, bs=512):
    out = [ae.encoder(to_tensor(imgs[i:i + bs])) for i in range(0, len(imgs), bs)]
    return torch.cat(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--smoke", action="store_true", help="3 AE + 3 UNet steps, export to a temp dir")
    ap.add_argument("--minutes", type=float, default=None, help="override the UNet-phase budget")
    ap.add_argument("--runs", default=os.path.join(HERE, "runs"))
    args = ap.parse_args()

    # 1. Config
    cfg = TrainConfig()
    if args.minutes is not None:
        cfg.minutes = args.minutes
    if args.smoke:
        cfg.name, cfg.n_images, cfg.batch = "smoke", 512, 16
    torch.set_num_threads(cfg.ae_threads)
    torch.manual_seed(cfg.seed)
    np.random.seed(cfg.seed)
    run_dir = tempfile.mkdtemp(prefix="toy-smoke-") if args.smoke else os.path.join(args.runs, cfg.name)
    os.makedirs(run_dir, exist_ok=True)
    ckpt_path = os.path.join(run_dir, "ckpt.pt")
    t_start = time.time()

    # 2. Data (procedural, deterministic in the seed)
    from data import make_dataset  # here: data.py needs PIL, which train_emoji.py's GPU machine lacks
    tok = ToyTokenizer()
    imgs, caps, _ = make_dataset(cfg.n_images, cfg.seed)
    ids = torch.tensor([tok.ids(c) for c in caps], dtype=torch.long)
    empty_ids = torch.tensor(tok.ids(""), dtype=torch.long)
    log(f"data: {len(imgs)} images in {time.time() - t_start:.0f}s, vocab {len(tok)}")

    ae, text, unet = build_models(cfg, len(tok))
    log(f"params: ae {count_params(ae)} (decoder {count_params(ae.decoder)}), text {count_params(text)}, "
        f"unet {count_params(unet)}")
    ck = torch.load(ckpt_path, map_location="cpu") if os.path.exists(ckpt_path) else None

    # 3. Autoencoder, then the latent scaling factor = 1 / std(latents) (SD's 0.18215 analogue)
    if ck is None:
        t = time.time()
        train_ae(cfg, ae, imgs, max_steps=3 if args.smoke else None)
        ae.eval()
        with torch.no_grad():
            z = encode_all(ae, imgs[:4096])
            rec = F.mse_loss(ae.decoder(z[:1024]), to_tensor(imgs[:1024])).item()
        scaling = float(1.0 / z.std())
        log(f"ae done in {time.time() - t:.0f}s: rec mse {rec:.5f}, latent std {z.std():.4f}, "
            f"scaling_factor {scaling:.5f}")
        ema_text, ema_unet = copy.deepcopy(text.state_dict()), copy.deepcopy(unet.state_dict())
        step, elapsed, opt_state = 0, 0.0, None
    else:
        ae.load_state_dict(ck["ae"])
        text.load_state_dict(ck["text"])
        unet.load_state_dict(ck["unet"])
        ema_text, ema_unet = ck["ema_text"], ck["ema_unet"]
        scaling, step, elapsed, opt_state = ck["scaling_factor"], ck["step"], ck["elapsed"], ck["opt"]
        ae.eval()
        log(f"resumed at step {step}, {elapsed / 60:.1f} min into the UNet phase")
    with torch.no_grad():
        latents = encode_all(ae, imgs) * scaling
    del imgs
    torch.set_num_threads(cfg.threads)

    # 4. Diffusion training
    params = list(unet.parameters()) + list(text.parameters())
    opt = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=cfg.weight_decay)
    if opt_state is not None:
        opt.load_state_dict(opt_state)
    ac = sd_alphas_cumprod()
    snr = ac / (1 - ac)
    weight_t = torch.ones_like(snr) if cfg.min_snr_gamma is None else torch.clamp(snr, max=cfg.min_snr_gamma) / snr
    ema_params = [(ema_unet[k], v) for k, v in unet.state_dict().items()] + \
                 [(ema_text[k], v) for k, v in text.state_dict().items()]
    unet.train()
    text.train()
    budget = cfg.minutes * 60
    loss_avg, t_phase, last_ckpt = None, time.time() - elapsed, time.time()

    def save():
        torch.save(dict(cfg=asdict(cfg), ae=ae.state_dict(), text=text.state_dict(), unet=unet.state_dict(),
                        ema_text=ema_text, ema_unet=ema_unet, opt=opt.state_dict(), step=step,
                        elapsed=time.time() - t_phase, scaling_factor=scaling), ckpt_path + ".tmp")
        os.replace(ckpt_path + ".tmp", ckpt_path)

    n = len(latents)
    while True:
        el = time.time() - t_phase
        if (args.smoke and step >= 3) or (not args.smoke and el >= budget):
            break
        frac = min(1.0, el / budget)
        lr = cfg.lr * min(1.0, (step + 1) / cfg.warmup) * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * frac)))
        for g in opt.param_groups:
            g["lr"] = lr
        idx = torch.randint(0, n, (cfg.batch,))
        x0 = latents[idx]
        cond = ids[idx].clone()
        cond[torch.rand(cfg.batch) < cfg.cond_drop] = empty_ids
        t = draw_timesteps(cfg.batch, cfg.t_high_frac, cfg.t_high_from)
        consistency = cfg.consistency_weight if frac >= cfg.consistency_from else 0.0
        loss = diffusion_loss(unet, text, x0, cond, t, ac, weight_t, empty_ids, consistency, cfg.consistency_below,
                              cfg.consistency_cap)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        step += 1
        with torch.no_grad():
            d = min(cfg.ema, (1 + step) / (10 + step))
            for e, p in ema_params:
                if e.dtype.is_floating_point:
                    e.mul_(d).add_(p.detach(), alpha=1 - d)
        loss_avg = loss.item() if loss_avg is None else 0.98 * loss_avg + 0.02 * loss.item()
        if step % cfg.log_every == 0 or args.smoke:
            el = time.time() - t_phase
            log(f"step {step} loss {loss_avg:.4f} lr {lr:.2e} {step / max(el, 1e-9):.2f} it/s "
                f"{el / 60:.1f}/{cfg.minutes:.0f} min")
        if time.time() - last_ckpt > cfg.ckpt_every_s:
            save()
            last_ckpt = time.time()
    save()
    log(f"training done: {step} steps, total wall {(time.time() - t_start) / 60:.1f} min, ckpt {ckpt_path}")

    # 5. Export
    if args.smoke:
        import export
        out = os.path.join(run_dir, "export")
        export.export_model(ckpt_path, out, fixtures_dir=None)
        log(f"smoke export written to {out}")


if __name__ == "__main__":
    main()
