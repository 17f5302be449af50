"""onnxruntime's transformers optimizer on the mini SD-structured UNet, for the exporter-pattern corpus: the ORT-optimised
fp16 UNets that Olive and onnxruntime's Stable Diffusion demo ship. Runs on this project's CPU machines (Debian torch
1.13, onnx 1.12, no onnxruntime Python package) as well as on the GPU machine:

  /usr/bin/python3 tools/device/ort_optimize.py --ort-tools DIR --out tests/fixtures/exports/real-exporters

DIR is onnxruntime/python/tools/transformers of a checkout of microsoft/onnxruntime (its pure-Python fusions; the
2026-12-06 corpus used a 2025-09 snapshot, 1.23 development). The UNet (diffusers_forward.py, classic baddbmm
attention as diffusers wrote it in the torch 1.13 era) is exported by TorchScript at opset 14, then optimised with
model_type="unet", opt_level=0, use_gpu=True, num_heads=0 (deduced), as optimize_pipeline.py in that folder does:
  ort-unet-fp16        every fusion the optimizer enables for a UNet (packed QKV/KV MultiHeadAttention, NhwcConv,
                       GroupNorm, SkipGroupNorm, SkipLayerNormalization, BiasSplitGelu, BiasAdd), then float16
  ort-attention-fp16   attention and LayerNorm fusion only (self-attention becomes com.microsoft.Attention with
                       packed weights, cross-attention MultiHeadAttention), then float16
  baddbmm-torch113-op14  the optimizer's input itself, fp32 (torch 1.13's TorchScript export of the classic processor)
Each result is stripped (strip.py: weights → fill.json) into OUT/NAME (model.onnx.gz) and merged into OUT/strip.json."""
import argparse, gzip, json, os, shutil, sys, tempfile, types

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def import_optimizer(tools):
    try:
        import onnxruntime  # noqa: F401  (the real package, where installed)
    except ImportError:
        # The optimizer imports onnxruntime at module level; with opt_level=0 it never creates a session.
        shim = types.ModuleType("onnxruntime")
        shim.__version__ = "1.23.0"
        shim.get_available_providers = lambda: ["CPUExecutionProvider"]
        class Unavailable:
            def __init__(self, *a, **k):
                raise RuntimeError("no onnxruntime Python package here")
        shim.InferenceSession = shim.SessionOptions = shim.OrtValue = Unavailable
        sys.modules["onnxruntime"] = shim
    import numpy as np
    import onnx, onnx.mapping
    if not hasattr(onnx.helper, "tensor_dtype_to_np_dtype"):  # onnx 1.12 (Debian) predates these helpers
        onnx.helper.tensor_dtype_to_np_dtype = lambda t: onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[t]
        onnx.helper.np_dtype_to_tensor_dtype = lambda d: onnx.mapping.NP_TYPE_TO_TENSOR_TYPE[np.dtype(d)]
    sys.path.insert(0, tools)
    from optimizer import optimize_model
    from fusion_options import FusionOptions
    import fusion_attention_unet
    heads = fusion_attention_unet.FusionAttentionUnet.get_num_heads
    def get_num_heads(self, *args, **kwargs):
        try:
            return heads(self, *args, **kwargs)
        except TypeError:  # numpy 2 refuses int() of a shape-[1] array (onnxruntime ≤ 1.30); the mini UNet has 8
            return 8
    fusion_attention_unet.FusionAttentionUnet.get_num_heads = get_num_heads
    return optimize_model, FusionOptions


def export(path):
    import torch
    sys.path.insert(0, os.path.join(ROOT, "tools/toy-model"))
    import model as M
    from diffusers_forward import build_mini_unet
    unet = build_mini_unet(M, "baddbmm")
    torch.manual_seed(0)
    args = (torch.randn(2, 4, 8, 8), torch.tensor([981.0]), torch.randn(2, 77, 768))
    dyn = {"sample": {0: "batch", 2: "height", 3: "width"}, "encoder_hidden_states": {0: "batch"},
           "out_sample": {0: "batch", 2: "height", 3: "width"}}
    with torch.no_grad():
        torch.onnx.export(unet, args, path, opset_version=14, do_constant_folding=True, dynamic_axes=dyn,
                          input_names=["sample", "timestep", "encoder_hidden_states"], output_names=["out_sample"])
    return torch.__version__


def write_config(d, name):
    json.dump(dict(_class_name="UNet2DConditionModel", sample_size=8, in_channels=4, out_channels=4,
                   block_out_channels=[32, 64, 64, 64], layers_per_block=2, attention_head_dim=8,
                   cross_attention_dim=768, exporter=name, note="random weights; graph-pattern fixture"),
              open(os.path.join(d, "config.json"), "w"), indent=1)


def gzip_graph(d):
    with open(os.path.join(d, "model.onnx"), "rb") as f, gzip.open(os.path.join(d, "model.onnx.gz"), "wb", 9) as g:
        g.write(f.read())
    os.remove(os.path.join(d, "model.onnx"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ort-tools", required=True, help="onnxruntime/python/tools/transformers of an onnxruntime checkout")
    ap.add_argument("--ort-source", default="", help="where --ort-tools came from (recorded in ort-optimize.json)")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    sys.path.insert(0, HERE)
    optimize_model, FusionOptions = import_optimizer(os.path.abspath(a.ort_tools))
    from strip import strip_model
    work = tempfile.mkdtemp(prefix="ort-optimize-")
    src = os.path.join(work, "model.onnx")
    torch_version = export(src)
    log = {"torch": torch_version, "ort_tools": a.ort_source or os.path.abspath(a.ort_tools)}
    strip_json = os.path.join(a.out, "strip.json")
    summary = {}
    if os.path.exists(strip_json):
        with open(strip_json) as f:
            summary = json.load(f)
    for name, attention_only in (("ort-unet-fp16", False), ("ort-attention-fp16", True)):
        opts = FusionOptions("unet")
        if attention_only:
            for k in list(vars(opts)):
                if k.startswith("enable_") and k not in ("enable_attention", "enable_layer_norm"):
                    setattr(opts, k, False)
        m = optimize_model(src, model_type="unet", num_heads=0, hidden_size=0, optimization_options=opts,
                           opt_level=0, use_gpu=True)
        m.convert_float_to_float16(keep_io_types=False)
        d = os.path.join(a.out, name)
        os.makedirs(d, exist_ok=True)
        m.save_model_to_file(os.path.join(d, "model.onnx"))
        ops = {}
        for n in m.model.graph.node:
            ops[n.op_type] = ops.get(n.op_type, 0) + 1
        json.dump(ops, open(os.path.join(d, "ops.json"), "w"), indent=1)
        write_config(d, name)
        summary[name] = strip_model(d)
        gzip_graph(d)
        log[name] = {"ops": ops}
        print(name, json.dumps(ops), flush=True)
    # The optimizer's input too: torch 1.13's TorchScript export of the classic processor.
    d = os.path.join(a.out, "baddbmm-torch113-op14")
    os.makedirs(d, exist_ok=True)
    shutil.copy(src, os.path.join(d, "model.onnx"))
    write_config(d, "baddbmm-torch113-op14")
    summary["baddbmm-torch113-op14"] = strip_model(d)
    gzip_graph(d)
    with open(strip_json, "w") as f:
        json.dump(summary, f, indent=1)
    with open(os.path.join(a.out, "ort-optimize.json"), "w") as f:
        json.dump(log, f, indent=1)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
