"""Loads the shipped ONNX VAE decoder's weights back into model.py's Decoder (names as torch.onnx wrote them:
`decoder.*`, except the GroupNorm scales and shifts, which it renamed `onnx::Mul_N` / `onnx::Add_N` in module
order). The training checkpoint is not kept in the repository; this is how tools that need the decoder (the
encoder fit, train_encoder.py) get the exact shipped one. Checked against onnxruntime-node: max |diff| 6e-7."""
from __future__ import annotations

import onnx
import torch
from onnx import numpy_helper

from model import AEConfig, Decoder


def load_decoder(path: str, channels=(16, 32)) -> Decoder:
    graph = onnx.load(path).graph
    inits = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    decoder = Decoder(AEConfig(channels=tuple(channels)))
    state = decoder.state_dict()
    renamed = sorted((k for k in inits if k.startswith("onnx::")), key=lambda k: int(k.rsplit("_", 1)[1]))
    norms = [k for k in state if ".norm" in k or k.startswith("norm_out")]
    if len(renamed) != len(norms):
        raise ValueError(f"{path}: {len(renamed)} renamed initializers for {len(norms)} GroupNorm tensors")
    loaded = {}
    for key, tensor in state.items():
        value = inits[renamed[norms.index(key)]] if key in norms else inits[f"decoder.{key}"]
        if value.size != tensor.numel():
            raise ValueError(f"{path}: {key} has {value.size} values, the Decoder wants {tensor.numel()}")
        loaded[key] = torch.from_numpy(value.copy()).reshape(tensor.shape)
    decoder.load_state_dict(loaded)
    return decoder.eval()
