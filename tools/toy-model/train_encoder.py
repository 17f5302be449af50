"""Fits a VAE encoder to the embedded model's shipped decoder and exports it as vae_encoder/model.onnx (issue #21:
editing your own picture needs image -> latents).

The toy model's training checkpoint (and so its original encoder) is not in the repository, so the encoder is fit
to the frozen shipped decoder (onnx_weights.py) on fresh renders of the model's world (data.py): reconstruction
(MSE + 0.5 L1, as train.py's autoencoder) plus the same small latent L2, and a term that keeps the latents' spread at
1 / scaling_factor, the spread the UNet was trained on. Resumable: --resume continues from --ckpt.

  /usr/bin/python3 train_encoder.py --model ../../public/models/toy-shapes --minutes 6
"""
from __future__ import annotations

import argparse
import json
import math
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from data import make_dataset
from model import AEConfig, Encoder, count_params
from onnx_weights import load_decoder


class VaeEncoder(nn.Module):
    """What gets exported as vae_encoder: `sample` [batch,3,32,32] in [-1,1] -> `latent_sample` (not yet multiplied
    by the scaling factor), like diffusers' OnnxRuntimeModel vae_encoder."""

    def __init__(self, encoder: Encoder):
        super().__init__()
        self.encoder = encoder

    def forward(self, sample):
        return self.encoder(sample)


def to_tensor(imgs_u8: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(imgs_u8).permute(0, 3, 1, 2).float() / 127.5 - 1.0


def psnr(a: torch.Tensor, b: torch.Tensor) -> float:
    """PSNR in dB of images in [-1, 1] (peak-to-peak 2)."""
    mse = F.mse_loss(a, b).item()
    return 10 * math.log10(4.0 / mse) if mse > 0 else float("inf")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="../../public/models/toy-shapes")
    ap.add_argument("--minutes", type=float, default=6.0)
    ap.add_argument("--images", type=int, default=30000)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--ckpt", default="/tmp/toy-encoder.pt")
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--smoke", action="store_true", help="3 steps, no export")
    args = ap.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    vae_cfg = json.load(open(os.path.join(args.model, "vae_decoder", "config.json")))
    channels = tuple(vae_cfg["block_out_channels"])
    scaling = float(vae_cfg["scaling_factor"])
    decoder = load_decoder(os.path.join(args.model, "vae_decoder", "model.onnx"), channels)
    for p in decoder.parameters():
        p.requires_grad_(False)
    encoder = Encoder(AEConfig(channels=channels))
    opt = torch.optim.Adam(encoder.parameters(), lr=args.lr)
    step, elapsed = 0, 0.0
    if args.resume and os.path.exists(args.ckpt):
        ck = torch.load(args.ckpt)
        encoder.load_state_dict(ck["encoder"])
        opt.load_state_dict(ck["opt"])
        step, elapsed = ck["step"], ck["elapsed"]
        print(f"resumed at step {step} ({elapsed:.0f}s)")
    imgs, _, _ = make_dataset(args.images, seed=1234)  # not train.py's seeds: fresh renders
    held, _, _ = make_dataset(512, seed=99)
    n = len(imgs)
    target_std = 1.0 / scaling
    print(f"encoder {count_params(encoder)} params; decoder frozen; {n} renders; latent std target {target_std:.4f}")
    budget = args.minutes * 60
    t0 = time.time() - elapsed
    last_save = time.time()
    while (time.time() - t0 < budget) if not args.smoke else step < 3:
        frac = min(1.0, (time.time() - t0) / budget)
        for g in opt.param_groups:
            g["lr"] = args.lr * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * frac)))
        x = to_tensor(imgs[np.random.randint(0, n, args.batch)])
        z = encoder(x)
        y = decoder(z)
        rec = F.mse_loss(y, x) + 0.5 * F.l1_loss(y, x)
        spread = (z.std() - target_std) ** 2
        loss = rec + 1e-4 * z.pow(2).mean() + 0.1 * spread
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        step += 1
        if step % 200 == 0 or args.smoke:
            print(f"step {step} rec {rec.item():.5f} |z| {z.std().item():.3f} {time.time() - t0:.0f}s", flush=True)
        if time.time() - last_save > 120:
            torch.save(dict(encoder=encoder.state_dict(), opt=opt.state_dict(), step=step, elapsed=time.time() - t0), args.ckpt)
            last_save = time.time()
    torch.save(dict(encoder=encoder.state_dict(), opt=opt.state_dict(), step=step, elapsed=time.time() - t0), args.ckpt)
    encoder.eval()
    with torch.no_grad():
        xh = to_tensor(held)
        zh = encoder(xh)
        quality = psnr(decoder(zh), xh)
    print(f"done: {step} steps, held-out reconstruction PSNR {quality:.2f} dB, latent std {zh.std().item():.4f} (target {target_std:.4f})")
    if args.smoke:
        return
    out = os.path.join(args.model, "vae_encoder")
    os.makedirs(out, exist_ok=True)
    torch.onnx.export(VaeEncoder(encoder), (torch.randn(1, 3, 32, 32),), os.path.join(out, "model.onnx"),
                      input_names=["sample"], output_names=["latent_sample"],
                      dynamic_axes={"sample": {0: "batch"}, "latent_sample": {0: "batch"}}, opset_version=14)
    latent = 32 // (2 ** (len(channels) - 1))
    json.dump({
        "_class_name": "AutoencoderKL",
        "note": "deterministic encoder fit to the shipped decoder (tools/toy-model/train_encoder.py)",
        "in_channels": 3, "latent_channels": 4, "sample_size": 32, "block_out_channels": list(channels),
        "scaling_factor": scaling, "num_parameters": count_params(encoder),
        "heldOutReconstructionPsnrDb": round(quality, 2),
        "onnx": {"inputs": {"sample": "float32 [batch,3,32,32] in [-1,1]"},
                 "outputs": {"latent_sample": f"float32 [batch,4,{latent},{latent}] (multiply by scaling_factor for the UNet)"}},
    }, open(os.path.join(out, "config.json"), "w"), indent=2)
    index_path = os.path.join(args.model, "model_index.json")
    index = json.load(open(index_path))
    index["vae_encoder"] = ["diffusers", "OnnxRuntimeModel"]
    with open(index_path, "w") as f:
        f.write(json.dumps(index, indent=2) + "\n")
    print(f"wrote {out}/model.onnx ({os.path.getsize(os.path.join(out, 'model.onnx'))} bytes)")


if __name__ == "__main__":
    main()
