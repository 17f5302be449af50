"""PyTorch side of `npm run bench` (scripts/bench.ts): timing of the reference pipeline, and the SD 1.5-sized
random-weight UNet export (fp16) that `npm run bench -- --gpu` runs through onnxruntime.

  /usr/bin/python3 tools/toy-model/bench_torch.py serve [--ckpt runs/toy-shapes-v13/ckpt.pt] [--threads 2]
      Loads the trained toy model, prints one JSON line {"ready": ...}, then answers each stdin line
      "edit" (source + 1 word swap, P2P controller) or "plain" (same batch, no controller) with
      {"ms": wall time of one full generation}; "quit" ends. bench.ts interleaves these requests with
      its onnxruntime runs, so both are measured side by side on the same CPU.
  /usr/bin/python3 tools/toy-model/bench_torch.py export-sd15 --out DIR [--latent 64] [--fp32] [--toy]
      A random-weight UNet2DConditionModel with SD 1.5's configuration (model.sd15_unet_config(),
      859,520,964 parameters; --toy: the toy model's UNet instead, for a quick check), exported with
      torch.onnx (opset 14, dynamic batch), converted to fp16 (unless --fp32) with the weights in one
      external file: DIR/unet/model.onnx + DIR/unet/weights.pb + DIR/unet/config.json.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

PROMPTS = ["a red circle", "a red square"]


# --------------------------------------------------------------------------------------------------
# serve: timing of the PyTorch reference pipeline (pipeline.py), one request per stdin line
# --------------------------------------------------------------------------------------------------
def _load(ckpt: str):
    from train import load_trained
    for attempt in range(5):  # the checkpoint may be rewritten by a training run while we read it
        try:
            return load_trained(ckpt)
        except Exception:  # noqa: BLE001 - any read failure: retry, then re-raise
            if attempt == 4:
                raise
            time.sleep(3)


def serve(a) -> None:
    from pipeline import AttentionReplace, generate
    from train import latent_size
    torch.set_num_threads(a.threads)
    cfg, tok, ae, text, unet, scaling = _load(a.ckpt)
    latent_hw = latent_size(cfg)
    n_layers = len(unet.attention_modules())

    def run(edit: bool) -> float:
        t0 = time.perf_counter()
        ctrl = AttentionReplace(PROMPTS, tok, a.steps, 0.8, 0.4, a.self_max_query, n_layers) if edit else None
        generate(unet, text, ae.decoder, scaling, tok, PROMPTS, a.seed, a.steps, 7.5, ctrl, latent_hw=latent_hw)
        return (time.perf_counter() - t0) * 1000.0

    for _ in range(a.warmup):
        run(True)
        run(False)
    info = dict(ready=True, torch=torch.__version__, threads=torch.get_num_threads(), ckpt=a.ckpt,
                steps=a.steps, prompts=PROMPTS, unet_params=sum(p.numel() for p in unet.parameters()))
    print(json.dumps(info), flush=True)
    for line in sys.stdin:
        cmd = line.strip()
        if cmd == "quit":
            break
        if cmd in ("edit", "plain"):
            print(json.dumps(dict(ms=run(cmd == "edit"))), flush=True)
        else:
            print(json.dumps(dict(error=f"unknown command {cmd!r}")), flush=True)


# --------------------------------------------------------------------------------------------------
# export-sd15: random-weight SD 1.5-sized UNet, fp16, external weights
# --------------------------------------------------------------------------------------------------
def to_fp16(model) -> None:
    """fp32 -> fp16 in place: initializers, Constant/ConstantOfShape values, Cast targets, graph I/O.
    Resize's roi/scales stay fp32 (the op requires it)."""
    import onnx
    from onnx import TensorProto, numpy_helper
    g = model.graph
    keep32 = {n.input[i] for n in g.node if n.op_type == "Resize" for i in (1, 2) if len(n.input) > i and n.input[i]}

    def half(t):
        return numpy_helper.from_array(numpy_helper.to_array(t).astype(np.float16), t.name)

    for i, init in enumerate(g.initializer):
        if init.data_type == TensorProto.FLOAT and init.name not in keep32:
            g.initializer[i].CopyFrom(half(init))
    for n in g.node:
        for attr in n.attribute:
            if n.op_type in ("Constant", "ConstantOfShape") and attr.name == "value" \
                    and attr.t.data_type == TensorProto.FLOAT and n.output[0] not in keep32:
                attr.t.CopyFrom(half(attr.t))
            if n.op_type == "Cast" and attr.name == "to" and attr.i == TensorProto.FLOAT:
                attr.i = TensorProto.FLOAT16
    for v in list(g.input) + list(g.output):
        if v.type.tensor_type.elem_type == TensorProto.FLOAT:
            v.type.tensor_type.elem_type = TensorProto.FLOAT16
    del g.value_info[:]
    onnx.shape_inference.infer_shapes(model, strict_mode=True)  # raises on any fp16/fp32 mix left


def export_sd15(a) -> None:
    import onnx
    from model import UNet2DConditionModel, count_params, sd15_unet_config
    from train import TrainConfig, unet_config
    torch.manual_seed(0)
    cfg = unet_config(TrainConfig()) if a.toy else sd15_unet_config()
    unet = UNet2DConditionModel(cfg).eval()
    params = count_params(unet)
    out_dir = os.path.join(a.out, "unet")
    os.makedirs(out_dir, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="sd15-export-")
    t0 = time.time()
    try:
        L = a.latent
        args = (torch.randn(1, 4, L, L), torch.tensor([981.0]), torch.randn(1, 77, cfg.cross_attention_dim))
        with torch.no_grad():
            torch.onnx.export(unet, args, os.path.join(tmp, "model.onnx"), opset_version=14, do_constant_folding=True,
                              input_names=["sample", "timestep", "encoder_hidden_states"], output_names=["out_sample"],
                              dynamic_axes={"sample": {0: "batch"}, "encoder_hidden_states": {0: "batch"},
                                            "out_sample": {0: "batch"}})
        del unet
        print(f"exported fp32 in {time.time() - t0:.0f}s", file=sys.stderr, flush=True)
        model = onnx.load(os.path.join(tmp, "model.onnx"))  # external data (if > 2 GB) loaded from tmp
        if not a.fp32:
            to_fp16(model)
        for f in ("model.onnx", "weights.pb"):
            if os.path.exists(os.path.join(out_dir, f)):
                os.remove(os.path.join(out_dir, f))
        onnx.save_model(model, os.path.join(out_dir, "model.onnx"), save_as_external_data=True,
                        all_tensors_to_one_file=True, location="weights.pb", size_threshold=1024)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    config = dict(_class_name="UNet2DConditionModel", sample_size=a.latent, in_channels=4, out_channels=4,
                  block_out_channels=list(cfg.block_out_channels), layers_per_block=cfg.layers_per_block,
                  attention_head_dim=cfg.num_heads, cross_attention_dim=cfg.cross_attention_dim,
                  num_parameters=params, dtype="float32" if a.fp32 else "float16", toy=a.toy,
                  note="random weights (torch.manual_seed(0)); timing only")
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    print(json.dumps(dict(out=out_dir, params=params, dtype=config["dtype"], seconds=round(time.time() - t0, 1))), flush=True)


def main() -> None:
    from train import shipped_ckpt
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--ckpt", default=shipped_ckpt())
    s.add_argument("--threads", type=int, default=2)
    s.add_argument("--steps", type=int, default=20)
    s.add_argument("--seed", type=int, default=8888)
    s.add_argument("--self-max-query", type=int, default=64)
    s.add_argument("--warmup", type=int, default=1)
    e = sub.add_parser("export-sd15")
    e.add_argument("--out", required=True)
    e.add_argument("--latent", type=int, default=64)
    e.add_argument("--fp32", action="store_true")
    e.add_argument("--toy", action="store_true")
    a = ap.parse_args()
    torch.set_grad_enabled(False)
    serve(a) if a.cmd == "serve" else export_sd15(a)


if __name__ == "__main__":
    main()
