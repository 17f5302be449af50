"""Writes the PyTorch reference run that the TypeScript/ONNX pipeline is tested against.

Tensors are `{shape, dtype, b64}` (little-endian, row-major, base64), like tests/fixtures/reference.
Files (see README.md in the fixture folder, written here too):
  run-seed{S}.json  one swap edit, PNDM, with and without the P2P controller
  unet-call.json    one UNet call of the seed-0 P2P run: inputs, output, and one cross- and one
                    self-attention layer's probabilities before/after the edit, plus the call's P2P
                    tensors in the generic form (p2p_map, p2p_gain, p2p_keep, p2p_self)
"""
from __future__ import annotations

import base64
import json
import os

import numpy as np
import torch

from pipeline import AttentionReplace, PNDMScheduler, generate

SEEDS = [0, 1]
PROMPTS = ["a red circle", "a red square"]
CAPTURE_CALL = 2


def tensor_json(t) -> dict:
    a = t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
    a = np.ascontiguousarray(a.astype("<f4" if a.dtype.kind == "f" else "<i8"))
    return {"shape": list(a.shape), "dtype": "float32" if a.dtype.kind == "f" else "int64",
            "b64": base64.b64encode(a.tobytes()).decode()}


def write_reference(folder, tok, text, unet, ae, scaling, geo, d, layers):
    """`layers`: export.attention_layers() (name, kind, query length of a real forward pass)."""
    os.makedirs(folder, exist_ok=True)
    L = geo["latentSize"]
    steps, g, cr, sr, smq = d["steps"], d["guidance"], d["crossReplaceSteps"], d["selfReplaceSteps"], d["selfMaxQuery"]
    M = geo["mapResolution"]
    cross_layer = next(a["name"] for a in layers if a["kind"] == "cross" and a["queryLength"] == M * M)
    self_layer = max((a for a in layers if a["kind"] == "self" and a["queryLength"] <= smq),
                     key=lambda a: a["queryLength"])["name"]
    sched = PNDMScheduler()
    sched.set_timesteps(steps)
    common = dict(prompts=PROMPTS, steps=steps, guidance=g, crossReplaceSteps=cr, selfReplaceSteps=sr,
                  selfMaxQuery=smq, scalingFactor=scaling, scheduler="PNDMScheduler (scheduler/scheduler_config.json)",
                  timesteps=[int(t) for t in sched.timesteps])
    for seed in SEEDS:
        ctrl = AttentionReplace(PROMPTS, tok, steps, cr, sr, smq, n_layers=len(layers))
        capture = seed == SEEDS[0]
        if capture:
            ctrl.record_step = CAPTURE_CALL
            ctrl.record_layers = {cross_layer: "cross", self_layer: "self"}
        p2p = generate(unet, text, ae.decoder, scaling, tok, PROMPTS, seed, steps, g, ctrl, latent_hw=L,
                       capture_call=CAPTURE_CALL if capture else None)
        plain = generate(unet, text, ae.decoder, scaling, tok, PROMPTS, seed, steps, g, None, latent_hw=L)
        run = dict(common, seed=seed,
                   note="batch order [uncond P0..PE, cond P0..PE]; initial_latent is torch.randn((1,4,h,w), "
                        "generator=manual_seed(seed)) expanded to every prompt; images = vae_decoder(latents / "
                        "scalingFactor) in [-1,1]",
                   input_ids=tensor_json(p2p["ids"]), text_embeddings=tensor_json(p2p["text_embeddings"]),
                   initial_latent=tensor_json(p2p["initial_latent"]),
                   latents_p2p=tensor_json(p2p["latents"]), images_p2p=tensor_json(p2p["images"]),
                   latents_plain=tensor_json(plain["latents"]), images_plain=tensor_json(plain["images"]))
        _dump(os.path.join(folder, f"run-seed{seed}.json"), run)
        if capture:
            E = len(PROMPTS) - 1
            alpha = ctrl.alpha[CAPTURE_CALL].reshape(E, 77)
            call = dict(common, seed=seed, call_index=CAPTURE_CALL, timestep_value=int(sched.timesteps[CAPTURE_CALL]),
                        cross_layer=cross_layer, self_layer=self_layer,
                        note="probs are [2*P*heads, Q, K] after softmax, heads folded into the batch "
                             "(b*heads + h); *_before = stock softmax, *_after = after the controller; "
                             "out_sample is the UNet output with the controller active",
                        heads=unet.cfg.num_heads,
                        sample=tensor_json(p2p["call_sample"]), timestep=tensor_json(p2p["call_timestep"]),
                        encoder_hidden_states=tensor_json(p2p["call_encoder_hidden_states"]),
                        out_sample=tensor_json(p2p["call_out_sample"]),
                        cross_before=tensor_json(ctrl.records["cross_before"]),
                        cross_after=tensor_json(ctrl.records["cross_after"]),
                        self_before=tensor_json(ctrl.records["self_before"]),
                        self_after=tensor_json(ctrl.records["self_after"]),
                        p2p_map=tensor_json(ctrl.mapper), p2p_gain=tensor_json(alpha),
                        p2p_keep=tensor_json(1 - alpha),
                        p2p_self=tensor_json(torch.tensor([1.0 if CAPTURE_CALL < int(steps * sr) else 0.0])))
            with torch.no_grad():
                stock = unet(p2p["call_sample"], p2p["call_timestep"], p2p["call_encoder_hidden_states"])
            call["out_sample_stock"] = tensor_json(stock)
            _dump(os.path.join(folder, "unet-call.json"), call)
    with open(os.path.join(folder, "README.md"), "w") as f:
        f.write(README.format(cross=cross_layer, self=self_layer, call=CAPTURE_CALL, guidance=g, cr=cr, sr=sr, L=L))
    print("reference fixtures written to", folder)


def _dump(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f)


README = """# toy-shapes reference run (PyTorch)

Written by `tools/toy-model/export.py` (see `tools/toy-model/reference.py`) from the same weights as
`public/models/toy-shapes/`. Tensors are `{{shape, dtype, b64}}`: little-endian, row-major, base64
(`float32` or `int64`). Prompts: `a red circle` -> `a red square` (word swap), PNDM 20 steps,
guidance {guidance}, cross_replace {cr}, self_replace {sr}; batch order `[uncond P0..PE, cond P0..PE]`.

| file | keys |
| --- | --- |
| `run-seed0.json`, `run-seed1.json` | `prompts, seed, steps, guidance, crossReplaceSteps, selfReplaceSteps, selfMaxQuery, scalingFactor, timesteps` (21 UNet calls), `input_ids [2P,77]`, `text_embeddings [2P,77,D]`, `initial_latent [1,4,{L},{L}]`, `latents_p2p [P,4,{L},{L}]`, `images_p2p [P,3,32,32]`, `latents_plain`, `images_plain` (no controller) |
| `unet-call.json` | UNet call {call} of the seed-0 P2P run: `sample [2P,4,{L},{L}]`, `timestep [1]`, `encoder_hidden_states`, `out_sample` (controller active), `out_sample_stock` (same inputs, no controller); `cross_layer` = `{cross}`, `self_layer` = `{self}`; `cross_before/after`, `self_before/after` `[2*P*heads, Q, K]`; `p2p_map [E,77,77]`, `p2p_gain [E,77]`, `p2p_keep [E,77]`, `p2p_self [1]` (the generic form of this call's edit) |

Images are the decoder output in [-1, 1]; to compare as pixels use `round((x/2+0.5).clip(0,1)*255)`.
"""
