"""The mini SD-structured UNet of tools/toy-model/model.py, with the forward passes written the way diffusers writes
them, so that its exports carry the same graph patterns as a real SD 1.x export:
  - attention as diffusers' processors compute it: `sdpa` (AttnProcessor2_0, F.scaled_dot_product_attention, torch 2)
    or `baddbmm` (the classic AttnProcessor: head_to_batch_dim, baddbmm(empty, q, kᵀ, beta=0, alpha=scale), bmm);
  - ResnetBlock2D returns (input + hidden) / output_scale_factor (a Div by 1.0 in the graph);
  - the UNet expands the timestep to the batch (`timesteps.expand(sample.shape[0])`), so the time embedding has the
    batch dimension; the toy model broadcasts a [1] embedding instead, which onnxruntime's SkipGroupNorm fusion
    mishandles (it drops a Transpose when the Add's two shapes differ in batch: "Graph is not a DAG").
`build_mini_unet(style)` returns the module in eval mode with seeded random weights; `STYLE[0]` switches attention."""
import torch
import torch.nn.functional as F

STYLE = ["sdpa"]
BLOCKS = (32, 64, 64, 64)


def _attention(self, x, context=None):
    b, n, c = x.shape
    ctx = x if context is None else context
    q, k, v = self.to_q(x), self.to_k(ctx), self.to_v(ctx)
    if STYLE[0] == "sdpa":  # diffusers AttnProcessor2_0
        hd = c // self.heads
        q = q.view(b, -1, self.heads, hd).transpose(1, 2)
        k = k.view(b, -1, self.heads, hd).transpose(1, 2)
        v = v.view(b, -1, self.heads, hd).transpose(1, 2)
        o = F.scaled_dot_product_attention(q, k, v, attn_mask=None, dropout_p=0.0, is_causal=False)
        o = o.transpose(1, 2).reshape(b, -1, self.heads * hd)
    else:  # diffusers AttnProcessor: head_to_batch_dim + get_attention_scores (baddbmm) + bmm + batch_to_head_dim
        q, k, v = self._heads_to_batch(q), self._heads_to_batch(k), self._heads_to_batch(v)
        empty = torch.empty(q.shape[0], q.shape[1], k.shape[1], dtype=q.dtype, device=q.device)
        probs = torch.baddbmm(empty, q, k.transpose(-1, -2), beta=0, alpha=self.scale).softmax(dim=-1)
        o = torch.bmm(probs, v)
        o = o.reshape(b, self.heads, n, -1).permute(0, 2, 1, 3).reshape(b, n, c)
    return self.to_out[1](self.to_out[0](o))


def build_mini_unet(M, style="sdpa", seed=0):
    """M: the imported tools/toy-model/model.py module."""
    STYLE[0] = style
    M.Attention.forward = _attention
    toy_resnet = M.ResnetBlock2D.forward
    if not getattr(toy_resnet, "_diffusers", False):
        def resnet(self, x, temb):  # the toy's (input + hidden), then / output_scale_factor (1.0) as diffusers does
            return toy_resnet(self, x, temb) / 1.0
        resnet._diffusers = True
        M.ResnetBlock2D.forward = resnet
    toy_forward = M.UNet2DConditionModel.forward
    if not getattr(toy_forward, "_diffusers", False):
        def forward(self, sample, timestep, encoder_hidden_states):
            return toy_forward(self, sample, timestep.reshape(-1).expand(sample.shape[0]), encoder_hidden_states)
        forward._diffusers = True
        M.UNet2DConditionModel.forward = forward
    torch.manual_seed(seed)
    return M.UNet2DConditionModel(M.UNetConfig(block_out_channels=BLOCKS)).eval()
