"""Graphs as today's real exporters write them, for the instrumentation corpus: a mini UNet with SD 1.5's structure
and diffusers' module names (block widths 32/64/64/64, cross_attention_dim 768, 8 heads), random weights, exported
with torch 2.x's own exporters, the forward passes written as diffusers writes them (diffusers_forward.py):
  sdpa-ts-op14 / sdpa-ts-op17  AttnProcessor2_0 (F.scaled_dot_product_attention), TorchScript exporter
  baddbmm-ts-op14              the classic AttnProcessor (baddbmm with beta 0, alpha = scale)
  sdpa-dynamo-op18             the dynamo exporter (torch.onnx.export(dynamo=True))
  sdpa-ts-op14-fp16-onnx_data  fp16, weights in model.onnx_data (optimum's file name)
  ort-unet-fp16                onnxruntime.transformers optimizer, model_type unet, fp16 (packed MultiHeadAttention,
                               GroupNorm/BiasSplitGelu/... contrib ops as in Olive's SD exports)
  ort-mha-only-fp16            the same optimizer with only attention fusion enabled
  clip-text-encoder            transformers' CLIPTextModel (tiny config), int32 input_ids, as diffusers' script exports it
Each goes to OUTDIR/NAME/model.onnx (+ config.json); failures are recorded in OUTDIR/corpus.json, not fatal."""
import json, os, sys, time, traceback
import torch
sys.path.insert(0, os.environ.get("MODEL_PY_DIR", "tools/toy-model"))
import model as M

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from diffusers_forward import STYLE, build_mini_unet

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
unet = build_mini_unet(M, "sdpa")
cfg = M.UNetConfig(block_out_channels=(32, 64, 64, 64))
L = 8
torch.manual_seed(0)
args = (torch.randn(2, 4, L, L), torch.tensor([981.0]), torch.randn(2, 77, 768))
names = dict(input_names=["sample", "timestep", "encoder_hidden_states"], output_names=["out_sample"])
dyn = {"sample": {0: "batch", 2: "height", 3: "width"}, "encoder_hidden_states": {0: "batch"}, "out_sample": {0: "batch", 2: "height", 3: "width"}}
report = {"torch": torch.__version__}


def config(d, **kw):
    c = dict(_class_name="UNet2DConditionModel", sample_size=L, in_channels=4, out_channels=4,
             block_out_channels=list(cfg.block_out_channels), layers_per_block=2, attention_head_dim=8,
             cross_attention_dim=768, note="random weights; graph-pattern fixture", **kw)
    json.dump(c, open(os.path.join(d, "config.json"), "w"), indent=1)


def step(name, fn):
    t0 = time.time()
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    try:
        fn(d)
        config(d, exporter=name)
        report[name] = {"ok": True, "s": round(time.time() - t0, 1), "bytes": sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d))}
    except Exception as e:  # noqa: BLE001
        report[name] = {"ok": False, "error": traceback.format_exc()[-1500:]}
    print(name, json.dumps(report[name])[:300], flush=True)
    json.dump(report, open(os.path.join(out, "corpus.json"), "w"), indent=1)


def ts(opset, style="sdpa"):
    def f(d):
        STYLE[0] = style
        with torch.no_grad():
            torch.onnx.export(unet, args, os.path.join(d, "model.onnx"), opset_version=opset, do_constant_folding=True,
                              dynamic_axes=dyn, dynamo=False, **names)
    return f


def dynamo(d):
    STYLE[0] = "sdpa"
    with torch.no_grad():
        prog = torch.onnx.export(unet, args, dynamo=True, opset_version=18, **names,
                                 dynamic_shapes={"sample": {0: torch.export.Dim("batch")}, "timestep": None,
                                                 "encoder_hidden_states": {0: torch.export.Dim("batch")}})
        prog.save(os.path.join(d, "model.onnx"))


def fp16_external(d):
    import onnx
    src = os.path.join(out, "sdpa-ts-op14", "model.onnx")
    m = onnx.load(src)
    try:
        from onnxruntime.transformers.float16 import convert_float_to_float16
    except ImportError:
        from onnxruntime.transformers import float16 as f16
        convert_float_to_float16 = f16.convert_float_to_float16
    m = convert_float_to_float16(m, keep_io_types=False)
    onnx.save_model(m, os.path.join(d, "model.onnx"), save_as_external_data=True, all_tensors_to_one_file=True,
                    location="model.onnx_data", size_threshold=1024)


def ort(only_mha, no_bias_add=False):
    def f(d):
        import onnxruntime.transformers.fusion_attention_unet as fau
        orig = fau.FusionAttentionUnet.get_num_heads
        def nh(self, reshape_q, is_torch2=False):
            try:
                return orig(self, reshape_q, is_torch2)
            except TypeError:  # numpy 2 refuses int() of a 1-element 1-D array; SD 1.x and the mini use 8 heads
                return 8
        fau.FusionAttentionUnet.get_num_heads = nh
        from onnxruntime.transformers.optimizer import optimize_model
        for mod in list(sys.modules.values()):  # the optimizer imports its fusions as top-level modules too
            cls = getattr(mod, "FusionAttentionUnet", None)
            if isinstance(cls, type) and cls.get_num_heads is not nh:
                orig_m = cls.get_num_heads
                def nh2(self, reshape_q, is_torch2=False, _o=orig_m):
                    try:
                        return _o(self, reshape_q, is_torch2)
                    except TypeError:  # numpy 2: int() of a shape-[1] array; fall back to num_heads=8 below
                        return 0
                cls.get_num_heads = nh2
        from onnxruntime.transformers.fusion_options import FusionOptions
        opts = FusionOptions("unet")
        if no_bias_add:  # ORT 1.30's BiasAdd fusion leaves a cycle on these graphs ("Graph is not a DAG ... BiasAdd_15")
            opts.enable_bias_add = False
        if only_mha:
            for k in list(vars(opts)):
                if k.startswith("enable_") and k not in ("enable_attention", "enable_layer_norm"):
                    setattr(opts, k, False)
        m = optimize_model(os.path.join(out, "sdpa-ts-op14", "model.onnx"), model_type="unet", num_heads=8, hidden_size=0,
                           optimization_options=opts, opt_level=0, use_gpu=True)
        m.convert_float_to_float16(keep_io_types=False)
        m.save_model_to_file(os.path.join(d, "model.onnx"))
        ops = {}
        for n in m.model.graph.node:
            ops[n.op_type] = ops.get(n.op_type, 0) + 1
        json.dump(ops, open(os.path.join(d, "ops.json"), "w"), indent=1)
    return f


def clip(d):
    from transformers import CLIPTextConfig, CLIPTextModel
    c = CLIPTextConfig(vocab_size=49408, hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                       max_position_embeddings=77, projection_dim=64)
    m = CLIPTextModel(c).eval()
    ids = torch.randint(0, 49407, (1, 77), dtype=torch.int32)
    with torch.no_grad():
        torch.onnx.export(m, (ids,), os.path.join(d, "model.onnx"), opset_version=14, dynamo=False,
                          input_names=["input_ids"], output_names=["last_hidden_state", "pooler_output"],
                          dynamic_axes={"input_ids": {0: "batch", 1: "sequence"}})


for name, fn in [("sdpa-ts-op14", ts(14)), ("sdpa-ts-op17", ts(17)), ("baddbmm-ts-op14", ts(14, "baddbmm")),
                 ("sdpa-dynamo-op18", dynamo), ("sdpa-ts-op14-fp16-onnx_data", fp16_external),
                 ("ort-unet-fp16", ort(False)), ("ort-unet-fp16-no-biasadd", ort(False, True)), ("ort-mha-only-fp16", ort(True)), ("clip-text-encoder", clip)]:
    if os.environ.get("ONLY") and name not in os.environ["ONLY"].split(","):
        continue
    step(name, fn)
print(json.dumps(report)[:2000])
