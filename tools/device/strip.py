"""Device side: turn each corpus model into a weightless graph plus a fill manifest. Float initializers with
>= 1024 finite elements (|x| < 1e4) move to external data that is NOT shipped back; the manifest keeps per-tensor
dtype/shape/offset/mean/std so that the project's tool can fill them with seeded random values of the same scale.
Also runs each original model once on onnxruntime CPU (real exported weights) and records output stats."""
import json, os, sys, hashlib
import numpy as np
import onnx
from onnx import TensorProto, numpy_helper


def strip_model(d):
    """Strips DIR/model.onnx in place (weights → fill.json) and returns its strip.json entry."""
    p = os.path.join(d, "model.onnx")
    info = {}
    try:
        import onnxruntime as ort
        s = ort.InferenceSession(p, providers=["CPUExecutionProvider"])
        feeds = {}
        rng = np.random.default_rng(0)
        for i in s.get_inputs():
            dt = {"tensor(float)": np.float32, "tensor(float16)": np.float16, "tensor(int32)": np.int32, "tensor(int64)": np.int64}[i.type]
            shape = [d if isinstance(d, int) else (2 if k == 0 else (77 if "input_ids" in i.name else 8)) for k, d in enumerate(i.shape)]
            if i.name == "timestep": feeds[i.name] = np.array([981] * (shape[0] if shape else 1), dtype=dt).reshape(shape)
            elif "ids" in i.name: feeds[i.name] = rng.integers(0, 49407, shape).astype(dt)
            else: feeds[i.name] = rng.standard_normal(shape).astype(dt)
        outs = s.run(None, feeds)
        info["ort_cpu"] = {"inputs": [[i.name, i.type, i.shape] for i in s.get_inputs()], "out_shape": list(outs[0].shape), "out_std": float(np.std(outs[0].astype(np.float32))), "finite": bool(np.isfinite(outs[0].astype(np.float32)).all())}
    except Exception as e:  # noqa: BLE001
        info["ort_cpu"] = {"error": str(e)[-800:]}
    m = onnx.load(p, load_external_data=True)
    elem = {TensorProto.FLOAT: "tensor(float)", TensorProto.FLOAT16: "tensor(float16)", TensorProto.INT32: "tensor(int32)", TensorProto.INT64: "tensor(int64)"}
    info["graph_inputs"] = [[i.name, elem.get(i.type.tensor_type.elem_type, str(i.type.tensor_type.elem_type)),
                             [x.dim_param or x.dim_value for x in i.type.tensor_type.shape.dim]] for i in m.graph.input]
    orig_locs = set()
    for t in m.graph.initializer:
        for e in t.external_data:
            if e.key == "location": orig_locs.add(e.value)
    loc = sorted(orig_locs)[0] if orig_locs else "weights.bin"
    items, off = [], 0
    for t in m.graph.initializer:
        if t.data_type not in (TensorProto.FLOAT, TensorProto.FLOAT16):
            continue
        a = numpy_helper.to_array(t)
        if a.size < 1024: continue
        f = a.astype(np.float64)
        if not np.isfinite(f).all() or np.abs(f).max() >= 1e4: continue
        n = a.nbytes
        items.append({"name": t.name, "dtype": "float16" if t.data_type == TensorProto.FLOAT16 else "float32", "dims": list(a.shape), "offset": off, "length": n, "mean": float(f.mean()), "std": float(f.std())})
        t.ClearField("raw_data"); t.ClearField("float_data"); t.ClearField("int32_data")
        del t.external_data[:]
        t.data_location = TensorProto.EXTERNAL
        for k, v in (("location", loc), ("offset", str(off)), ("length", str(n))):
            e = t.external_data.add(); e.key = k; e.value = v
        off += (n + 63) // 64 * 64
    # any remaining external tensors (not moved) must be made inline so the graph is self-contained
    for t in m.graph.initializer:
        if t.data_location == TensorProto.EXTERNAL and not any(e.key == "location" and e.value == loc and t.name in {i["name"] for i in items} for e in t.external_data):
            pass
    for f in os.listdir(d):
        if f != "config.json" and f != "ops.json": os.remove(os.path.join(d, f))
    with open(p, "wb") as fh: fh.write(m.SerializeToString())
    json.dump({"location": loc, "size": off, "tensors": items, "note": "weights not shipped: fill with seeded normals of each tensor's mean/std"}, open(os.path.join(d, "fill.json"), "w"), indent=0)
    ops = {}
    for n in m.graph.node: ops[n.op_type] = ops.get(n.op_type, 0) + 1
    info.update({"graph_bytes": os.path.getsize(p), "external": loc, "external_bytes": off, "moved": len(items), "opset": [[o.domain, o.version] for o in m.opset_import], "ops": ops, "producer": m.producer_name + " " + m.producer_version})
    return info


if __name__ == "__main__":
    root = sys.argv[1]
    summary = {}
    for name in sorted(os.listdir(root)):
        if os.path.isfile(os.path.join(root, name, "model.onnx")):
            summary[name] = strip_model(os.path.join(root, name))
            print(name, json.dumps(summary[name])[:400], flush=True)
    json.dump(summary, open(os.path.join(root, "strip.json"), "w"), indent=1)
