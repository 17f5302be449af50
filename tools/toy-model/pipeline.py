"""PyTorch sampling for the toy model: diffusers' PNDM (PLMS, skip_prk_steps) and Prompt-to-Prompt.

Independent of the TypeScript code: this is the cross-check it is tested against. The controller
follows the original prompt-to-prompt notebook (Hertz et al. 2022, `AttentionControlEdit`,
`AttentionReplace`): batch [uncond P0..PE, cond P0..PE], only the conditional half is edited; the
time-word alpha table has steps+1 rows indexed by UNet call (`cur_step`); cross attention of edit e:
A'[e] = (A[0] @ M[e]) * alpha + A[e] * (1 - alpha); self attention A'[e] = A[0] while
int(steps*s0) <= call < int(steps*s1), only in layers with query length <= self_max_query. Per-word
windows (`cross_words`, the notebook's {"default_": d, word: f} dict) and `LocalBlend` (after each scheduler
step, the source latent outside the blend words' thresholded, max-pooled attention) as the notebook's.
"""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn.functional as F

from tokenizer import MAX_LEN, ToyTokenizer


class PNDMScheduler:
    """diffusers' PNDMScheduler with SD settings (skip_prk_steps, steps_offset=1, set_alpha_to_one=False).

    Symbols: alphas_cumprod = alpha-bar_t; step() is PLMS (pseudo linear multistep, Liu et al. 2022)."""

    def __init__(self, beta_start=0.00085, beta_end=0.012, num_train_timesteps=1000, steps_offset=1):
        betas = torch.linspace(beta_start ** 0.5, beta_end ** 0.5, num_train_timesteps, dtype=torch.float32) ** 2
        self.alphas_cumprod = torch.cumprod(1.0 - betas, dim=0)
        self.final_alpha_cumprod = self.alphas_cumprod[0]  # set_alpha_to_one=False
        self.T, self.steps_offset = num_train_timesteps, steps_offset

    def set_timesteps(self, n: int):
        self.n = n
        ts = (np.arange(0, n) * (self.T // n)).round() + self.steps_offset
        plms = np.concatenate([ts[:-1], ts[-2:-1], ts[-1:]])[::-1].copy()
        self.timesteps = torch.from_numpy(plms.astype(np.int64))  # n + 1 UNet calls
        self.ets: List[torch.Tensor] = []
        self.counter, self.cur_sample = 0, None

    def step(self, eps: torch.Tensor, t: int, x: torch.Tensor) -> torch.Tensor:
        t = int(t)
        prev_t = t - self.T // self.n
        if self.counter != 1:
            self.ets = self.ets[-3:]
            self.ets.append(eps)
        else:
            prev_t, t = t, t + self.T // self.n
        e = self.ets
        if len(e) == 1 and self.counter == 0:
            self.cur_sample = x
        elif len(e) == 1 and self.counter == 1:
            eps = (eps + e[-1]) / 2
            x, self.cur_sample = self.cur_sample, None
        elif len(e) == 2:
            eps = (3 * e[-1] - e[-2]) / 2
        elif len(e) == 3:
            eps = (23 * e[-1] - 16 * e[-2] + 5 * e[-3]) / 12
        else:
            eps = (55 * e[-1] - 59 * e[-2] + 37 * e[-3] - 9 * e[-4]) / 24
        a_t = self.alphas_cumprod[t]
        a_prev = self.alphas_cumprod[prev_t] if prev_t >= 0 else self.final_alpha_cumprod
        b_t, b_prev = 1 - a_t, 1 - a_prev
        coeff = (a_prev / a_t) ** 0.5
        denom = a_t * b_prev ** 0.5 + (a_t * b_t * a_prev) ** 0.5
        self.counter += 1
        return coeff * x - (a_prev - a_t) * eps / denom


def replacement_mapper(src: List[int], dst: List[int]) -> torch.Tensor:
    """Word-swap mapper M [77, 77]. Every toy word is one token and swaps keep the word count, so M
    is the identity on the token positions (the notebook's get_replacement_mapper_ reduces to it)."""
    assert len(src) == len(dst), "word swap needs equal token counts"
    return torch.eye(MAX_LEN)


def word_tokens(prompt: str, word: str) -> List[int]:
    """Token positions of `word` in a prompt of world words (each one token, so word i is token i + 1;
    matched exactly as the notebook's get_word_inds)."""
    return [i + 1 for i, w in enumerate(prompt.split(" ")) if w == word]


def time_word_alphas(n_edits: int, steps: int, cross_replace: float,
                     word_windows: Optional[Sequence[Dict[int, float]]] = None) -> torch.Tensor:
    """[steps+1, E, 1, 1, 77]: 1 for UNet calls in [0, int(cross*(steps+1))), as the notebook; a token of
    edit e listed in word_windows[e] gets its own window [0, int(f*(steps+1)))."""
    a = torch.zeros(steps + 1, n_edits, MAX_LEN)
    a[: int(cross_replace * (steps + 1))] = 1.0
    for e, windows in enumerate(word_windows or []):
        for t, f in windows.items():
            a[:, e, t] = 0.0
            a[: int(f * (steps + 1)), e, t] = 1.0
    return a.reshape(steps + 1, n_edits, 1, 1, MAX_LEN)


def blend_alphas(prompts: List[str], words: List[List[str]]) -> torch.Tensor:
    """[P, 77]: 1 at each prompt's LocalBlend words."""
    assert len(words) == len(prompts), "LocalBlend needs one word list per prompt"
    a = torch.zeros(len(prompts), MAX_LEN)
    for p, (prompt, ws) in enumerate(zip(prompts, words)):
        for w in ws:
            inds = word_tokens(prompt, w)
            assert inds, f"LocalBlend word {w!r} is not in {prompt!r}"
            a[p, inds] = 1.0
    return a


def local_blend(x: torch.Tensor, maps: torch.Tensor, alphas: torch.Tensor, threshold: float) -> torch.Tensor:
    """The notebook's LocalBlend for S independent groups of P prompts: x [S*P, C, H, W], maps [S*P, R*R, 77]
    (cross attention at any positive scale), alphas [P, 77]. Each prompt's word map is max-pooled 3x3,
    resized (nearest) to the latent, divided by its max and thresholded; edit e keeps the source latent
    outside its mask united with the source's."""
    P = alphas.shape[0]
    S, (C, H, W) = x.shape[0] // P, x.shape[1:]
    R = int(round(maps.shape[1] ** 0.5))
    w = (maps.reshape(S, P, R * R, MAX_LEN) * alphas[None, :, None, :]).sum(-1).reshape(S * P, 1, R, R)
    w = F.interpolate(F.max_pool2d(w, 3, 1, padding=1), size=(H, W))
    peak = w.amax((2, 3), keepdim=True)
    m = ((w > threshold * peak) & (peak > 0)).reshape(S, P, 1, H, W)
    xs = x.reshape(S, P, C, H, W)
    edits = xs[:, :1] + (m[:, :1] | m[:, 1:]).to(x.dtype) * (xs[:, 1:] - xs[:, :1])
    return torch.cat([xs[:, :1], edits], 1).reshape(x.shape)


class AttentionReplace:
    """Word-swap controller. Call order = attention modules in forward order; after the last one of a
    UNet call, cur_step += 1. Optionally records one call's probabilities for the test fixture."""

    def __init__(self, prompts: List[str], tok: ToyTokenizer, steps: int, cross_replace: float,
                 self_replace: float, self_max_query: int, n_layers: int, enabled: bool = True,
                 groups: int = 1, cross_words: Optional[Dict[str, float]] = None,
                 blend: Optional[Tuple[List[List[str]], float]] = None):
        """cross_replace is the notebook's "default_" window; cross_words its per-word windows (each word
        must occur in some edited prompt); blend = (LocalBlend words per prompt, threshold)."""
        self.P = len(prompts)
        self.S = groups  # independent seeds batched as [S, P] inside each half (S=1: the notebook)
        ids = [tok.ids(p) for p in prompts]
        self.mapper = torch.stack([replacement_mapper(ids[0], i) for i in ids[1:]])  # [E, 77, 77]
        windows = [{t: f for w, f in (cross_words or {}).items() for t in word_tokens(p, w)} for p in prompts[1:]]
        missing = [w for w in cross_words or {} if not any(word_tokens(p, w) for p in prompts[1:])]
        assert not missing, f"cross_words {missing} are in none of the edited prompts"
        self.alpha = time_word_alphas(self.P - 1, steps, cross_replace, windows)
        self.blend = None if blend is None else (blend_alphas(prompts, blend[0]), blend[1])
        self.self_range = (0, int(steps * self_replace))
        self.self_max_query = self_max_query
        self.n_layers, self.cur_layer, self.cur_step = n_layers, 0, 0
        self.enabled = enabled
        self.record_step: Optional[int] = None
        self.record_layers: Dict[str, str] = {}  # module name -> key prefix
        self.records: Dict[str, torch.Tensor] = {}
        self.map_store: Dict[int, torch.Tensor] = {}  # query length -> summed head-mean cross attn [P,Q,77]

    def hook_for(self, name: str):
        def hook(probs, is_cross, place):
            return self(probs, is_cross, name)
        return hook

    def __call__(self, probs: torch.Tensor, is_cross: bool, name: str) -> torch.Tensor:
        rec = self.record_step == self.cur_step and name in self.record_layers
        if rec:
            self.records[self.record_layers[name] + "_before"] = probs.clone()
        if self.enabled:
            h = probs.shape[0] // 2
            probs = torch.cat([probs[:h], self.forward(probs[h:], is_cross)])
        if rec:
            self.records[self.record_layers[name] + "_after"] = probs.clone()
        if is_cross:
            cond = probs[probs.shape[0] // 2:]
            m = cond.reshape(self.S * self.P, -1, *cond.shape[1:]).mean(1)
            q = cond.shape[1]
            self.map_store[q] = self.map_store.get(q, 0) + m
        self.cur_layer += 1
        if self.cur_layer == self.n_layers:
            self.cur_layer = 0
            self.cur_step += 1
        return probs

    def step_callback(self, x: torch.Tensor) -> torch.Tensor:
        """After each scheduler step: LocalBlend on the cross attention summed so far (16x16 layers)."""
        if self.blend is None or not self.enabled:
            return x
        return local_blend(x, self.map_store[max(self.map_store)], *self.blend)

    def forward(self, attn: torch.Tensor, is_cross: bool) -> torch.Tensor:
        in_self = self.self_range[0] <= self.cur_step < self.self_range[1]
        if not (is_cross or in_self) or self.P < 2:
            return attn
        heads = attn.shape[0] // (self.S * self.P)
        a = attn.reshape(self.S, self.P, heads, *attn.shape[1:])
        base, rep = a[:, 0], a[:, 1:]
        if is_cross:
            alpha = self.alpha[self.cur_step]  # [E, 1, 1, 77]
            new = torch.einsum("shpw,bwn->sbhpn", base, self.mapper) * alpha + (1 - alpha) * rep
        elif attn.shape[1] <= self.self_max_query:
            new = base.unsqueeze(1).expand_as(rep)
        else:
            new = rep
        return torch.cat([base[:, None], new], dim=1).reshape(attn.shape)


def initial_latent(seed: int, latent_hw: int) -> torch.Tensor:
    return torch.randn((1, 4, latent_hw, latent_hw), generator=torch.Generator().manual_seed(seed))


@torch.no_grad()
def generate(unet, text, decoder, scaling: float, tok: ToyTokenizer, prompts: List[str], seed,
             steps: int = 20, guidance: float = 7.5, controller: Optional[AttentionReplace] = None,
             latent: Optional[torch.Tensor] = None, capture_call: Optional[int] = None,
             latent_hw: int = 8, negative_prompt: str = "") -> Dict[str, torch.Tensor]:
    """Returns ids, text embeddings, initial latent, final latents, images in [-1,1] and, when
    capture_call is set, that UNet call's inputs/output (keys call_*). `seed` may be a list: the seeds
    are then batched as [uncond (s0: P0..PE, s1: ...), cond (...)] (controller needs groups=len).
    `negative_prompt` is what the unconditional rows encode (diffusers' `negative_prompt`; "" = none);
    the controller edits only the conditional half, so it never touches them."""
    seeds = [seed] if isinstance(seed, int) else list(seed)
    P, S = len(prompts), len(seeds)
    # 1. Text: [uncond P0..PE, cond P0..PE], uncond = the negative prompt
    ids = torch.tensor([tok.ids(negative_prompt)] * (S * P) + [tok.ids(p) for p in prompts] * S, dtype=torch.long)
    ctx = text(ids)
    # 2. One starting latent from torch's CPU generator, expanded to every prompt (init_noise_sigma=1)
    lat0 = torch.cat([initial_latent(s, latent_hw) for s in seeds]) if latent is None else latent
    x = lat0.repeat_interleave(P, dim=0)
    # 3. Attach the controller
    mods = unet.attention_modules()
    for name, m in mods:
        m.hook = controller.hook_for(name) if controller is not None else None
    sched = PNDMScheduler()
    sched.set_timesteps(steps)
    out: Dict[str, torch.Tensor] = {}
    try:
        # 4. Denoising loop (steps + 1 UNet calls for PNDM)
        for i, t in enumerate(sched.timesteps):
            inp = torch.cat([x, x])
            tt = torch.tensor([float(t)], dtype=torch.float32)
            eps = unet(inp, tt, ctx)
            if capture_call == i:
                out.update(call_sample=inp, call_timestep=tt, call_encoder_hidden_states=ctx, call_out_sample=eps)
            eu, ec = eps.chunk(2)
            x = sched.step(eu + guidance * (ec - eu), t, x)
            if controller is not None:
                x = controller.step_callback(x)
    finally:
        for _, m in mods:
            m.hook = None
    # 5. Decode
    img = decoder(x / scaling)
    out.update(ids=ids, text_embeddings=ctx, initial_latent=lat0, latents=x, images=img)
    return out


def to_uint8(img: torch.Tensor) -> np.ndarray:
    """[B,3,H,W] in [-1,1] -> uint8 [B,H,W,3]."""
    return ((img / 2 + 0.5).clamp(0, 1) * 255).round().to(torch.uint8).permute(0, 2, 3, 1).numpy()
