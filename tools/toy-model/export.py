"""Export the trained toy model in diffusers' ONNX layout (+ tokenizer, configs, p2p.json, fixtures).

  /usr/bin/python3 tools/toy-model/export.py [--ckpt runs/toy-shapes-v13/ckpt.pt]
      [--out public/models/toy-shapes] [--fixtures tests/fixtures/toy-shapes-reference]

Graph I/O (fp32, opset 14, dynamic batch):
  text_encoder: input_ids int64 [batch,77] -> last_hidden_state float32 [batch,77,D], pooler_output [batch,D]
  unet: sample float32 [batch,4,L,L], timestep float32 [1] or [batch] (name timestep_batch),
        encoder_hidden_states float32 [batch,77,D] -> out_sample float32 [batch,4,L,L]
  vae_decoder: latent_sample float32 [batch,4,L,L] (= latents / scaling_factor) -> sample [batch,3,32,32] in [-1,1]
  (L = the checkpoint's latent size: 16 for the shipped run v13 and the runs from v4 on, 8 for v3)
"""
from __future__ import annotations

import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import VaeDecoder, count_params  # noqa: E402
from train import latent_size, load_trained, map_resolution, shipped_ckpt  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
OPSET = 14  # what diffusers' SD ONNX conversion uses; LayerNorm decomposes, GroupNorm -> InstanceNorm

# P2P defaults for this model: SD's guidance 7.5; shorter injections than the notebook's 0.8 / 0.4, since
# on this model the circle's injected maps keep the object a circle (edit read as a square: 0% at 0.8 / 0.4,
# 47% at 0.4 / 0.2, layout kept within 0.77 px; REPORT.md §5); selfMaxQuery from REPORT.md's measurements.
P2P_DEFAULTS = dict(steps=20, guidance=7.5, crossReplaceSteps=0.4, selfReplaceSteps=0.2, selfMaxQuery=64)
EXAMPLES = [
    dict(prompt="a red circle", edit="a red square", crossReplaceSteps=0.4, selfReplaceSteps=0.2),
    dict(prompt="a yellow star", edit="a yellow heart", crossReplaceSteps=0.4, selfReplaceSteps=0.2),
    dict(prompt="a big blue triangle", edit="a big green triangle", crossReplaceSteps=0.8, selfReplaceSteps=0.4),
]


class TextEncoderExport(torch.nn.Module):
    def __init__(self, text):
        super().__init__()
        self.text = text

    def forward(self, input_ids):
        h = self.text(input_ids)
        # CLIP's pooled output: the hidden state at the (first) EOS, the highest id in the vocabulary
        pooled = h[torch.arange(h.shape[0]), input_ids.argmax(dim=-1)]
        return h, pooled


def _export(module, args, path, in_names, out_names, dyn):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    torch.onnx.export(module, args, path, input_names=in_names, output_names=out_names, dynamic_axes=dyn,
                      opset_version=OPSET, do_constant_folding=True)


def _write_json(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")


def model_geometry(cfg, unet, text, scaling, image_size=32, latent=None, maps=None):
    return dict(imageSize=image_size, latentSize=latent or latent_size(cfg), latentChannels=4,
                mapResolution=maps or map_resolution(cfg), textDim=cfg.text_dim, scalingFactor=scaling)


def export_model(ckpt_path: str, out: str, fixtures_dir: str | None = None):
    torch.set_num_threads(2)
    cfg, tok, ae, text, unet, scaling = load_trained(ckpt_path)
    geo = model_geometry(cfg, unet, text, scaling)
    return export_loaded(cfg, tok, ae, text, unet, scaling, geo, out, P2P_DEFAULTS, EXAMPLES, fixtures_dir)


def export_loaded(cfg, tok, ae, text, unet, scaling, geo, out, defaults, examples, fixtures_dir=None,
                  sample_prompt="a red circle"):
    """Writes the diffusers ONNX layout for any trained toy model (cfg: TrainConfig or EmojiConfig)."""
    L, D = geo["latentSize"], cfg.text_dim
    uc = unet.cfg

    # 1. Tokenizer
    tok.save(os.path.join(out, "tokenizer"))

    # 2. Text encoder
    ids = torch.tensor([tok.ids(""), tok.ids(sample_prompt)], dtype=torch.long)
    _export(TextEncoderExport(text), (ids,), os.path.join(out, "text_encoder", "model.onnx"),
            ["input_ids"], ["last_hidden_state", "pooler_output"],
            {"input_ids": {0: "batch"}, "last_hidden_state": {0: "batch"}, "pooler_output": {0: "batch"}})
    _write_json(os.path.join(out, "text_encoder", "config.json"), {
        "_class_name": "CLIPTextModel", "architectures": ["CLIPTextModel"], "model_type": "clip_text_model",
        "vocab_size": len(tok), "hidden_size": D, "intermediate_size": D * text.cfg.mlp_mult,
        "num_hidden_layers": cfg.text_layers, "num_attention_heads": cfg.text_heads,
        "max_position_embeddings": 77, "hidden_act": "quick_gelu", "layer_norm_eps": 1e-5,
        "bos_token_id": tok.bos_id, "eos_token_id": tok.eos_id, "pad_token_id": tok.eos_id,
        "torch_dtype": "float32", "num_parameters": count_params(text),
        "onnx": {"inputs": {"input_ids": "int64 [batch,77]"},
                 "outputs": {"last_hidden_state": f"float32 [batch,77,{D}]", "pooler_output": f"float32 [batch,{D}]"}},
    })

    # 3. UNet
    x = torch.randn(2, 4, L, L)
    t = torch.tensor([981.0])
    ctx = torch.randn(2, 77, D)
    _export(unet, (x, t, ctx), os.path.join(out, "unet", "model.onnx"),
            ["sample", "timestep", "encoder_hidden_states"], ["out_sample"],
            {"sample": {0: "batch"}, "timestep": {0: "timestep_batch"}, "encoder_hidden_states": {0: "batch"},
             "out_sample": {0: "batch"}})
    down_types = ["CrossAttnDownBlock2D" if a else "DownBlock2D" for a in uc.down_attn]
    up_types = ["CrossAttnUpBlock2D" if a else "UpBlock2D" for a in list(uc.down_attn)[::-1]]
    _write_json(os.path.join(out, "unet", "config.json"), {
        "_class_name": "UNet2DConditionModel", "sample_size": L, "in_channels": 4, "out_channels": 4,
        "block_out_channels": list(uc.block_out_channels), "down_block_types": down_types,
        "mid_block_type": "UNetMidBlock2DCrossAttn", "up_block_types": up_types,
        "layers_per_block": uc.layers_per_block, "attention_head_dim": uc.num_heads,
        "cross_attention_dim": uc.cross_attention_dim, "norm_num_groups": uc.norm_num_groups,
        "flip_sin_to_cos": True, "freq_shift": 0, "act_fn": "silu", "use_linear_projection": False,
        "num_parameters": count_params(unet),
        "onnx": {"inputs": {"sample": f"float32 [batch,4,{L},{L}]",
                            "timestep": "float32 [1] or [batch] (one timestep broadcasts over the batch)",
                            "encoder_hidden_states": f"float32 [batch,77,{D}]"},
                 "outputs": {"out_sample": f"float32 [batch,4,{L},{L}] (epsilon)"}},
    })

    # 4. VAE decoder
    _export(VaeDecoder(ae), (torch.randn(1, 4, L, L),), os.path.join(out, "vae_decoder", "model.onnx"),
            ["latent_sample"], ["sample"], {"latent_sample": {0: "batch"}, "sample": {0: "batch"}})
    _write_json(os.path.join(out, "vae_decoder", "config.json"), {
        "_class_name": "AutoencoderKL", "note": "deterministic autoencoder; decoder only, output tanh in [-1,1]",
        "in_channels": 3, "out_channels": 3, "latent_channels": 4, "sample_size": geo["imageSize"],
        "block_out_channels": list(cfg.ae_channels), "scaling_factor": scaling,
        "num_parameters": count_params(ae.decoder),
        "onnx": {"inputs": {"latent_sample": f"float32 [batch,4,{L},{L}] (latents / scaling_factor)"},
                 "outputs": {"sample": f"float32 [batch,3,{geo['imageSize']},{geo['imageSize']}] in [-1,1]"}},
    })

    # 5. Scheduler, pipeline index, P2P metadata
    _write_json(os.path.join(out, "scheduler", "scheduler_config.json"), {
        "_class_name": "PNDMScheduler", "_diffusers_version": "0.14.0", "beta_start": 0.00085, "beta_end": 0.012,
        "beta_schedule": "scaled_linear", "num_train_timesteps": 1000, "skip_prk_steps": True,
        "steps_offset": 1, "set_alpha_to_one": False, "prediction_type": "epsilon", "trained_betas": None,
        "clip_sample": False,
    })
    _write_json(os.path.join(out, "model_index.json"), {
        "_class_name": "OnnxStableDiffusionPipeline", "_diffusers_version": "0.14.0",
        "feature_extractor": [None, None], "requires_safety_checker": False, "safety_checker": [None, None],
        "scheduler": ["diffusers", "PNDMScheduler"], "text_encoder": ["diffusers", "OnnxRuntimeModel"],
        "tokenizer": ["transformers", "CLIPTokenizer"], "unet": ["diffusers", "OnnxRuntimeModel"],
        "vae_decoder": ["diffusers", "OnnxRuntimeModel"], "vae_encoder": [None, None],
    })
    M = geo["mapResolution"]
    layers = attention_layers(unet, L, uc.cross_attention_dim)
    map_layers = [a["name"] for a in layers if a["kind"] == "cross" and a["queryLength"] == M * M]
    d = defaults
    _write_json(os.path.join(out, "p2p.json"), {
        "mapResolution": M, "selfMaxQuery": d["selfMaxQuery"], "latentSize": L, "latentChannels": 4,
        "imageSize": geo["imageSize"], "scalingFactor": scaling,
        "defaults": {k: d[k] for k in ("steps", "guidance", "crossReplaceSteps", "selfReplaceSteps")},
        "mapLayers": map_layers,
        "attentionLayers": layers,
        "timestep": "float32, shape [1] (broadcast) or [batch]",
        "examples": examples,
    })
    sizes = {p: os.path.getsize(os.path.join(out, p, "model.onnx")) for p in ("text_encoder", "unet", "vae_decoder")}
    total = sum(sizes.values())
    print("onnx sizes:", sizes, f"total {total / 1e6:.2f} MB")
    assert total <= 25e6, "model over the 25 MB budget"

    # 6. Reference run for the TypeScript tests
    if fixtures_dir:
        import reference
        reference.write_reference(fixtures_dir, tok, text, unet, ae, scaling, geo, d, layers)
    return sizes


def attention_layers(unet, L: int, ctx_dim: int) -> list:
    """Every attention module in execution order with its kind and the query length of a real forward
    pass (hooks on the probabilities), for the TypeScript instrumentation report to be checked against."""
    seen = []
    mods = unet.attention_modules()
    for name, m in mods:
        def record(probs, is_cross, place, name=name):
            seen.append(dict(name=name, kind="cross" if is_cross else "self", queryLength=int(probs.shape[1])))
            return probs
        m.hook = record
    try:
        with torch.no_grad():
            unet(torch.zeros(1, 4, L, L), torch.tensor([1.0]), torch.zeros(1, 77, ctx_dim))
    finally:
        for _, m in mods:
            m.hook = None
    return seen


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", default=shipped_ckpt())
    ap.add_argument("--out", default=os.path.join(ROOT, "public", "models", "toy-shapes"))
    ap.add_argument("--fixtures", default=os.path.join(ROOT, "tests", "fixtures", "toy-shapes-reference"))
    ap.add_argument("--no-fixtures", action="store_true")
    a = ap.parse_args()
    export_model(a.ckpt, a.out, None if a.no_fixtures else a.fixtures)


if __name__ == "__main__":
    main()
