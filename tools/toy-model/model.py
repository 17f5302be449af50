"""The three networks of a latent diffusion model, shaped like diffusers' / transformers' modules.

What: a small autoencoder, a CLIP-style causal text transformer and a UNet2DConditionModel-style UNet
whose module names (`down_blocks.N`, `mid_block`, `up_blocks.N`, `attentions.M.transformer_blocks.0.
attn1|attn2.to_q|to_k|to_v|to_out.0`) end up in ONNX node names exactly as in diffusers exports.
Follows Rombach et al. 2022 (LDM) and diffusers' UNet2DConditionModel; no I/O here (nanoGPT habit).

`python3 model.py --sd15-params` builds the exact Stable Diffusion 1.5 UNet config with the same
class and prints its parameter count (859520964).
"""
from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from typing import Callable, Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F


# --------------------------------------------------------------------------------------------------
# UNet
# --------------------------------------------------------------------------------------------------
@dataclass
class UNetConfig:
    in_channels: int = 4
    out_channels: int = 4
    block_out_channels: Sequence[int] = (320, 640, 1280, 1280)
    # True = CrossAttn{Down,Up}Block2D, False = plain {Down,Up}Block2D (SD 1.5: 3 attn + 1 plain)
    down_attn: Sequence[bool] = (True, True, True, False)
    layers_per_block: int = 2
    num_heads: int = 8  # SD 1.x "attention_head_dim=8" really means 8 heads
    cross_attention_dim: int = 768
    norm_num_groups: int = 32
    ff_mult: int = 4


class Timesteps(nn.Module):
    """Sinusoidal embedding, diffusers' `Timesteps(flip_sin_to_cos=True, downscale_freq_shift=0)`."""

    def __init__(self, dim: int):
        super().__init__()
        self.dim = dim

    def forward(self, t: torch.Tensor) -> torch.Tensor:
        half = self.dim // 2
        exponent = -math.log(10000) * torch.arange(half, dtype=torch.float32, device=t.device) / half
        emb = t.float()[:, None] * torch.exp(exponent)[None, :]
        return torch.cat([torch.cos(emb), torch.sin(emb)], dim=-1)


class TimestepEmbedding(nn.Module):
    def __init__(self, in_dim: int, dim: int):
        super().__init__()
        self.linear_1 = nn.Linear(in_dim, dim)
        self.act = nn.SiLU()
        self.linear_2 = nn.Linear(dim, dim)

    def forward(self, x):
        return self.linear_2(self.act(self.linear_1(x)))


class ResnetBlock2D(nn.Module):
    def __init__(self, cin: int, cout: int, temb: int, groups: int):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, cin, eps=1e-5)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.time_emb_proj = nn.Linear(temb, cout)
        self.norm2 = nn.GroupNorm(groups, cout, eps=1e-5)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.nonlinearity = nn.SiLU()
        self.conv_shortcut = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x, temb):
        h = self.conv1(self.nonlinearity(self.norm1(x)))
        h = h + self.time_emb_proj(self.nonlinearity(temb))[:, :, None, None]
        h = self.conv2(self.nonlinearity(self.norm2(h)))
        if self.conv_shortcut is not None:
            x = self.conv_shortcut(x)
        return x + h


# A hook that may edit attention probabilities: f(probs [B*heads, Q, K], is_cross, place) -> probs
AttnHook = Callable[[torch.Tensor, bool, str], torch.Tensor]


class Attention(nn.Module):
    """diffusers' Attention with the classic processor: heads folded into the batch, plain bmm.

    Exports as MatMul -> Mul(scale) -> Softmax -> MatMul (no baddbmm), which is what the
    TypeScript graph instrumentation anchors on.
    """

    def __init__(self, dim: int, heads: int, context_dim: Optional[int] = None):
        super().__init__()
        self.heads = heads
        self.scale = (dim // heads) ** -0.5
        self.is_cross = context_dim is not None
        self.to_q = nn.Linear(dim, dim, bias=False)
        self.to_k = nn.Linear(context_dim or dim, dim, bias=False)
        self.to_v = nn.Linear(context_dim or dim, dim, bias=False)
        self.to_out = nn.ModuleList([nn.Linear(dim, dim), nn.Dropout(0.0)])
        self.hook: Optional[AttnHook] = None  # set by the P2P controller (tools only, not exported)
        self.place = ""

    def _heads_to_batch(self, x):  # [B, N, H*d] -> [B*H, N, d]
        b, n, _ = x.shape
        return x.reshape(b, n, self.heads, -1).permute(0, 2, 1, 3).reshape(b * self.heads, n, -1)

    def forward(self, x, context=None):
        b, n, c = x.shape
        ctx = x if context is None else context
        q = self._heads_to_batch(self.to_q(x))
        k = self._heads_to_batch(self.to_k(ctx))
        v = self._heads_to_batch(self.to_v(ctx))
        scores = torch.bmm(q, k.transpose(1, 2)) * self.scale
        probs = scores.softmax(dim=-1)
        if self.hook is not None:
            probs = self.hook(probs, self.is_cross, self.place)
        out = torch.bmm(probs, v)
        out = out.reshape(b, self.heads, n, -1).permute(0, 2, 1, 3).reshape(b, n, c)
        return self.to_out[1](self.to_out[0](out))


class GEGLU(nn.Module):
    def __init__(self, dim: int, inner: int):
        super().__init__()
        self.proj = nn.Linear(dim, inner * 2)

    def forward(self, x):
        h, gate = self.proj(x).chunk(2, dim=-1)
        return h * F.gelu(gate)


class FeedForward(nn.Module):
    def __init__(self, dim: int, mult: int):
        super().__init__()
        self.net = nn.ModuleList([GEGLU(dim, dim * mult), nn.Dropout(0.0), nn.Linear(dim * mult, dim)])

    def forward(self, x):
        for m in self.net:
            x = m(x)
        return x


class BasicTransformerBlock(nn.Module):
    def __init__(self, dim: int, heads: int, context_dim: int, ff_mult: int):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn1 = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim)
        self.attn2 = Attention(dim, heads, context_dim)
        self.norm3 = nn.LayerNorm(dim)
        self.ff = FeedForward(dim, ff_mult)

    def forward(self, x, context):
        x = self.attn1(self.norm1(x)) + x
        x = self.attn2(self.norm2(x), context) + x
        return self.ff(self.norm3(x)) + x


class Transformer2DModel(nn.Module):
    """SD 1.x spatial transformer: GroupNorm, 1x1 conv proj_in, one block, 1x1 conv proj_out."""

    def __init__(self, ch: int, heads: int, context_dim: int, groups: int, ff_mult: int):
        super().__init__()
        self.norm = nn.GroupNorm(groups, ch, eps=1e-6)
        self.proj_in = nn.Conv2d(ch, ch, 1)
        self.transformer_blocks = nn.ModuleList([BasicTransformerBlock(ch, heads, context_dim, ff_mult)])
        self.proj_out = nn.Conv2d(ch, ch, 1)

    def forward(self, x, context):
        b, c, h, w = x.shape
        res = x
        x = self.proj_in(self.norm(x))
        x = x.permute(0, 2, 3, 1).reshape(b, h * w, c)
        for blk in self.transformer_blocks:
            x = blk(x, context)
        x = x.reshape(b, h, w, c).permute(0, 3, 1, 2)
        return self.proj_out(x) + res


class Downsample2D(nn.Module):
    def __init__(self, ch: int):
        super().__init__()
        self.conv = nn.Conv2d(ch, ch, 3, stride=2, padding=1)

    def forward(self, x):
        return self.conv(x)


class Upsample2D(nn.Module):
    def __init__(self, ch: int):
        super().__init__()
        self.conv = nn.Conv2d(ch, ch, 3, padding=1)

    def forward(self, x):
        return self.conv(F.interpolate(x, scale_factor=2.0, mode="nearest"))


class DownBlock(nn.Module):
    """CrossAttnDownBlock2D when `attn`, else DownBlock2D."""

    def __init__(self, cin, cout, temb, n_layers, attn, heads, ctx_dim, groups, ff_mult, add_down):
        super().__init__()
        self.resnets = nn.ModuleList(
            [ResnetBlock2D(cin if i == 0 else cout, cout, temb, groups) for i in range(n_layers)])
        self.attentions = nn.ModuleList(
            [Transformer2DModel(cout, heads, ctx_dim, groups, ff_mult) for _ in range(n_layers)]) if attn else None
        self.downsamplers = nn.ModuleList([Downsample2D(cout)]) if add_down else None

    def forward(self, x, temb, context):
        skips = []
        for i, res in enumerate(self.resnets):
            x = res(x, temb)
            if self.attentions is not None:
                x = self.attentions[i](x, context)
            skips.append(x)
        if self.downsamplers is not None:
            x = self.downsamplers[0](x)
            skips.append(x)
        return x, skips


class UpBlock(nn.Module):
    """CrossAttnUpBlock2D when `attn`, else UpBlock2D (layers_per_block + 1 resnets with skips)."""

    def __init__(self, cin, cout, prev_out, temb, n_layers, attn, heads, ctx_dim, groups, ff_mult, add_up):
        super().__init__()
        res = []
        for i in range(n_layers):
            skip_ch = cin if i == n_layers - 1 else cout
            res_in = prev_out if i == 0 else cout
            res.append(ResnetBlock2D(res_in + skip_ch, cout, temb, groups))
        self.resnets = nn.ModuleList(res)
        self.attentions = nn.ModuleList(
            [Transformer2DModel(cout, heads, ctx_dim, groups, ff_mult) for _ in range(n_layers)]) if attn else None
        self.upsamplers = nn.ModuleList([Upsample2D(cout)]) if add_up else None

    def forward(self, x, skips, temb, context):
        for i, res in enumerate(self.resnets):
            x = torch.cat([x, skips.pop()], dim=1)
            x = res(x, temb)
            if self.attentions is not None:
                x = self.attentions[i](x, context)
        if self.upsamplers is not None:
            x = self.upsamplers[0](x)
        return x


class UNetMidBlock2DCrossAttn(nn.Module):
    def __init__(self, ch, temb, heads, ctx_dim, groups, ff_mult):
        super().__init__()
        self.resnets = nn.ModuleList([ResnetBlock2D(ch, ch, temb, groups), ResnetBlock2D(ch, ch, temb, groups)])
        self.attentions = nn.ModuleList([Transformer2DModel(ch, heads, ctx_dim, groups, ff_mult)])

    def forward(self, x, temb, context):
        x = self.resnets[0](x, temb)
        x = self.attentions[0](x, context)
        return self.resnets[1](x, temb)


class UNet2DConditionModel(nn.Module):
    def __init__(self, cfg: UNetConfig):
        super().__init__()
        self.cfg = cfg
        ch = list(cfg.block_out_channels)
        temb = ch[0] * 4
        g, hds, ctx, ffm = cfg.norm_num_groups, cfg.num_heads, cfg.cross_attention_dim, cfg.ff_mult
        self.conv_in = nn.Conv2d(cfg.in_channels, ch[0], 3, padding=1)
        self.time_proj = Timesteps(ch[0])
        self.time_embedding = TimestepEmbedding(ch[0], temb)
        n = len(ch)
        self.down_blocks = nn.ModuleList()
        cout = ch[0]
        for i in range(n):
            cin, cout = cout, ch[i]
            self.down_blocks.append(DownBlock(cin, cout, temb, cfg.layers_per_block, cfg.down_attn[i],
                                              hds, ctx, g, ffm, add_down=i < n - 1))
        self.mid_block = UNetMidBlock2DCrossAttn(ch[-1], temb, hds, ctx, g, ffm)
        rev = ch[::-1]
        up_attn = list(cfg.down_attn)[::-1]
        self.up_blocks = nn.ModuleList()
        cout = rev[0]
        for i in range(n):
            prev, cout = cout, rev[i]
            cin = rev[min(i + 1, n - 1)]
            self.up_blocks.append(UpBlock(cin, cout, prev, temb, cfg.layers_per_block + 1, up_attn[i],
                                          hds, ctx, g, ffm, add_up=i < n - 1))
        self.conv_norm_out = nn.GroupNorm(g, ch[0], eps=1e-5)
        self.conv_act = nn.SiLU()
        self.conv_out = nn.Conv2d(ch[0], cfg.out_channels, 3, padding=1)
        self._name_attention_places()

    def _name_attention_places(self):
        for name, m in self.named_modules():
            if isinstance(m, Attention):
                m.place = name.split(".")[0].replace("_blocks", "").replace("_block", "")  # down/mid/up

    def attention_modules(self):
        return [(n, m) for n, m in self.named_modules() if isinstance(m, Attention)]

    def forward(self, sample, timestep, encoder_hidden_states):
        # timestep: float32 scalar, [1] or [batch]; a [1] embedding broadcasts over the batch in the
        # resnets, so one traced graph serves both (as diffusers' ONNX pipelines pass np.array([t]))
        t = timestep.reshape(-1).to(torch.float32)
        temb = self.time_embedding(self.time_proj(t))
        x = self.conv_in(sample)
        skips = [x]
        for blk in self.down_blocks:
            x, s = blk(x, temb, encoder_hidden_states)
            skips.extend(s)
        x = self.mid_block(x, temb, encoder_hidden_states)
        for blk in self.up_blocks:
            n = len(blk.resnets)
            take, skips = skips[-n:], skips[:-n]
            x = blk(x, take, temb, encoder_hidden_states)
        return self.conv_out(self.conv_act(self.conv_norm_out(x)))


# --------------------------------------------------------------------------------------------------
# Text encoder (CLIPTextModel-like, causal, pre-LN, quick_gelu)
# --------------------------------------------------------------------------------------------------
@dataclass
class TextConfig:
    vocab_size: int = 49408
    max_len: int = 77
    dim: int = 768
    layers: int = 12
    heads: int = 12
    mlp_mult: int = 4


class CLIPAttention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.scale = (dim // heads) ** -0.5
        self.q_proj = nn.Linear(dim, dim)
        self.k_proj = nn.Linear(dim, dim)
        self.v_proj = nn.Linear(dim, dim)
        self.out_proj = nn.Linear(dim, dim)

    def forward(self, x, mask):
        b, n, c = x.shape

        def split(t):
            return t.reshape(b, n, self.heads, -1).permute(0, 2, 1, 3).reshape(b * self.heads, n, -1)

        q, k, v = split(self.q_proj(x)), split(self.k_proj(x)), split(self.v_proj(x))
        probs = (torch.bmm(q, k.transpose(1, 2)) * self.scale + mask).softmax(-1)
        out = torch.bmm(probs, v).reshape(b, self.heads, n, -1).permute(0, 2, 1, 3).reshape(b, n, c)
        return self.out_proj(out)


class CLIPMLP(nn.Module):
    def __init__(self, dim, mult):
        super().__init__()
        self.fc1 = nn.Linear(dim, dim * mult)
        self.fc2 = nn.Linear(dim * mult, dim)

    def forward(self, x):
        h = self.fc1(x)
        return self.fc2(h * torch.sigmoid(1.702 * h))  # quick_gelu, as CLIP


class CLIPEncoderLayer(nn.Module):
    def __init__(self, dim, heads, mult):
        super().__init__()
        self.layer_norm1 = nn.LayerNorm(dim)
        self.self_attn = CLIPAttention(dim, heads)
        self.layer_norm2 = nn.LayerNorm(dim)
        self.mlp = CLIPMLP(dim, mult)

    def forward(self, x, mask):
        x = x + self.self_attn(self.layer_norm1(x), mask)
        return x + self.mlp(self.layer_norm2(x))


class CLIPEmbeddings(nn.Module):
    def __init__(self, cfg: TextConfig):
        super().__init__()
        self.token_embedding = nn.Embedding(cfg.vocab_size, cfg.dim)
        self.position_embedding = nn.Embedding(cfg.max_len, cfg.dim)

    def forward(self, ids):
        pos = torch.arange(ids.shape[1], device=ids.device)[None]
        return self.token_embedding(ids) + self.position_embedding(pos)


class CLIPEncoder(nn.Module):
    def __init__(self, cfg: TextConfig):
        super().__init__()
        self.layers = nn.ModuleList([CLIPEncoderLayer(cfg.dim, cfg.heads, cfg.mlp_mult) for _ in range(cfg.layers)])


class CLIPTextTransformer(nn.Module):
    def __init__(self, cfg: TextConfig):
        super().__init__()
        self.embeddings = CLIPEmbeddings(cfg)
        self.encoder = CLIPEncoder(cfg)
        self.final_layer_norm = nn.LayerNorm(cfg.dim)
        mask = torch.full((cfg.max_len, cfg.max_len), -1e9).triu(1)  # causal, as CLIP
        self.register_buffer("causal_mask", mask, persistent=False)

    def forward(self, ids):
        n = ids.shape[1]
        x = self.embeddings(ids)
        mask = self.causal_mask[:n, :n][None]
        for layer in self.encoder.layers:
            x = layer(x, mask)
        return self.final_layer_norm(x)


class CLIPTextModel(nn.Module):
    """Returns last_hidden_state [B, 77, D] (SD feeds it to the UNet's cross-attention)."""

    def __init__(self, cfg: TextConfig):
        super().__init__()
        self.cfg = cfg
        self.text_model = CLIPTextTransformer(cfg)

    def forward(self, input_ids):
        return self.text_model(input_ids)


# --------------------------------------------------------------------------------------------------
# Autoencoder (deterministic; SD's is a KL-VAE, a plain AE with a latent penalty is enough here)
# --------------------------------------------------------------------------------------------------
@dataclass
class AEConfig:
    channels: Sequence[int] = (32, 64, 64)  # one entry per resolution; len-1 = number of 2x downsamplings
    latent_channels: int = 4
    groups: int = 8


class AEResBlock(nn.Module):
    def __init__(self, cin, cout, groups):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, cin)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.norm2 = nn.GroupNorm(groups, cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.nin_shortcut = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x):
        h = self.conv1(F.silu(self.norm1(x)))
        h = self.conv2(F.silu(self.norm2(h)))
        return (x if self.nin_shortcut is None else self.nin_shortcut(x)) + h


class Encoder(nn.Module):
    def __init__(self, cfg: AEConfig):
        super().__init__()
        ch = list(cfg.channels)
        self.conv_in = nn.Conv2d(3, ch[0], 3, padding=1)
        blocks = []
        for i in range(len(ch)):
            blocks.append(AEResBlock(ch[i - 1] if i else ch[0], ch[i], cfg.groups))
            if i < len(ch) - 1:
                blocks.append(nn.Conv2d(ch[i], ch[i], 3, stride=2, padding=1))
        self.down = nn.Sequential(*blocks)
        self.mid = AEResBlock(ch[-1], ch[-1], cfg.groups)
        self.norm_out = nn.GroupNorm(cfg.groups, ch[-1])
        self.conv_out = nn.Conv2d(ch[-1], cfg.latent_channels, 3, padding=1)

    def forward(self, x):
        h = self.mid(self.down(self.conv_in(x)))
        return self.conv_out(F.silu(self.norm_out(h)))


class Decoder(nn.Module):
    def __init__(self, cfg: AEConfig):
        super().__init__()
        ch = list(cfg.channels)[::-1]
        self.conv_in = nn.Conv2d(cfg.latent_channels, ch[0], 3, padding=1)
        self.mid = AEResBlock(ch[0], ch[0], cfg.groups)
        blocks = []
        for i in range(len(ch)):
            blocks.append(AEResBlock(ch[i - 1] if i else ch[0], ch[i], cfg.groups))
            if i < len(ch) - 1:
                blocks.append(nn.Upsample(scale_factor=2.0, mode="nearest"))
                blocks.append(nn.Conv2d(ch[i], ch[i], 3, padding=1))
        self.up = nn.Sequential(*blocks)
        self.norm_out = nn.GroupNorm(cfg.groups, ch[-1])
        self.conv_out = nn.Conv2d(ch[-1], 3, 3, padding=1)

    def forward(self, z):
        h = self.up(self.mid(self.conv_in(z)))
        return torch.tanh(self.conv_out(F.silu(self.norm_out(h))))  # image in [-1, 1]


class AutoEncoder(nn.Module):
    def __init__(self, cfg: AEConfig):
        super().__init__()
        self.cfg = cfg
        self.encoder = Encoder(cfg)
        self.decoder = Decoder(cfg)


class VaeDecoder(nn.Module):
    """What gets exported as vae_decoder: `latent_sample` (already divided by the scaling factor)
    -> `sample` in [-1, 1], like diffusers' OnnxRuntimeModel vae_decoder."""

    def __init__(self, ae: AutoEncoder):
        super().__init__()
        self.decoder = ae.decoder

    def forward(self, latent_sample):
        return self.decoder(latent_sample)


# --------------------------------------------------------------------------------------------------
def count_params(m: nn.Module) -> int:
    return sum(p.numel() for p in m.parameters())


def sd15_unet_config() -> UNetConfig:
    return UNetConfig()  # the dataclass defaults are exactly SD 1.5's UNet


if __name__ == "__main__":
    if "--sd15-params" in sys.argv:
        unet = UNet2DConditionModel(sd15_unet_config())
        print(count_params(unet))
    else:
        print("usage: model.py --sd15-params")
