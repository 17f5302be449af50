"""Native PyTorch anchor for the compass: SD 1.5-architecture UNet (random weights, exact config),
fp16 on CUDA, 64x64 latents. Times one UNet call for: plain SDPA batch 2 (one prompt + CFG), plain SDPA
batch 4 (two prompts), classic materialised attention batch 4 (what P2P hooks force), and classic +
an AttentionReplace/AttentionStore hook in the style of google/prompt-to-prompt (cross: einsum with a
mapper + alpha blend; self: base copy for <=16x16; store of maps <=32x32)."""
import json, os, sys, time
import torch
import torch.nn.functional as F
sys.path.insert(0, os.environ.get("MODEL_PY_DIR", "tools/toy-model"))
import model as M

dev = "cuda" if torch.cuda.is_available() else "cpu"
small = dev == "cpu"
cfg = M.UNetConfig(block_out_channels=(32, 64, 64, 64)) if small else M.sd15_unet_config()
lat = 8 if small else 64
dt = torch.float32 if small else torch.float16
unet = M.UNet2DConditionModel(cfg).to(dev, dt).eval()
unet.time_proj.register_forward_hook(lambda m, i, o: o.to(dt))  # the sinusoid is computed in float32
print("params", M.count_params(unet), flush=True)

SDPA = [True]
STORE = {}
HOOK = [None]


def fwd(self, x, context=None):
    b, n, c = x.shape
    ctx = x if context is None else context
    q = self._heads_to_batch(self.to_q(x)); k = self._heads_to_batch(self.to_k(ctx)); v = self._heads_to_batch(self.to_v(ctx))
    if SDPA[0] and HOOK[0] is None and hasattr(F, 'scaled_dot_product_attention'):
        out = F.scaled_dot_product_attention(q.unsqueeze(0), k.unsqueeze(0), v.unsqueeze(0)).squeeze(0)
    else:
        probs = (torch.bmm(q, k.transpose(1, 2)) * self.scale).softmax(dim=-1)
        if HOOK[0] is not None:
            probs = HOOK[0](probs, self.is_cross, self.heads)
        out = torch.bmm(probs, v)
    out = out.reshape(b, self.heads, n, -1).permute(0, 2, 1, 3).reshape(b, n, c)
    return self.to_out[1](self.to_out[0](out))


M.Attention.forward = fwd
mapper = torch.eye(77, device=dev, dtype=dt).unsqueeze(0)  # [1 edit prompt, 77, 77]
alpha = torch.ones(1, 1, 1, 77, device=dev, dtype=dt)


def p2p_hook(attn, is_cross, heads):
    bh, n, w = attn.shape
    if n <= 32 ** 2:  # AttentionStore.forward keeps maps up to 32x32
        STORE.setdefault(is_cross, []).append(attn)
    h = bh // 2  # [uncond | cond]; P2P edits the cond half only
    a = attn[h:].reshape(2, heads, n, w)  # 2 prompts
    base, repl = a[0], a[1:]
    if is_cross:
        new = torch.einsum("hpw,bwn->bhpn", base, mapper)
        a[1:] = new * alpha + (1 - alpha) * repl
    elif n <= 16 ** 2:
        a[1:] = base.unsqueeze(0).expand_as(repl)
    attn[h:] = a.reshape(2 * heads, n, w)
    return attn


def timeit(batch, sdpa, hook, iters):
    SDPA[0] = sdpa; HOOK[0] = hook
    x = torch.randn(batch, 4, lat, lat, device=dev, dtype=dt)
    t = torch.tensor([500.0], device=dev)
    c = torch.randn(batch, 77, 768, device=dev, dtype=dt)
    with torch.inference_mode():
        for _ in range(3):
            unet(x, t, c); STORE.clear()
        if dev == "cuda":
            torch.cuda.synchronize(); torch.cuda.reset_peak_memory_stats()
        t0 = time.perf_counter()
        for _ in range(iters):
            unet(x, t, c)
            STORE.clear()  # between_steps: the sum over steps is a few adds, negligible
        if dev == "cuda":
            torch.cuda.synchronize()
        ms = (time.perf_counter() - t0) * 1000 / iters
    peak = torch.cuda.max_memory_allocated() / 2**30 if dev == "cuda" else 0
    return {"batch": batch, "sdpa": sdpa, "hook": hook is not None, "ms_per_call": round(ms, 2), "peak_gib": round(peak, 2)}


iters = 3 if small else 30
res = []
for batch, sdpa, hook in [(2, True, None), (4, True, None), (4, False, None), (4, False, p2p_hook), (8, True, None)]:
    r = timeit(batch, sdpa, hook, iters)
    r["edit_s_51_calls"] = round(r["ms_per_call"] * 51 / 1000, 3)
    print(json.dumps(r), flush=True)
    res.append(r)
info = {"device": torch.cuda.get_device_name() if dev == "cuda" else "cpu", "torch": torch.__version__, "results": res}
out = os.environ.get("OUT")
if out:
    json.dump(info, open(os.path.join(out, "anchor.json"), "w"), indent=1)
print(json.dumps(info))
