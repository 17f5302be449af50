"""Token grounding: a training term that makes each noun's cross-attention map cover its own object.

Prompt-to-Prompt moves a layout by injecting the source prompt's cross-attention maps; a model whose noun maps are
diffuse (REPORT-emoji §5: 1.4-2.6x a uniform map's mass on the object) gives it little to inject. The world knows
where every object is, so the UNet can be told: for each noun token and each recorded cross-attention layer, the
share of the token's attention mass (summed over the pixels, averaged over heads) that falls outside the noun's
object mask is penalised, (1 - inside / total)^2 -- the token-level loss of TokenCompose (Wang et al., CVPR 2024),
written here for our UNet's attention hook. Pure PyTorch; used by train_emoji.py (`--grounding WEIGHT`).
"""
from typing import List, Sequence, Tuple

import torch
import torch.nn.functional as F

from emoji_world import Scene

SLOTS = 2  # objects per picture the term looks at (the world draws one or two)


def noun_slots(caption: str, scene: Scene) -> List[Tuple[int, int]]:
    """(token position, layer index) of each drawn object's noun in `caption` ([BOS] is position 0; every world
    word is one token). A pair's two nouns always differ (emoji_world.pair_nouns), so each noun's first occurrence
    is its own word."""
    words = caption.split()
    out = []
    for k, layer in enumerate(scene.layers[:SLOTS]):
        if layer.name in words:
            out.append((words.index(layer.name) + 1, k))
    return out


def slot_tensors(captions: Sequence[str], scenes: Sequence[Scene], cover: torch.Tensor, side: int):
    """Token positions [n, SLOTS] (-1: empty slot) and object masks [n, SLOTS, side, side] (area-pooled alpha)."""
    n = len(captions)
    pos = torch.full((n, SLOTS), -1, dtype=torch.long)
    masks = torch.zeros(n, SLOTS, side, side, device=cover.device)
    pooled = F.adaptive_avg_pool2d(cover, side)
    for i, (cap, scene) in enumerate(zip(captions, scenes)):
        for j, (p, k) in enumerate(noun_slots(cap, scene)):
            pos[i, j] = p
            masks[i, j] = pooled[i, k]
    return pos.to(cover.device), masks


class Recorder:
    """Keeps the cross-attention probabilities of the UNet's layers with at least `min_queries` queries, during
    forward passes that track gradients (the training pass, not the guidance-consistency one)."""

    def __init__(self, unet: torch.nn.Module, min_queries: int = 64):
        self.min_queries, self.maps = min_queries, []
        self.layers = [m for m in unet.modules() if getattr(m, "is_cross", False) and hasattr(m, "hook")]
        for m in self.layers:
            m.hook = self._keep(m.heads)

    def _keep(self, heads: int):
        def hook(probs, is_cross, place):
            if torch.is_grad_enabled() and probs.shape[1] >= self.min_queries:  # only cross layers carry this hook
                self.maps.append(probs.view(-1, heads, *probs.shape[1:]).mean(1))  # [B, Q, K]
            return probs
        return hook

    def take(self) -> List[torch.Tensor]:
        maps, self.maps = self.maps, []
        return maps

    def remove(self):
        for m in self.layers:
            m.hook = None


def grounding_loss(maps: List[torch.Tensor], pos: torch.Tensor, masks: torch.Tensor,
                   keep: torch.Tensor) -> torch.Tensor:
    """Mean over layers, pictures in `keep` and filled slots of (1 - mass inside the mask / total mass)^2.
    maps: [B, Q, K] per layer; pos [B, SLOTS]; masks [B, SLOTS, S, S] at the largest layer's side; keep [B] bool."""
    valid = (pos >= 0) & keep[:, None]
    if not maps or not valid.any():
        return maps[0].new_zeros(()) if maps else torch.zeros(())
    terms, pooled = [], {}
    for m in maps:
        side = int(round(m.shape[1] ** 0.5))
        if side not in pooled:  # several layers share a side: pool the masks once per side
            pooled[side] = F.adaptive_avg_pool2d(masks.float(), side).flatten(2)  # [B, SLOTS, Q]
        mk = pooled[side]
        tok = torch.gather(m, 2, pos.clamp(min=0)[:, None, :].expand(-1, m.shape[1], -1))  # [B, Q, SLOTS]
        tok = tok.transpose(1, 2)                                            # [B, SLOTS, Q]
        inside = (tok * mk).sum(-1) / tok.sum(-1).clamp(min=1e-8)
        terms.append(((1 - inside) ** 2)[valid])
    return torch.cat(terms).mean()
