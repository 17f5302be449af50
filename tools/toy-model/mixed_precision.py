"""bf16 autocast for training on CPU as well as CUDA.

On a CPU with bf16 instructions (AVX512-BF16 or AMX: this machine's EPYC has them) oneDNN's bf16 matrix products
run ~3.6x faster than fp32 (a 16384x192 @ 192x768 product: 383 vs 105 GFLOPS on 2 threads), and a whole toy-emoji
training step ~3.3x faster (bench_precision.py prints the ratio). torch 1.13's CPU autocast
hands bf16 activations to GroupNorm with fp32 weights and fails, so `fp32_norms` makes every norm layer of a model
compute in fp32 and return the input's dtype (as CUDA autocast does). Only the training instances are patched;
state dicts, export and inference are unchanged.
"""
from __future__ import annotations

import contextlib
import types

import torch
import torch.nn as nn
import torch.nn.functional as F


def cpu_has_bf16() -> bool:
    """True when /proc/cpuinfo lists a bf16 instruction set (without one, bf16 is emulated and slower)."""
    try:
        flags = open("/proc/cpuinfo").read()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def _group_norm_fp32(self: nn.GroupNorm, x: torch.Tensor) -> torch.Tensor:
    return F.group_norm(x.float(), self.num_groups, self.weight, self.bias, self.eps).to(x.dtype)


def _layer_norm_fp32(self: nn.LayerNorm, x: torch.Tensor) -> torch.Tensor:
    return F.layer_norm(x.float(), self.normalized_shape, self.weight, self.bias, self.eps).to(x.dtype)


def fp32_norms(*models: nn.Module) -> None:
    """Patch the GroupNorm / LayerNorm instances of `models` to compute in fp32 under autocast."""
    for model in models:
        for m in model.modules():
            if isinstance(m, nn.GroupNorm):
                m.forward = types.MethodType(_group_norm_fp32, m)
            elif isinstance(m, nn.LayerNorm):
                m.forward = types.MethodType(_layer_norm_fp32, m)


def autocast_factory(device: torch.device, bf16: bool):
    """A zero-argument function returning the autocast context to train under (a no-op one when not bf16)."""
    if not bf16:
        return contextlib.nullcontext
    return lambda: torch.autocast(device.type, dtype=torch.bfloat16)
