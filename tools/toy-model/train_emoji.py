"""Train the toy-emoji model (64-px emoji world): autoencoder, then UNet + text encoder, on fresh renders.

  /usr/bin/python3 tools/toy-model/train_emoji.py                       # CPU, resumable, hours
  /usr/bin/python3 tools/toy-model/train_emoji.py --smoke               # a few steps of each phase
  python3 train_emoji.py --device cuda --sprites sprites.npz --run-dir DIR --ae-minutes 1.5 --minutes 5.5
                                                                         # the 8-minute GPU run (docs below)

Same recipe as the shipped toy-shapes run (train.py's v13: SD noise schedule, epsilon prediction, 10%
empty captions, 60% of each batch's timesteps from [800, 1000), the guidance-consistency term from 40% of
the budget on, EMA), at the emoji world's geometry: 64x64 images, an f=4 autoencoder to 4x16x16 latents,
UNet levels 16/8/4 with cross-attention at 16x16 and 8x8 (16x16 attention maps) and in the mid block.
Every step draws a fresh batch with emoji_render.py on the training device, so nothing is pre-generated.

Resumable: <run-dir>/ckpt.pt holds everything (written every --ckpt-every seconds and at the end); rerun
the same command (or pass --resume) to continue; the cosine schedules run on the elapsed time stored
there. Across sessions (each on a fresh machine): <run-dir>/carry.pt (carry.py, 16.7 MB) is committed as
checkpoints/toy-emoji.pt and --carry continues from it. <run-dir>/weights.pt is the compact result (EMA
weights + config + scaling factor, ~25 MB), what export_emoji.py reads; --weights-out also writes it in
<=15 MiB parts (weights.pt.partNN) for a machine that returns files of limited size.

On a GPU machine (torch >= 1.13, CUDA; no PIL or network needed), copy this folder's emoji_*.py,
model.py, tokenizer.py, train.py, train_emoji.py and runs/emoji/sprites.npz (131 KiB); bf16 autocast is
used on CUDA.
"""
from __future__ import annotations

import argparse
import copy
import math
import os
import random
import sys
import time
from dataclasses import asdict, dataclass
from typing import Optional

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from emoji_render import load_sprite_tensor, render  # noqa: E402
from emoji_world import VOCAB_WORDS, sample  # noqa: E402
from held_swaps import HeldSwapBatches, Injector, held_swap_loss  # noqa: E402
from grounding import Recorder, grounding_loss, slot_tensors  # noqa: E402
from allocator import keep_freed_memory  # noqa: E402
from carry import FORMAT as CARRY_FORMAT, read_carry, unpack, write_carry  # noqa: E402
from mixed_precision import autocast_factory, cpu_has_bf16, fp32_norms  # noqa: E402
from model import count_params  # noqa: E402
from tokenizer import ToyTokenizer  # noqa: E402
# train.py's builders read the same config field names, so they serve EmojiConfig as well
from train import build_models, diffusion_loss, draw_timesteps, log, sd_alphas_cumprod  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


@dataclass
class EmojiConfig:
    name: str = "toy-emoji"
    seed: int = 0
    image_size: int = 64
    # autoencoder 64x64x3 -> 16x16x4 (f = 4, as the issue asks; SD's is f = 8 at 512 px)
    ae_channels: tuple = (32, 64, 128)
    ae_minutes: float = 20.0
    ae_batch: int = 64
    ae_lr: float = 1e-3
    ae_latent_l2: float = 1e-4
    ae_latent_noise: float = 0.1
    # text encoder: CLIP-style, width 128 (= cross-attention dim), 3 layers
    text_dim: int = 128
    text_layers: int = 3
    text_heads: int = 4
    # UNet: 17.6 MB fp32; with the decoder (3.7 MB) and text encoder (2.8 MB) the export is ~24 MB
    unet_channels: tuple = (48, 96, 128)
    unet_attn: tuple = (True, True, False)
    unet_layers: int = 1
    unet_heads: int = 4
    unet_groups: int = 16
    # diffusion
    minutes: float = 600.0
    batch: int = 64
    lr: float = 1e-3
    warmup: int = 300
    cond_drop: float = 0.10
    t_high_frac: float = 0.6
    t_high_from: int = 800
    consistency_weight: float = 1.0
    consistency_below: int = 500
    # the world's pair spread (emoji_world.PairSpread as a tuple; empty: the narrow layout the shipped model learnt)
    pair_spread: tuple = ()
    # token grounding (grounding.py): weight of the term that pulls each noun's cross-attention map onto its object,
    # in the cross-attention layers with at least `grounding_min_queries` queries (0: off, the shipped recipe)
    grounding: float = 0.0
    grounding_min_queries: int = 64
    # held-layout swaps (held_swaps.py): weight of the term that trains the UNet under Prompt-to-Prompt injection on
    # pictures whose swapped object stays in place; pictures per step; the largest self-attention query length
    # injected (public/models/toy-emoji/p2p.json's selfMaxQuery). 0: off, the shipped recipe
    held_swaps: float = 0.0
    held_swaps_batch: int = 16
    held_swaps_self_max_query: int = 64
    consistency_from: float = 0.4
    consistency_cap: Optional[int] = 16
    ema: float = 0.999
    ckpt_every_s: float = 180.0
    log_every: int = 50
    # CPU: rendering and encoding a picture costs ~5 ms, a third of the UNet's bf16 step per sample, so the UNet
    # phase trains from a pool of encoded latents and renders only `pool_refresh` new pictures per step into it
    # (0 = a fresh batch every step, as on a GPU)
    pool_size: int = 12_000
    pool_refresh: int = 16


# Continuing a run on this machine's 2 cores (e.g. from the GPU run's weights.pt, --init): a latent pool.
CPU_CONTINUE = dict(batch=64, lr=3e-4, warmup=100, pool_size=12_000, pool_refresh=8, ckpt_every_s=300.0,
                    log_every=25)
# The 8-minute GPU run: bigger batches, a shorter AE phase (H200: ~10x the CPU's budget in a few minutes).
GPU = dict(ae_batch=256, ae_minutes=1.5, batch=384, lr=1.5e-3, minutes=5.75, ckpt_every_s=60.0, log_every=200,
           pool_size=0)


def tokenizer() -> ToyTokenizer:
    return ToyTokenizer(VOCAB_WORDS)


def latent_size(cfg: EmojiConfig) -> int:
    return cfg.image_size // 2 ** (len(cfg.ae_channels) - 1)


def map_resolution(cfg: EmojiConfig) -> int:
    return latent_size(cfg) >> list(cfg.unet_attn).index(True)


def config_from(fields: dict) -> EmojiConfig:
    """The config stored in a checkpoint (torch.save keeps tuples; lists come back as tuples too)."""
    return EmojiConfig(**{k: tuple(v) if isinstance(v, list) else v for k, v in fields.items()})


def load_weights(path: str):
    """(cfg, tokenizer, ae, text, unet, scaling_factor) from weights.pt or a carry (EMA weights), eval mode, CPU."""
    w = torch.load(path, map_location="cpu")
    if w.get("format") == CARRY_FORMAT:
        w = unpack(w, path)
    cfg = config_from(w["cfg"])
    tok = tokenizer()
    ae, text, unet = build_models(cfg, len(tok))
    ae.load_state_dict(w["ae"])
    text.load_state_dict(w["text"])
    unet.load_state_dict(w["unet"])
    for m in (ae, text, unet):
        m.eval()
    return cfg, tok, ae, text, unet, float(w["scaling_factor"])


class Batches:
    """Fresh (image, token ids) batches drawn on the training device."""

    def __init__(self, sprites, tok: ToyTokenizer, seed: int, focus: float = 0.0, spread=None):
        self.sprites, self.tok, self.focus, self.spread = sprites, tok, focus, spread
        self.rng = random.Random(seed)
        self.gen = torch.Generator(device=sprites.device).manual_seed(seed)

    def __call__(self, n: int, slots_side: int = 0):
        """(images, ids), plus the nouns' token positions and object masks at `slots_side` px if it is set."""
        caps, scenes = zip(*[sample(self.rng, self.focus, self.spread) for _ in range(n)])
        imgs, cover = render(list(scenes), self.sprites, self.gen, masks=slots_side > 0)
        ids = torch.tensor([self.tok.ids(c) for c in caps], dtype=torch.long, device=self.sprites.device)
        if slots_side:
            return (imgs, ids, *slot_tensors(caps, scenes, cover, slots_side))
        return imgs, ids


def split_file(path: str, out_dir: str, part_bytes: int = 15 << 20):
    """Copy `path` into out_dir as <name>.partNN files of at most part_bytes (join: cat in order)."""
    data, name = open(path, "rb").read(), os.path.basename(path)
    for i in range(0, len(data), part_bytes):
        dst = os.path.join(out_dir, f"{name}.part{i // part_bytes:02d}")
        with open(dst + ".tmp", "wb") as f:
            f.write(data[i:i + part_bytes])
        os.replace(dst + ".tmp", dst)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--gpu-preset", action="store_true", help="GPU batch sizes and the 8-minute budget")
    ap.add_argument("--init", default=None, help="start the UNet phase from this weights.pt (its autoencoder, "
                    "scaling factor and EMA weights), with CPU_CONTINUE's settings")
    ap.add_argument("--carry", default=None, help="continue the run of this carry file (carry.py: config, weights, "
                    "schedule position; a fresh optimizer with a short warmup), e.g. checkpoints/toy-emoji.pt")
    ap.add_argument("--ae-minutes", type=float)
    ap.add_argument("--minutes", type=float, help="UNet-phase budget (wall clock, cosine lr over it)")
    ap.add_argument("--consistency-from", type=float, help="budget fraction from which the guidance-consistency "
                    "term is on (0 for a fine-tune of a model that already trained with it)")
    ap.add_argument("--focus", type=float, default=0.0,
                    help="share of pictures drawn from the notebook's pairs (emoji_world.NOTEBOOK_PAIRS)")
    ap.add_argument("--lr", type=float, help="peak learning rate (default: the config's)")
    ap.add_argument("--pair-spread", default=None, help="the world's pair spread, 'X,Y,OFFSET' px sd (e.g. 5,3.5,2.5: "
                    "the seed places a pair; REPORT-emoji §5); '' for the narrow layout; kept in the carry")
    ap.add_argument("--grounding", type=float, default=None, help="weight of the token-grounding term "
                    "(grounding.py; e.g. 0.05), kept in the carry; 0 turns it off")
    ap.add_argument("--held-swaps", type=float, default=None, help="weight of the held-layout swap term "
                    "(held_swaps.py; e.g. 1), kept in the carry; 0 turns it off")
    ap.add_argument("--sprites", default=os.path.join(HERE, "runs", "emoji", "sprites.npz"))
    ap.add_argument("--run-dir", default=os.path.join(HERE, "runs", "toy-emoji"))
    ap.add_argument("--weights-out", default=None, help="also copy weights.pt here, in <=15 MiB parts")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--precision", choices=("auto", "bf16", "fp32"), default="auto",
                    help="auto: bf16 autocast on CUDA and on CPUs with bf16 instructions (mixed_precision.py)")
    ap.add_argument("--profile", type=int, default=0, help="profile this many UNet steps (after 20), print, stop")
    args = ap.parse_args()

    carried = read_carry(args.carry) if args.carry else None
    if carried is not None:
        cfg = config_from(carried["cfg"])
    else:
        cfg = EmojiConfig(**(GPU if args.gpu_preset else CPU_CONTINUE if args.init else {}))
    if args.ae_minutes is not None:
        cfg.ae_minutes = args.ae_minutes
    if args.minutes is not None:
        cfg.minutes = args.minutes
    if args.lr is not None:
        cfg.lr = args.lr
    if args.consistency_from is not None:
        cfg.consistency_from = args.consistency_from
    if args.pair_spread is not None:
        cfg.pair_spread = tuple(float(v) for v in args.pair_spread.split(",") if v.strip())
        assert len(cfg.pair_spread) in (0, 3), "--pair-spread takes anchor x, anchor y and offset sd (px)"
    if args.grounding is not None:
        cfg.grounding = args.grounding
    if args.held_swaps is not None:
        cfg.held_swaps = args.held_swaps
    assert not (cfg.grounding > 0 and cfg.held_swaps > 0), "grounding and held swaps both hook the attention layers"
    if args.smoke:
        cfg.ae_batch, cfg.batch, cfg.log_every, cfg.pool_size = 8, 8, 1, min(cfg.pool_size, 256)
    dev = torch.device(args.device)
    cuda = dev.type == "cuda"
    if cuda:
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
        torch.backends.cudnn.benchmark = True
    torch.set_num_threads(args.threads)
    keep_freed_memory()
    torch.manual_seed(cfg.seed)
    os.makedirs(args.run_dir, exist_ok=True)
    ckpt_path = os.path.join(args.run_dir, "ckpt.pt")
    bf16 = args.precision == "bf16" or (args.precision == "auto" and (cuda or cpu_has_bf16()))
    autocast = autocast_factory(dev, bf16)
    t_start = time.time()

    tok = tokenizer()
    sprites = load_sprite_tensor(args.sprites, dev)
    draw = Batches(sprites, tok, cfg.seed, args.focus, tuple(cfg.pair_spread) or None)
    ae, text, unet = build_models(cfg, len(tok))
    ae, text, unet = ae.to(dev), text.to(dev), unet.to(dev)
    if bf16 and not cuda:
        fp32_norms(ae, text, unet)
    log(f"params: ae decoder {count_params(ae.decoder)}, text {count_params(text)}, unet {count_params(unet)}; "
        f"vocab {len(tok)}; device {dev}, {'bf16 autocast' if bf16 else 'fp32'}")
    ck = torch.load(ckpt_path, map_location=dev) if os.path.exists(ckpt_path) else None

    # 1. Autoencoder (resumable on its own), then scaling factor = 1 / std(latents)
    step0 = 0  # the step this process started the UNet phase at (lr warmup after a fresh optimizer)
    samples = 0 if ck is None else ck.get("samples", ck.get("step", 0) * cfg.batch)
    if ck is None and (carried is not None or args.init):
        w = carried if carried is not None else torch.load(args.init, map_location=dev)
        ae.load_state_dict(w["ae"])
        text.load_state_dict(w["text"])
        unet.load_state_dict(w["unet"])
        ae.eval()
        scaling, step, elapsed, opt_state = float(w["scaling_factor"]), 0, 0.0, None
        ema_text, ema_unet = copy.deepcopy(text.state_dict()), copy.deepcopy(unet.state_dict())
        if carried is not None:  # the same run: its schedule position and picture count go on
            step = step0 = carried["step"]
            elapsed, samples = carried["elapsed"], carried["samples"]
            log(f"continuing {args.carry}: step {step}, {elapsed / 60:.1f} of {cfg.minutes:.0f} min, "
                f"{samples} pictures")
        else:
            log(f"initialised from {args.init} (trained {w.get('step')} steps there)")
    elif ck is None or ck.get("phase") == "ae":
        ae_opt = torch.optim.Adam(ae.parameters(), lr=cfg.ae_lr)
        ae_step, ae_el = 0, 0.0
        if ck is not None:
            ae.load_state_dict(ck["ae"])
            ae_opt.load_state_dict(ck["ae_opt"])
            ae_step, ae_el = ck["ae_step"], ck["ae_elapsed"]
            log(f"resumed the autoencoder at step {ae_step}")
        t0, last, budget = time.time() - ae_el, time.time(), cfg.ae_minutes * 60
        while (args.smoke and ae_step < 3) or (not args.smoke and time.time() - t0 < budget):
            frac = min(1.0, (time.time() - t0) / budget)
            for g in ae_opt.param_groups:
                g["lr"] = cfg.ae_lr * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * frac)))
            with torch.no_grad():
                x, _ = draw(cfg.ae_batch)
            with autocast():
                z = ae.encoder(x)
                y = ae.decoder(z + cfg.ae_latent_noise * z.detach().std() * torch.randn_like(z))
            y, z = y.float(), z.float()
            rec = F.mse_loss(y, x) + 0.5 * F.l1_loss(y, x)
            loss = rec + cfg.ae_latent_l2 * z.pow(2).mean()
            ae_opt.zero_grad(set_to_none=True)
            loss.backward()
            ae_opt.step()
            ae_step += 1
            if ae_step % cfg.log_every == 0:
                log(f"ae step {ae_step} rec {rec.item():.5f} |z| {z.std().item():.3f} {time.time() - t0:.0f}s")
            if time.time() - last > cfg.ckpt_every_s:
                torch.save(dict(phase="ae", cfg=asdict(cfg), ae=ae.state_dict(), ae_opt=ae_opt.state_dict(),
                                ae_step=ae_step, ae_elapsed=time.time() - t0), ckpt_path + ".tmp")
                os.replace(ckpt_path + ".tmp", ckpt_path)
                last = time.time()
        ae.eval()
        with torch.no_grad():
            xs = [draw(256)[0] for _ in range(4 if args.smoke else 16)]
            zs = torch.cat([ae.encoder(x) for x in xs])
            mse = F.mse_loss(ae.decoder(zs[:256]), xs[0]).item()
        scaling = float(1.0 / zs.std())
        log(f"ae done: {ae_step} steps, rec mse {mse:.5f}, latent std {zs.std():.4f}, scaling_factor {scaling:.5f}")
        ema_text, ema_unet = copy.deepcopy(text.state_dict()), copy.deepcopy(unet.state_dict())
        step, elapsed, opt_state = 0, 0.0, None
    else:
        ae.load_state_dict(ck["ae"])
        text.load_state_dict(ck["text"])
        unet.load_state_dict(ck["unet"])
        ema_text, ema_unet = ck["ema_text"], ck["ema_unet"]
        scaling, step, elapsed, opt_state = ck["scaling_factor"], ck["step"], ck["elapsed"], ck["opt"]
        step0 = ck.get("step0", 0)
        ae.eval()
        log(f"resumed at step {step}, {elapsed / 60:.1f} min into the UNet phase")
    for p in ae.parameters():
        p.requires_grad_(False)

    # 2. UNet + text encoder
    params = list(unet.parameters()) + list(text.parameters())
    opt = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=0.0, foreach=True)
    if opt_state is not None:
        opt.load_state_dict(opt_state)
    ac = sd_alphas_cumprod().to(dev)
    weight_t = torch.ones_like(ac)
    empty_ids = torch.tensor(tok.ids(""), dtype=torch.long, device=dev)
    ema_params = [(ema_unet[k], v) for k, v in unet.state_dict().items()] + \
                 [(ema_text[k], v) for k, v in text.state_dict().items()]
    ema_f = [e for e, v in ema_params if e.dtype.is_floating_point]
    live_f = [v for e, v in ema_params if e.dtype.is_floating_point]
    prof = None
    if args.profile:
        acts = [torch.profiler.ProfilerActivity.CPU] + ([torch.profiler.ProfilerActivity.CUDA] if cuda else [])
        prof = torch.profiler.profile(activities=acts)
    unet.train()
    text.train()
    budget = cfg.minutes * 60
    loss_avg, t_phase, last_ckpt = None, time.time() - elapsed, time.time()

    def save():
        torch.save(dict(phase="unet", cfg=asdict(cfg), ae=ae.state_dict(), text=text.state_dict(),
                        unet=unet.state_dict(), ema_text=ema_text, ema_unet=ema_unet, opt=opt.state_dict(),
                        step=step, step0=step0, samples=samples, elapsed=time.time() - t_phase,
                        scaling_factor=scaling), ckpt_path + ".tmp")
        os.replace(ckpt_path + ".tmp", ckpt_path)
        write_carry(os.path.join(args.run_dir, "carry.pt"), asdict(cfg), ae.state_dict(), ema_text, ema_unet, scaling,
                    step, time.time() - t_phase, samples)
        w = dict(cfg=asdict(cfg), ae={k: v.cpu() for k, v in ae.state_dict().items()},
                 text={k: v.cpu() for k, v in ema_text.items()}, unet={k: v.cpu() for k, v in ema_unet.items()},
                 scaling_factor=scaling, step=step)
        torch.save(w, os.path.join(args.run_dir, "weights.pt"))
        if args.weights_out:  # every checkpoint, so that a run cut short still returns its weights
            os.makedirs(args.weights_out, exist_ok=True)
            split_file(os.path.join(args.run_dir, "weights.pt"), args.weights_out)

    side = latent_size(cfg) if cfg.grounding > 0 else 0  # object masks at the latent size, for the grounding term
    recorder = Recorder(unet, cfg.grounding_min_queries) if side else None
    swaps = injector = None
    if cfg.held_swaps > 0:
        # the plain world (no --focus): the term learns from every pair and object, not the notebook's swaps
        swaps = HeldSwapBatches(sprites, tok, cfg.seed + 1, 0.0, tuple(cfg.pair_spread) or None)
        injector = Injector(unet, cfg.held_swaps_self_max_query)
    pool_x = pool_ids = pool_slots = None
    if cfg.pool_size:
        with torch.no_grad():
            chunks = [draw(256, side) for _ in range(max(1, cfg.pool_size // 256))]
            pool_x = torch.cat([ae.encoder(c[0]) * scaling for c in chunks])
            pool_ids = torch.cat([c[1] for c in chunks])
            if side:  # token positions, and masks in fp16 (12 000 x 2 x 16 x 16: 12 MB)
                pool_slots = (torch.cat([c[2] for c in chunks]), torch.cat([c[3] for c in chunks]).half())
        log(f"latent pool: {len(pool_x)} pictures")
    while True:
        el = time.time() - t_phase
        if (args.smoke and step >= 3 and not args.profile) or (not args.smoke and el >= budget):
            break
        frac = min(1.0, el / budget)
        lr = cfg.lr * min(1.0, (step - step0 + 1) / cfg.warmup) * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * frac)))
        for g in opt.param_groups:
            g["lr"] = lr
        with torch.no_grad():
            if pool_x is None:
                x, cond, *obj = draw(cfg.batch, side)
                x0 = ae.encoder(x) * scaling
            else:
                x, ids_new, *obj_new = draw(cfg.pool_refresh, side)
                slots = torch.randint(0, len(pool_x), (cfg.pool_refresh,), device=dev)
                pool_x[slots], pool_ids[slots] = ae.encoder(x) * scaling, ids_new
                pick = torch.randint(0, len(pool_x), (cfg.batch,), device=dev)
                x0, cond = pool_x[pick], pool_ids[pick].clone()
                if side:
                    pool_slots[0][slots], pool_slots[1][slots] = obj_new[0], obj_new[1].half()
                    obj = [pool_slots[0][pick], pool_slots[1][pick]]
        dropped = torch.rand(cfg.batch, device=dev) < cfg.cond_drop
        cond[dropped] = empty_ids
        t = draw_timesteps(cfg.batch, cfg.t_high_frac, cfg.t_high_from, device=dev)
        consistency = cfg.consistency_weight if frac >= cfg.consistency_from else 0.0
        with autocast():
            loss = diffusion_loss(unet, text, x0, cond, t, ac, weight_t, empty_ids, consistency,
                                  cfg.consistency_below, cfg.consistency_cap)
            if recorder is not None:
                ground = grounding_loss(recorder.take(), obj[0], obj[1], ~dropped)
                loss = loss + cfg.grounding * ground
            if swaps is not None:
                held = held_swap_loss(unet, text, lambda im: ae.encoder(im) * scaling, swaps(cfg.held_swaps_batch),
                                      ac, injector, t_high_from=cfg.t_high_from, high_frac=cfg.t_high_frac)
                loss = loss + cfg.held_swaps * held
        opt.zero_grad(set_to_none=True)
        loss.float().backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        step += 1
        samples += cfg.batch
        with torch.no_grad():  # one fused update for all tensors (a per-tensor loop is ~700 kernel launches)
            d = min(cfg.ema, (1 + step) / (10 + step))
            torch._foreach_mul_(ema_f, d)
            torch._foreach_add_(ema_f, live_f, alpha=1 - d)
        if args.profile and step == 20:
            prof.__enter__()
        if args.profile and step == 20 + args.profile:
            prof.__exit__(None, None, None)
            log("profile of %d steps:\n%s" % (args.profile, prof.key_averages().table(
                sort_by="self_cuda_time_total" if cuda else "self_cpu_time_total", row_limit=25)))
            break
        if step % cfg.log_every == 0 or args.smoke:
            lv = loss.item()
            loss_avg = lv if loss_avg is None else 0.9 * loss_avg + 0.1 * lv
            el = time.time() - t_phase
            log(f"step {step} loss {loss_avg:.4f} lr {lr:.2e} {step / max(el, 1e-9):.2f} it/s "
                f"{el / 60:.1f}/{cfg.minutes:.1f} min" + (f" grounding {ground.item():.3f}" if recorder else "")
                + (f" held {held.item():.4f}" if swaps is not None else ""))
        if time.time() - last_ckpt > cfg.ckpt_every_s:
            save()
            last_ckpt = time.time()
    save()
    log(f"training done: {step} steps, total wall {(time.time() - t_start) / 60:.1f} min, {args.run_dir}")

if __name__ == "__main__":
    main()
