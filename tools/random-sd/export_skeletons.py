"""Writes the weightless graphs ("skeletons") that `npm run random-sd` fills with seeded random weights.

What: a Stable Diffusion 1.5 pipeline of SD's exact shapes (`full`: UNet 859,520,964 parameters, CLIP ViT-L/14's
text transformer, SD's VAE decoder) and the same structure at small widths (`mini`); and CompVis' LDM text2im
pipeline at small widths (`ldm-mini`: an LDM-BERT text encoder with int64 `input_ids` and no pooled output, a UNet
whose cross-attention takes LDM-BERT's width, 32x32 latents), exported with
torch.onnx.export (TorchScript, opset 14) the way optimum/diffusers export them: diffusers module names, dynamic
batch/height/width, attention as torch's opset-14 `scaled_dot_product_attention` symbolic writes it (√scale on
both Q and Kᵀ, heads on axis 1), int32 `input_ids`. Every float initializer of ≥ 1024 finite elements becomes an
external-data reference, listed with its mean and std in `fill.json`; the weights themselves are not kept (random
weights do not compress), so the skeletons are small enough to commit and no Python runs at test time.

Run (CPU, torch 1.13 is enough; `full` needs about 8 GB of memory and a few minutes):
    /usr/bin/python3 tools/random-sd/export_skeletons.py --scale mini|full|ldm-mini [--out tools/random-sd/skeletons]
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import tempfile
from dataclasses import dataclass

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import TensorProto, numpy_helper

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "toy-model"))
import model as toy  # noqa: E402  (the project's diffusers-shaped modules)

OPSET = 14
MIN_ELEMENTS = 1024


# --------------------------------------------------------------------------------------------------
# Attention as AttnProcessor2_0 + torch's opset-14 SDPA symbolic write it
# --------------------------------------------------------------------------------------------------
def sdpa_forward(self: toy.Attention, x, context=None):
    b, n, c = x.shape
    ctx = x if context is None else context
    d = c // self.heads
    q = self.to_q(x).view(b, -1, self.heads, d).transpose(1, 2)
    k = self.to_k(ctx).view(b, -1, self.heads, d).transpose(1, 2)
    v = self.to_v(ctx).view(b, -1, self.heads, d).transpose(1, 2)
    root = self.scale ** 0.5  # the symbolic multiplies Q and Kᵀ each by √scale
    probs = torch.softmax(torch.matmul(q * root, k.transpose(-2, -1) * root), dim=-1)
    out = torch.matmul(probs, v).transpose(1, 2).reshape(b, -1, c)
    return self.to_out[1](self.to_out[0](out))


toy.Attention.forward = sdpa_forward


# --------------------------------------------------------------------------------------------------
# SD's VAE decoder (diffusers AutoencoderKL: post_quant_conv + Decoder), written here since the toy AE differs
# --------------------------------------------------------------------------------------------------
class VaeResnet(nn.Module):
    def __init__(self, cin, cout, groups):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, cin, eps=1e-6)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.norm2 = nn.GroupNorm(groups, cout, eps=1e-6)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.conv_shortcut = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x):
        h = self.conv1(F.silu(self.norm1(x)))
        h = self.conv2(F.silu(self.norm2(h)))
        return (x if self.conv_shortcut is None else self.conv_shortcut(x)) + h


class VaeAttention(nn.Module):
    """The VAE mid block's single-head attention (diffusers Attention with group_norm, residual)."""

    def __init__(self, ch, groups):
        super().__init__()
        self.group_norm = nn.GroupNorm(groups, ch, eps=1e-6)
        self.to_q, self.to_k, self.to_v = nn.Linear(ch, ch), nn.Linear(ch, ch), nn.Linear(ch, ch)
        self.to_out = nn.ModuleList([nn.Linear(ch, ch), nn.Dropout(0.0)])

    def forward(self, x):
        b, c, h, w = x.shape
        t = self.group_norm(x).view(b, c, h * w).transpose(1, 2)
        q, k, v = self.to_q(t)[:, None], self.to_k(t)[:, None], self.to_v(t)[:, None]
        root = c ** -0.25
        o = torch.matmul(torch.softmax(torch.matmul(q * root, k.transpose(-2, -1) * root), dim=-1), v)[:, 0]
        o = self.to_out[0](o).transpose(1, 2).reshape(b, c, h, w)
        return o + x


class VaeMid(nn.Module):
    def __init__(self, ch, groups):
        super().__init__()
        self.resnets = nn.ModuleList([VaeResnet(ch, ch, groups), VaeResnet(ch, ch, groups)])
        self.attentions = nn.ModuleList([VaeAttention(ch, groups)])

    def forward(self, x):
        return self.resnets[1](self.attentions[0](self.resnets[0](x)))


class VaeUpsample(nn.Module):
    def __init__(self, ch):
        super().__init__()
        self.conv = nn.Conv2d(ch, ch, 3, padding=1)

    def forward(self, x):
        return self.conv(F.interpolate(x, scale_factor=2.0, mode="nearest"))


class VaeUpBlock(nn.Module):
    def __init__(self, cin, cout, layers, groups, add_up):
        super().__init__()
        self.resnets = nn.ModuleList([VaeResnet(cin if i == 0 else cout, cout, groups) for i in range(layers)])
        self.upsamplers = nn.ModuleList([VaeUpsample(cout)]) if add_up else None

    def forward(self, x):
        for r in self.resnets:
            x = r(x)
        return x if self.upsamplers is None else self.upsamplers[0](x)


class VaeDecoderModule(nn.Module):
    def __init__(self, block_out, layers_per_block=2, groups=32, latent=4):
        super().__init__()
        rev = list(block_out)[::-1]
        self.conv_in = nn.Conv2d(latent, rev[0], 3, padding=1)
        self.mid_block = VaeMid(rev[0], groups)
        self.up_blocks = nn.ModuleList(
            [VaeUpBlock(rev[max(i - 1, 0)], rev[i], layers_per_block + 1, groups, i < len(rev) - 1) for i in range(len(rev))])
        self.conv_norm_out = nn.GroupNorm(groups, rev[-1], eps=1e-6)
        self.conv_out = nn.Conv2d(rev[-1], 3, 3, padding=1)

    def forward(self, z):
        x = self.mid_block(self.conv_in(z))
        for blk in self.up_blocks:
            x = blk(x)
        return self.conv_out(F.silu(self.conv_norm_out(x)))


class VaeDecoder(nn.Module):
    """optimum's vae_decoder: `latent_sample` (already divided by the scaling factor) -> `sample`."""

    def __init__(self, block_out, layers_per_block=2, groups=32):
        super().__init__()
        self.post_quant_conv = nn.Conv2d(4, 4, 1)
        self.decoder = VaeDecoderModule(block_out, layers_per_block, groups)

    def forward(self, latent_sample):
        return self.decoder(self.post_quant_conv(latent_sample))


class TextEncoder(nn.Module):
    """optimum's text_encoder: int32 `input_ids` -> last_hidden_state, pooler_output (state at the EOS)."""

    def __init__(self, cfg: toy.TextConfig):
        super().__init__()
        self.text = toy.CLIPTextModel(cfg)

    def forward(self, input_ids):
        h = self.text(input_ids)
        pooled = h[torch.arange(h.shape[0]), input_ids.to(torch.int64).argmax(dim=-1)]
        return h, pooled


@dataclass
class LdmBertConfig:
    """CompVis/ldm-text2im-large-256's LDM-BERT: 30522 WordPiece ids, 77 positions, width 1280, 32 pre-norm layers,
    8 heads of 64, GELU MLP of 5120 (the `full` figures; `ldm-mini` shrinks them)."""
    vocab_size: int = 30522
    max_len: int = 77
    dim: int = 1280
    layers: int = 32
    heads: int = 8
    head_dim: int = 64
    ffn: int = 5120


class LdmBertAttention(nn.Module):
    """Bidirectional self-attention, no mask: bias-free q/k/v projections, biased output (diffusers' LDMBertAttention
    layout and names)."""

    def __init__(self, c: LdmBertConfig):
        super().__init__()
        self.heads, self.head_dim = c.heads, c.head_dim
        inner = c.heads * c.head_dim
        self.q_proj = nn.Linear(c.dim, inner, bias=False)
        self.k_proj = nn.Linear(c.dim, inner, bias=False)
        self.v_proj = nn.Linear(c.dim, inner, bias=False)
        self.out_proj = nn.Linear(inner, c.dim)

    def forward(self, x):
        b, n, _ = x.shape
        split = lambda t: t.view(b, n, self.heads, self.head_dim).transpose(1, 2)  # noqa: E731
        q, k, v = split(self.q_proj(x) * self.head_dim ** -0.5), split(self.k_proj(x)), split(self.v_proj(x))
        o = torch.matmul(torch.softmax(torch.matmul(q, k.transpose(-2, -1)), dim=-1), v)
        return self.out_proj(o.transpose(1, 2).reshape(b, n, self.heads * self.head_dim))


class LdmBertLayer(nn.Module):
    def __init__(self, c: LdmBertConfig):
        super().__init__()
        self.self_attn_layer_norm = nn.LayerNorm(c.dim)
        self.self_attn = LdmBertAttention(c)
        self.final_layer_norm = nn.LayerNorm(c.dim)
        self.fc1 = nn.Linear(c.dim, c.ffn)
        self.fc2 = nn.Linear(c.ffn, c.dim)

    def forward(self, x):
        x = x + self.self_attn(self.self_attn_layer_norm(x))
        return x + self.fc2(F.gelu(self.fc1(self.final_layer_norm(x))))


class LdmBertEncoder(nn.Module):
    def __init__(self, c: LdmBertConfig):
        super().__init__()
        self.embed_tokens = nn.Embedding(c.vocab_size, c.dim)
        self.embed_positions = nn.Embedding(c.max_len, c.dim)
        self.layers = nn.ModuleList([LdmBertLayer(c) for _ in range(c.layers)])
        self.layer_norm = nn.LayerNorm(c.dim)

    def forward(self, input_ids):
        positions = torch.arange(input_ids.shape[1], device=input_ids.device)
        x = self.embed_tokens(input_ids) + self.embed_positions(positions)[None]
        for layer in self.layers:
            x = layer(x)
        return self.layer_norm(x)


class LdmBertTextEncoder(nn.Module):
    """The text_encoder graph of an LDM export: int64 `input_ids` -> `last_hidden_state` (no pooled output)."""

    def __init__(self, c: LdmBertConfig):
        super().__init__()
        self.model = LdmBertEncoder(c)

    def forward(self, input_ids):
        return self.model(input_ids)


# --------------------------------------------------------------------------------------------------
SCALES = {
    # SD 1.5 exactly: runwayml/stable-diffusion-v1-5's unet, text_encoder (CLIP ViT-L/14) and vae configs
    "full": dict(unet=toy.UNetConfig(), text=toy.TextConfig(), vae=(128, 256, 512, 512), sample_size=64,
                 expected_unet=859_520_964),
    # same structure, small widths: 32x32 latents (256 px), 8x8 cross-attention maps
    "mini": dict(unet=toy.UNetConfig(block_out_channels=(32, 64, 64, 64), cross_attention_dim=64, ff_mult=4),
                 text=toy.TextConfig(dim=64, layers=2, heads=4), vae=(32, 32, 64, 64), sample_size=32,
                 expected_unet=None),
    # CompVis LDM text2im's structure at small widths: the UNet's cross-attention takes LDM-BERT's width; the
    # WordPiece vocabulary `npm run random-sd -- --pipeline ldm` writes has 512 entries
    "ldm-mini": dict(unet=toy.UNetConfig(block_out_channels=(32, 64, 64, 64), cross_attention_dim=64, ff_mult=4),
                     text=LdmBertConfig(vocab_size=512, dim=64, layers=2, heads=4, head_dim=16, ffn=256),
                     vae=(32, 32, 64, 64), sample_size=32, expected_unet=None),
}


def export(module, args, path, in_names, out_names, dyn):
    with torch.no_grad():
        torch.onnx.export(module, args, path, input_names=in_names, output_names=out_names, dynamic_axes=dyn,
                          opset_version=OPSET, do_constant_folding=True)


def skeletonise(src: str, dst_dir: str, extra: dict) -> dict:
    """Moves every weight to an external reference in `model.onnx_data` (fp32 offsets) and writes the graph
    gzipped plus `fill.json`. The TypeScript tool recomputes offsets when it converts to fp16."""
    m = onnx.load(src, load_external_data=True)
    tensors, off = [], 0
    for t in m.graph.initializer:
        if t.data_type != TensorProto.FLOAT:
            continue
        a = numpy_helper.to_array(t)
        if a.size < MIN_ELEMENTS:
            continue
        f = a.astype(np.float64)
        if not np.isfinite(f).all() or np.abs(f).max() >= 1e4:
            continue  # masks and other constants keep their exact values
        tensors.append({"name": t.name, "dims": list(a.shape), "mean": float(f.mean()), "std": float(f.std())})
        t.ClearField("raw_data")
        t.ClearField("float_data")
        del t.external_data[:]
        t.data_location = TensorProto.EXTERNAL
        for k, v in (("location", "model.onnx_data"), ("offset", str(off)), ("length", str(a.size * 4))):
            e = t.external_data.add()
            e.key, e.value = k, v
        off += a.size * 4
    os.makedirs(dst_dir, exist_ok=True)
    with gzip.open(os.path.join(dst_dir, "model.onnx.gz"), "wb", compresslevel=9) as fh:
        fh.write(m.SerializeToString())
    params = sum(int(np.prod(x["dims"])) for x in tensors)
    fill = {"location": "model.onnx_data", "tensors": tensors, "weights_in_fill": params, **extra}
    with open(os.path.join(dst_dir, "fill.json"), "w") as fh:
        json.dump(fill, fh, indent=0)
    return {"graph_nodes": len(m.graph.node), "external_tensors": len(tensors), "external_bytes_fp32": off}


def count(m: nn.Module) -> int:
    return sum(p.numel() for p in m.parameters())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", choices=sorted(SCALES), required=True)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "skeletons"))
    ap.add_argument("--only", nargs="*", default=["unet", "text_encoder", "vae_decoder"])
    a = ap.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    s = SCALES[a.scale]
    out = os.path.join(a.out, a.scale)
    L = 8  # traced at a small latent: height and width stay dynamic, as optimum exports them
    report = {}
    unet_dim = s["unet"].cross_attention_dim

    ldm = isinstance(s["text"], LdmBertConfig)

    def ids():
        if ldm:
            return (torch.randint(0, s["text"].vocab_size, (2, 77), dtype=torch.int64),)
        x = torch.randint(0, 49407, (2, 77), dtype=torch.int32)
        x[:, -1] = 49407
        return (x,)

    spatial = {0: "batch", 2: "height", 3: "width"}
    # component -> (module factory, example inputs, input names, output names, dynamic axes); the inputs are drawn
    # after the module, so the seeded stream (and with it the committed skeletons) does not depend on the order
    components = {
        "unet": (lambda: toy.UNet2DConditionModel(s["unet"]),
                 lambda: (torch.randn(2, 4, L, L), torch.tensor([981.0]), torch.randn(2, 77, unet_dim)),
                 ["sample", "timestep", "encoder_hidden_states"], ["out_sample"],
                 {"sample": spatial, "timestep": {0: "steps"}, "encoder_hidden_states": {0: "batch", 1: "sequence"},
                  "out_sample": spatial}),
        "text_encoder": (lambda: LdmBertTextEncoder(s["text"]), ids, ["input_ids"], ["last_hidden_state"],
                         {"input_ids": {0: "batch", 1: "sequence"}, "last_hidden_state": {0: "batch", 1: "sequence"}})
        if ldm else
        (lambda: TextEncoder(s["text"]), ids, ["input_ids"], ["last_hidden_state", "pooler_output"],
         {"input_ids": {0: "batch", 1: "sequence"}, "last_hidden_state": {0: "batch", 1: "sequence"},
          "pooler_output": {0: "batch"}}),
        "vae_decoder": (lambda: VaeDecoder(s["vae"]), lambda: (torch.randn(1, 4, L, L),), ["latent_sample"], ["sample"],
                        {"latent_sample": spatial, "sample": spatial}),
    }
    with tempfile.TemporaryDirectory() as tmp:
        for name in a.only:
            make, args, ins, outs, dyn = components[name]
            module = make().eval()
            n = count(module)
            if name == "unet" and s["expected_unet"]:
                assert n == s["expected_unet"], n
            p = os.path.join(tmp, name, "model.onnx")
            os.makedirs(os.path.dirname(p))
            export(module, args(), p, ins, outs, dyn)
            del module
            report[name] = {"parameters": n, **skeletonise(p, os.path.join(out, name), {"parameters": n})}
            print(name, report[name], flush=True)
    path = os.path.join(out, "skeletons.json")
    old = json.load(open(path)) if os.path.exists(path) else {}
    old.update(report)
    old.update({"torch": torch.__version__, "onnx": onnx.__version__, "opset": OPSET, "sample_size": s["sample_size"],
                "vae_block_out_channels": list(s["vae"]), "unet_block_out_channels": list(s["unet"].block_out_channels),
                "cross_attention_dim": s["unet"].cross_attention_dim,
                "text": {"kind": "ldm-bert" if ldm else "clip", "dim": s["text"].dim, "layers": s["text"].layers,
                         "heads": s["text"].heads, "vocab_size": s["text"].vocab_size}})
    with open(path, "w") as fh:
        json.dump(old, fh, indent=1)


if __name__ == "__main__":
    main()
