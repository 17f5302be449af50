"""Quality figures for REPORT.md: prompt adherence and the Prompt-to-Prompt centroid shift.

64 seeds per prompt, PNDM 20 steps, guidance 7.5 (pipeline.py, PyTorch). Writes eval.json and sample
grids *.png to report/<run> (runs/toy-shapes-v13 -> report/v13), or TOY_EVAL_OUT.
Run: /usr/bin/python3 tools/toy-model/analyse.py eval
"""
from __future__ import annotations

import json
import os
import time

import numpy as np
import torch
from PIL import Image

from analyse import RUN, Analyser
from pipeline import AttentionReplace, generate, to_uint8
from train import latent_size, load_trained, map_resolution

HERE = os.path.dirname(os.path.abspath(__file__))
_RUN_NAME = os.path.basename(os.path.normpath(RUN))
OUT = os.environ.get("TOY_EVAL_OUT", os.path.join(HERE, "report", _RUN_NAME.removeprefix("toy-shapes").lstrip("-")))
SEEDS = list(range(int(os.environ.get("TOY_EVAL_SEEDS", "64"))))
STEPS, GUIDANCE = 20, float(os.environ.get("TOY_EVAL_GUIDANCE", "7.5"))
LATENT = MAP_RES = None  # latent and attention-map side, set from the checkpoint in main()

# sized to the CPU budget (~12 min of sampling): every colour and every shape at least once; the
# stated positions all contradict the shape's prior (the hard case)
PLAIN_PROMPTS = ["a red circle", "a green square", "a blue triangle", "a yellow star", "a purple heart",
                 "a orange ring", "a white cross", "a pink circle"]
POSITION_PROMPTS = ["a red circle at the bottom", "a green square at the top", "a blue triangle on the right",
                    "a yellow heart on the left"]
# (source, edit, self-attention query thresholds to measure)
SWAPS = [("a red circle", "a red square", [64, 16]), ("a yellow star", "a yellow heart", [64])]


def position_ok(pos: str, cx: float, cy: float) -> bool:
    """Stated position kept: on the stated side, at least 2 px beyond the image centre line (15.5)."""
    c = 15.5
    return {"left": cx < c - 2, "right": cx > c + 2, "top": cy < c - 2, "bottom": cy > c + 2}[pos]


def centroid_shifts(a, b) -> list:
    """Per-seed distance (px) between the analysed objects of two image sets; seeds where either is empty are skipped."""
    return [float(np.hypot(x["cx"] - y["cx"], x["cy"] - y["cy"])) for x, y in zip(a, b)
            if x["cx"] is not None and y["cx"] is not None]


def grid(rows, scale=4):
    """rows: list of uint8 [N,H,W,3] -> one PNG-able array."""
    r = [np.concatenate(list(x), axis=1) for x in rows]
    g = np.concatenate(r, axis=0)
    return np.kron(g, np.ones((scale, scale, 1), np.uint8))


def run_prompt(models, prompt, seeds, chunk=32):
    unet, text, dec, scaling, tok = models
    out = []
    for i in range(0, len(seeds), chunk):
        r = generate(unet, text, dec, scaling, tok, [prompt], seeds[i:i + chunk], STEPS, GUIDANCE, latent_hw=LATENT)
        out.append(to_uint8(r["images"]))
    return np.concatenate(out)


def run_swap(models, src, dst, seeds, smq, cr=0.8, sr=0.4, chunk=32):
    unet, text, dec, scaling, tok = models
    n_layers = len(unet.attention_modules())
    srcs, edits = [], []
    for i in range(0, len(seeds), chunk):
        s = seeds[i:i + chunk]
        ctrl = AttentionReplace([src, dst], tok, STEPS, cr, sr, smq, n_layers, groups=len(s))
        im = to_uint8(generate(unet, text, dec, scaling, tok, [src, dst], s, STEPS, GUIDANCE, ctrl,
                               latent_hw=LATENT)["images"])
        srcs.append(im[0::2])
        edits.append(im[1::2])
    return np.concatenate(srcs), np.concatenate(edits)


def attention_figure(models, src, dst, seed):
    """attention_maps.png in OUT: row 1 source image + maps of its tokens, row 2 the P2P edit's."""
    unet, text, dec, scaling, tok = models
    L = MAP_RES
    ctrl = AttentionReplace([src, dst], tok, STEPS, 0.8, 0.4, 64, len(unet.attention_modules()))
    im = to_uint8(generate(unet, text, dec, scaling, tok, [src, dst], seed, STEPS, GUIDANCE, ctrl,
                           latent_hw=LATENT)["images"])
    maps = ctrl.map_store[L * L]  # [P, L*L, 77]
    rows = []
    for p, prompt in enumerate([src, dst]):
        n = len(prompt.split())
        tiles = [im[p]]
        for k in range(1, n + 1):
            m = maps[p, :, k].reshape(L, L)
            m = (m / m.max()).numpy()
            tile = (np.kron(m, np.ones((32 // L, 32 // L))) * 255).astype(np.uint8)
            tiles.append(np.repeat(tile[:, :, None], 3, axis=2))
        rows.append(np.stack(tiles))
    Image.fromarray(grid(rows, 4)).save(os.path.join(OUT, "attention_maps.png"))


def main():
    global PLAIN_PROMPTS, POSITION_PROMPTS, SWAPS, LATENT, MAP_RES
    if os.environ.get("TOY_EVAL_QUICK") == "1":  # subset, for comparing checkpoints
        PLAIN_PROMPTS, POSITION_PROMPTS, SWAPS = PLAIN_PROMPTS[:4], POSITION_PROMPTS[:2], SWAPS[:1]
        SWAPS = [(SWAPS[0][0], SWAPS[0][1], [64])]
    torch.set_num_threads(2)
    os.makedirs(OUT, exist_ok=True)
    t0 = time.time()
    cfg, tok, ae, text, unet, scaling = load_trained(os.environ.get("TOY_EVAL_CKPT", os.path.join(RUN, "ckpt.pt")))
    models = (unet, text, ae.decoder, scaling, tok)
    LATENT, MAP_RES = latent_size(cfg), map_resolution(cfg)
    an = Analyser.load()
    res = {"seeds": len(SEEDS), "steps": STEPS, "guidance": GUIDANCE, "scheduler": "PNDM", "prompts": {}}

    # 1. Adherence: colour, shape, stated position
    sample_rows = []
    for p in PLAIN_PROMPTS + POSITION_PROMPTS:
        ims = run_prompt(models, p, SEEDS)
        words = p.split()
        colour, shape = words[1], words[2]
        pos = words[-1] if p in POSITION_PROMPTS else None
        a = an.analyse(ims)
        r = dict(colour=float(np.mean([x["colour"] == colour for x in a])),
                 shape=float(np.mean([x["shape"] == shape for x in a])),
                 empty=int(sum(x["area"] == 0 for x in a)))
        if pos:
            r["position"] = float(np.mean([x["cx"] is not None and position_ok(pos, x["cx"], x["cy"]) for x in a]))
        res["prompts"][p] = r
        sample_rows.append(ims[:12])
        print(f"{p!r}: {r}  ({time.time() - t0:.0f}s)", flush=True)
    Image.fromarray(grid(sample_rows[:len(PLAIN_PROMPTS)])).save(os.path.join(OUT, "samples_plain.png"))
    Image.fromarray(grid(sample_rows[len(PLAIN_PROMPTS):])).save(os.path.join(OUT, "samples_position.png"))
    pr = res["prompts"]
    res["adherence"] = dict(
        colour=float(np.mean([pr[p]["colour"] for p in pr])),
        shape=float(np.mean([pr[p]["shape"] for p in pr])),
        position=float(np.mean([pr[p]["position"] for p in POSITION_PROMPTS])),
        colour_plain=float(np.mean([pr[p]["colour"] for p in PLAIN_PROMPTS])),
        shape_plain=float(np.mean([pr[p]["shape"] for p in PLAIN_PROMPTS])))
    print("adherence", res["adherence"], flush=True)

    # 2. Prompt-to-Prompt word swaps: centroid shift of the edited object vs the source object
    res["swaps"] = {}
    for src, dst, smqs in SWAPS:
        plain_dst = run_prompt(models, dst, SEEDS)
        entry = {}
        for smq in smqs:
            s_im, e_im = run_swap(models, src, dst, SEEDS, smq)
            a_s, a_e, a_p = an.analyse(s_im), an.analyse(e_im), an.analyse(plain_dst)

            def shift(b):
                d = centroid_shifts(a_s, b)
                return float(np.median(d)), float(np.mean(d))
            dst_shape = dst.split()[-1]
            entry[f"selfMaxQuery={smq}"] = dict(
                median_shift_p2p_px=shift(a_e)[0], mean_shift_p2p_px=shift(a_e)[1],
                median_shift_no_controller_px=shift(a_p)[0], mean_shift_no_controller_px=shift(a_p)[1],
                edit_shape_rate_p2p=float(np.mean([x["shape"] == dst_shape for x in a_e])),
                edit_shape_rate_no_controller=float(np.mean([x["shape"] == dst_shape for x in a_p])),
                source_shape_rate=float(np.mean([x["shape"] == src.split()[-1] for x in a_s])))
            if smq == smqs[0]:
                name = dst.split()[-1] + "_from_" + src.split()[-1]
                Image.fromarray(grid([s_im[:12], e_im[:12], plain_dst[:12]])).save(
                    os.path.join(OUT, f"p2p_{name}.png"))
            print(f"{src!r} -> {dst!r} smq {smq}: {entry[f'selfMaxQuery={smq}']} ({time.time() - t0:.0f}s)", flush=True)
        res["swaps"][f"{src} -> {dst}"] = entry
    # 3. Per-token cross-attention maps at the map resolution (head mean, summed over calls and layers)
    attention_figure(models, "a red circle", "a red square", seed=0)
    res["seconds"] = time.time() - t0
    with open(os.path.join(OUT, "eval.json"), "w") as f:
        json.dump(res, f, indent=1)
    print("wrote", os.path.join(OUT, "eval.json"))


if __name__ == "__main__":
    main()
