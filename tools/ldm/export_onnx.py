"""Converts CompVis' LDM text2im (diffusers' LDMTextToImagePipeline, e.g. CompVis/ldm-text2im-large-256) to the ONNX
folder layout the studio and `npm run generate` load.

Why: the original Prompt-to-Prompt code's own LDM notebook runs this model; diffusers has no ONNX export for it.

What it writes (the layout docs/models.md describes; `npm run random-sd -- --pipeline ldm` writes the same with random
weights):
    model_index.json                 _class_name OnnxLDMTextToImagePipeline, tokenizer BertTokenizer
    text_encoder/model.onnx (+ model.onnx_data)   LDM-BERT: int64 input_ids [batch, sequence] -> last_hidden_state
    unet/model.onnx (+ model.onnx_data)           sample, timestep (float32 [1]), encoder_hidden_states -> out_sample
    vae_decoder/model.onnx (+ model.onnx_data)    the KL-f8 first stage's decode: latent_sample -> sample
    */config.json, scheduler/scheduler_config.json (DDIM), tokenizer/ (vocab.txt, tokenizer_config.json)
Every graph keeps its weights in `model.onnx_data` (LDM-BERT and the UNet are each over protobuf's 2 GB in fp32).
The UNet is instrumented for Prompt-to-Prompt when it loads (src/onnx/instrumentUnet.ts), not here.

Run, with diffusers, transformers and torch installed and the pipeline downloaded:
    python tools/ldm/export_onnx.py --model path/to/ldm-text2im-large-256 --out models/ldm-text2im-onnx [--check]
`--check` (needs onnxruntime) runs each graph on CPU against PyTorch on one random input and prints the largest
difference. `--self-test` needs neither diffusers nor weights: it exports small modules of LDM's structure
(tools/random-sd/export_skeletons.py) through the same code, so the export path can be checked on any machine with
torch. This script has not been run on the real weights on the project's machines (no weights reach them).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile

import numpy as np
import torch
import torch.nn as nn

OPSET = 14
SPATIAL = {0: "batch", 2: "height", 3: "width"}


class TextEncoderGraph(nn.Module):
    """LDM-BERT's last hidden state (diffusers' LDMBertModel returns it first)."""

    def __init__(self, bert: nn.Module):
        super().__init__()
        self.bert = bert

    def forward(self, input_ids):
        out = self.bert(input_ids)
        # diffusers' LDMBertModel returns a model output (or a tuple) whose first item is the last hidden state
        return out if isinstance(out, torch.Tensor) else out[0]


class UNetGraph(nn.Module):
    def __init__(self, unet: nn.Module, diffusers_api: bool):
        super().__init__()
        self.unet, self.diffusers_api = unet, diffusers_api

    def forward(self, sample, timestep, encoder_hidden_states):
        if self.diffusers_api:
            return self.unet(sample, timestep, encoder_hidden_states, return_dict=False)[0]
        return self.unet(sample, timestep, encoder_hidden_states)


class VaeDecoderGraph(nn.Module):
    """The first stage's decode of latents already divided by the scaling factor (the pipeline divides)."""

    def __init__(self, vae: nn.Module, diffusers_api: bool):
        super().__init__()
        self.vae, self.diffusers_api = vae, diffusers_api

    def forward(self, latent_sample):
        return self.vae.decode(latent_sample).sample if self.diffusers_api else self.vae(latent_sample)


def export_graph(module: nn.Module, args: tuple, out_dir: str, inputs, outputs, dynamic, opset: int):
    """torch.onnx.export into a temporary folder, then one graph + one `model.onnx_data` in `out_dir`."""
    import onnx

    os.makedirs(out_dir, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.onnx")
        with torch.no_grad():
            torch.onnx.export(module, args, path, input_names=inputs, output_names=outputs, dynamic_axes=dynamic,
                              opset_version=opset, do_constant_folding=True)
        model = onnx.load(path, load_external_data=True)
        onnx.save_model(model, os.path.join(out_dir, "model.onnx"), save_as_external_data=True,
                        all_tensors_to_one_file=True, location="model.onnx_data", size_threshold=1024)


def check_graph(module: nn.Module, args: tuple, out_dir: str, inputs) -> float:
    """Largest |ONNX Runtime − PyTorch| of the first output on `args`."""
    import onnxruntime as ort

    with torch.no_grad():
        ref = module(*args)
    ref = (ref[0] if isinstance(ref, (tuple, list)) else ref).float().numpy()
    session = ort.InferenceSession(os.path.join(out_dir, "model.onnx"), providers=["CPUExecutionProvider"])
    got = session.run(None, {name: a.numpy() for name, a in zip(inputs, args)})[0]
    return float(np.abs(got.astype(np.float32) - ref).max())


def export_pipeline(bert, unet, vae, *, diffusers_api: bool, hidden: int, vocab_size: int, latent: int,
                    out: str, opset: int = OPSET, check: bool = False) -> dict:
    """The three graphs of an LDM text2im pipeline into `out` (configs and tokenizer are the caller's)."""
    torch.manual_seed(0)
    ids = torch.randint(0, vocab_size, (2, 77), dtype=torch.int64)
    graphs = {
        "text_encoder": (TextEncoderGraph(bert), (ids,), ["input_ids"], ["last_hidden_state"],
                         {"input_ids": {0: "batch", 1: "sequence"}, "last_hidden_state": {0: "batch", 1: "sequence"}}),
        "unet": (UNetGraph(unet, diffusers_api),
                 (torch.randn(2, 4, latent, latent), torch.tensor([981.0]), torch.randn(2, 77, hidden)),
                 ["sample", "timestep", "encoder_hidden_states"], ["out_sample"],
                 {"sample": SPATIAL, "timestep": {0: "steps"}, "encoder_hidden_states": {0: "batch", 1: "sequence"},
                  "out_sample": SPATIAL}),
        "vae_decoder": (VaeDecoderGraph(vae, diffusers_api), (torch.randn(1, 4, latent, latent),), ["latent_sample"], ["sample"],
                        {"latent_sample": SPATIAL, "sample": SPATIAL}),
    }
    report = {}
    for name, (module, args, inputs, outputs, dynamic) in graphs.items():
        module.eval()
        target = os.path.join(out, name)
        export_graph(module, args, target, inputs, outputs, dynamic, opset)
        report[name] = {"max_abs_diff": check_graph(module, args, target, inputs)} if check else {}
        print(name, report[name] or "exported", flush=True)
    return report


def write_json(path: str, obj: dict):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as fh:
        json.dump(obj, fh, indent=2)
        fh.write("\n")


MODEL_INDEX = {
    "_class_name": "OnnxLDMTextToImagePipeline",
    "scheduler": ["diffusers", "DDIMScheduler"],
    "text_encoder": ["diffusers", "OnnxRuntimeModel"],
    "tokenizer": ["transformers", "BertTokenizer"],
    "unet": ["diffusers", "OnnxRuntimeModel"],
    "vae_decoder": ["diffusers", "OnnxRuntimeModel"],
}


def export_diffusers(model: str, out: str, opset: int, check: bool):
    from diffusers import LDMTextToImagePipeline  # imported here: --self-test runs without diffusers

    pipe = LDMTextToImagePipeline.from_pretrained(model)
    bert_cfg = pipe.bert.config
    report = export_pipeline(pipe.bert, pipe.unet, pipe.vqvae, diffusers_api=True,
                             hidden=bert_cfg.d_model, vocab_size=bert_cfg.vocab_size,
                             latent=pipe.unet.config.sample_size, out=out, opset=opset, check=check)
    pipe.tokenizer.save_pretrained(os.path.join(out, "tokenizer"))
    pipe.scheduler.save_pretrained(os.path.join(out, "scheduler"))
    pipe.unet.save_config(os.path.join(out, "unet"))
    pipe.vqvae.save_config(os.path.join(out, "vae_decoder"))
    bert_cfg.to_json_file(os.path.join(out, "text_encoder", "config.json"))
    write_json(os.path.join(out, "model_index.json"), {**MODEL_INDEX, "_source": model})
    return report


def self_test(out: str, opset: int, check: bool):
    """LDM's structure at small widths (tools/random-sd/export_skeletons.py) through the same export code."""
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, os.path.join(here, "..", "random-sd"))
    import export_skeletons as sk  # noqa: E402

    s = sk.SCALES["ldm-mini"]
    torch.manual_seed(0)
    bert, unet, vae = sk.LdmBertTextEncoder(s["text"]), sk.toy.UNet2DConditionModel(s["unet"]), sk.VaeDecoder(s["vae"])
    report = export_pipeline(bert, unet, vae, diffusers_api=False, hidden=s["text"].dim,
                             vocab_size=s["text"].vocab_size, latent=s["sample_size"], out=out, opset=opset,
                             check=check)
    write_json(os.path.join(out, "model_index.json"), {**MODEL_INDEX, "_source": "self-test"})
    return report


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", help="a diffusers LDMTextToImagePipeline folder (or Hub id, if diffusers may download)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--opset", type=int, default=OPSET)
    ap.add_argument("--check", action="store_true", help="compare each graph with PyTorch on ONNX Runtime (CPU)")
    ap.add_argument("--self-test", action="store_true", help="export small random modules of LDM's structure")
    a = ap.parse_args()
    if os.path.exists(a.out) and os.listdir(a.out):
        sys.exit(f"{a.out} is not empty; choose a new folder")
    if a.self_test:
        report = self_test(a.out, a.opset, a.check)
    elif a.model:
        report = export_diffusers(a.model, a.out, a.opset, a.check)
    else:
        sys.exit("--model or --self-test is required")
    write_json(os.path.join(a.out, "export_report.json"), {"opset": a.opset, "torch": torch.__version__, **report})
    shutil.copy(os.path.abspath(__file__), os.path.join(a.out, "export_onnx.py"))


if __name__ == "__main__":
    main()
