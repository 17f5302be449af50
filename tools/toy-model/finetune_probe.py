"""A few minutes of fine-tuning on a trained checkpoint, to test a training change cheaply before a full
run (REPORT.md §11). Starts from the EMA weights, uniform t, constant lr, batch 128, 1 thread; writes a
checkpoint whose EMA weights are the fine-tuned ones, so every diagnostic tool reads it as a run.

  /usr/bin/python3 tools/toy-model/finetune_probe.py <ckpt> <out.pt> [--minutes 4] [--lr 1e-4]
      [--cond-drop 0.1] [--consistency 1.0] [--consistency-below 500]

--cond-drop 1 trains on empty captions only; --consistency adds train.py's guidance-consistency term.
"""
import argparse
import copy
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from data import make_dataset  # noqa: E402
from train import diffusion_loss, encode_all, load_trained, log, sd_alphas_cumprod  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ckpt")
    ap.add_argument("out")
    ap.add_argument("--minutes", type=float, default=4.0)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--cond-drop", type=float, default=0.1)
    ap.add_argument("--consistency", type=float, default=0.0)
    ap.add_argument("--consistency-below", type=int, default=500)
    args = ap.parse_args()

    ck = torch.load(args.ckpt, map_location="cpu")
    cfg, tok, ae, text, unet, scaling = load_trained(args.ckpt)
    imgs, caps, _ = make_dataset(20_000, 123)  # not the training set's seed
    latents = encode_all(ae, imgs) * scaling
    ids = torch.tensor([tok.ids(c) for c in caps], dtype=torch.long)
    empty_ids = torch.tensor(tok.ids(""), dtype=torch.long)
    ac = sd_alphas_cumprod()
    torch.set_num_threads(1)
    unet.train()
    text.train()
    params = list(unet.parameters()) + list(text.parameters())
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.0)
    t0, step = time.time(), 0
    while time.time() - t0 < args.minutes * 60:
        idx = torch.randint(0, len(latents), (128,))
        cond = ids[idx].clone()
        cond[torch.rand(128) < args.cond_drop] = empty_ids
        t = torch.randint(0, 1000, (128,))
        loss = diffusion_loss(unet, text, latents[idx], cond, t, ac, torch.ones(1000), empty_ids,
                              args.consistency, args.consistency_below)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        step += 1
        if step % 25 == 0:
            log(f"step {step} loss {loss.item():.4f}")
    ck["ema_unet"], ck["ema_text"] = copy.deepcopy(unet.state_dict()), copy.deepcopy(text.state_dict())
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    torch.save(ck, args.out)
    log(f"{step} steps in {args.minutes} min -> {args.out}")


if __name__ == "__main__":
    main()
