"""The toy-emoji run's committed continuation checkpoint (checkpoints/toy-emoji.pt): what a fresh clone needs to
continue training where the last session stopped. A session's machine keeps nothing (runs/ is git-ignored and
the checkout is new each time), so the CPU run spans sessions through this file.

It holds the EMA weights of the text encoder and UNet in fp16 (they change every session: ~10 MB), the frozen
autoencoder in fp32 (exactly the one the latents were trained on), the config, the scaling factor and the
schedule position (UNet step, elapsed wall-clock seconds of the cosine schedule, pictures seen). The optimizer's
moments are left out (twice the weights' size): train_emoji.py --carry restarts AdamW with a short warmup.

  /usr/bin/python3 tools/toy-model/carry.py runs/toy-emoji-cpu/ckpt.pt checkpoints/toy-emoji.pt   # ckpt -> carry
"""
from __future__ import annotations

import argparse
import os

import torch

FORMAT = "toy-emoji-carry/1"


def half(state: dict) -> dict:
    return {k: v.detach().cpu().half() if v.dtype.is_floating_point else v.detach().cpu() for k, v in state.items()}


def full(state: dict) -> dict:
    return {k: v.float() if v.dtype.is_floating_point else v for k, v in state.items()}


def write_carry(path: str, cfg: dict, ae: dict, ema_text: dict, ema_unet: dict, scaling: float, step: int,
                elapsed: float, samples: int):
    data = dict(format=FORMAT, cfg=cfg, ae={k: v.detach().cpu() for k, v in ae.items()}, text=half(ema_text),
                unet=half(ema_unet), scaling_factor=float(scaling), step=int(step), elapsed=float(elapsed),
                samples=int(samples))
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    torch.save(data, path + ".tmp")
    os.replace(path + ".tmp", path)


def unpack(data: dict, path: str) -> dict:
    """A loaded carry's fields with fp32 weights (load_state_dict-ready); raises for another kind of file."""
    if data.get("format") != FORMAT:
        raise ValueError(f"{path} is not a {FORMAT} file (format {data.get('format')!r})")
    data["text"], data["unet"] = full(data["text"]), full(data["unet"])
    return data


def read_carry(path: str, device="cpu") -> dict:
    return unpack(torch.load(path, map_location=device), path)


def from_ckpt(ckpt_path: str, out_path: str):
    """Writes the carry of a run's UNet-phase ckpt.pt (its EMA weights and schedule position)."""
    ck = torch.load(ckpt_path, map_location="cpu")
    if ck.get("phase") != "unet":
        raise ValueError(f"{ckpt_path} is still in the autoencoder phase: nothing to carry yet")
    samples = ck.get("samples", ck["step"] * ck["cfg"]["batch"])
    write_carry(out_path, ck["cfg"], ck["ae"], ck["ema_text"], ck["ema_unet"], ck["scaling_factor"], ck["step"],
                ck["elapsed"], samples)
    return samples


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description="write the committed continuation checkpoint from a run's ckpt.pt")
    ap.add_argument("ckpt")
    ap.add_argument("out")
    a = ap.parse_args()
    n = from_ckpt(a.ckpt, a.out)
    print(f"{a.out}: {os.path.getsize(a.out) / 1e6:.1f} MB, {n} pictures seen")
