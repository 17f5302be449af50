"""Tests for the toy-model tool (unittest; Debian has no pytest for /usr/bin/python3).

  /usr/bin/python3 -m unittest discover -s tools/toy-model -p 'test_*.py' -v

ONNX <-> PyTorch parity: onnx 1.12 has no reference evaluator and onnxruntime for Python is not in
Debian, so the numeric check runs the exported graphs with onnxruntime-node (ort_parity.mjs, from the
project's node_modules) against the PyTorch reference run; without node it is skipped and only
onnx.checker + shape inference + the graph I/O contract are tested.
"""
from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import unittest

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
from data import VOCAB_WORDS, make_dataset  # noqa: E402
from model import UNet2DConditionModel, UNetConfig, count_params  # noqa: E402
from pipeline import AttentionReplace, PNDMScheduler, generate  # noqa: E402
from tokenizer import MAX_LEN, ToyTokenizer  # noqa: E402

MODEL = os.path.join(ROOT, "public", "models", "toy-shapes")
FIX = os.path.join(ROOT, "tests", "fixtures", "toy-shapes-reference")
SHARED = os.path.join(ROOT, "..", "shared", "fixtures")
torch.set_num_threads(1)


def _read(path):
    with open(path) as f:
        return f.read()


def _load(path):
    return json.loads(_read(path))


def tensor(o):
    return np.frombuffer(base64.b64decode(o["b64"]), dtype=o["dtype"]).reshape(o["shape"])


class TokenizerTest(unittest.TestCase):
    def test_every_grammar_word_is_one_token_and_layout_is_clip(self):
        t = ToyTokenizer()
        for w in VOCAB_WORDS:
            self.assertEqual(t.encode(w), [t.vocab[w + "</w>"]])
        self.assertEqual(t.vocab["!"], 0)
        self.assertEqual(t.vocab["a</w>"], 320)  # same id as openai's CLIP
        self.assertEqual((t.bos_id, t.eos_id), (len(t) - 2, len(t) - 1))
        self.assertEqual(t.encode("zebra"), [t.vocab[c] for c in "zebr"] + [t.vocab["a</w>"]])

    def test_word_lookup_equals_bpe_on_dataset_captions(self):
        t = ToyTokenizer()
        _, caps, _ = make_dataset(300, 5)
        for c in caps + [""]:
            ids = t.ids(c)
            self.assertEqual(len(ids), 77)
            self.assertEqual(ids, ([t.bos_id] + t.encode(c) + [t.eos_id] * 77)[:77])

    def test_exported_tokenizer_files(self):
        d = os.path.join(MODEL, "tokenizer")
        if not os.path.isdir(d):
            self.skipTest("model not exported")
        tj = _load((os.path.join(d, "tokenizer.json")))
        vocab = _load((os.path.join(d, "vocab.json")))
        merges = _read(os.path.join(d, "merges.txt")).splitlines()
        self.assertEqual(merges[0], "#version: 0.2")
        self.assertEqual(tj["model"]["merges"], merges[1:])
        self.assertEqual(tj["model"]["vocab"], vocab)
        cfg = _load((os.path.join(d, "tokenizer_config.json")))
        self.assertEqual(cfg["pad_token"], "<|endoftext|>")
        self.assertEqual(cfg["model_max_length"], 77)


class ModelTest(unittest.TestCase):
    @unittest.skipIf(os.environ.get("TOY_SKIP_SD15") == "1", "TOY_SKIP_SD15=1")
    def test_sd15_parameter_count(self):
        self.assertEqual(count_params(UNet2DConditionModel(UNetConfig())), 859520964)


class SchedulerTest(unittest.TestCase):
    def test_pndm_matches_diffusers_fixture(self):
        path = os.path.join(SHARED, "schedulers.json")
        if not os.path.exists(path):
            self.skipTest("shared fixtures absent")
        d = _load((path))
        x0, c = torch.from_numpy(tensor(d["x0"]).copy()), torch.from_numpy(tensor(d["c"]).copy())
        for case in d["cases"]:
            if not case["name"].startswith("pndm"):
                continue
            s = PNDMScheduler()
            s.set_timesteps(int(case["num_inference_steps"]))
            traj, x = tensor(case["trajectory"]), x0
            for k, t in enumerate(s.timesteps):
                x = s.step(0.1 * x + np.sin(float(t) / 100) * c, t, x)
                np.testing.assert_allclose(x.numpy(), traj[k], atol=2e-5)


class TrainingNoiseTest(unittest.TestCase):
    def test_timesteps_and_noising(self):
        from train import draw_timesteps, noised, sd_alphas_cumprod
        torch.manual_seed(0)
        t = draw_timesteps(1000, t_high_frac=0.3, t_high_from=800, t_low=200)
        self.assertTrue(bool((t[:300] >= 800).all()))
        self.assertTrue(bool((t >= 200).all() and (t < 1000).all()))
        self.assertLess(int(t[300:].min()), 300)   # the rest spans [t_low, 1000)
        ac = torch.as_tensor(sd_alphas_cumprod(), dtype=torch.float32)
        x0, noise, tt = torch.ones(2, 1, 2, 2), torch.full((2, 1, 2, 2), -1.0), torch.tensor([0, 999])
        xt = noised(x0, noise, tt, ac)
        for i in range(2):
            a = float(ac[tt[i]])
            self.assertAlmostEqual(float(xt[i, 0, 0, 0]), a ** 0.5 - (1 - a) ** 0.5, places=5)


class ControllerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        from train import TrainConfig, build_models, latent_size
        torch.manual_seed(0)
        cls.tok = ToyTokenizer()
        cfg = TrainConfig()  # the shipped geometry: 16x16 latents, attention at 8x8, 4x4 and mid
        cls.latent_hw = latent_size(cfg)
        ae, cls.text, cls.unet = build_models(cfg, len(cls.tok))
        cls.dec = ae.decoder
        for m in (ae, cls.text, cls.unet):
            m.eval()

    def _gen(self, seeds, ctrl):
        return generate(self.unet, self.text, self.dec, 1.0, self.tok, ["a red circle", "a red square"], seeds,
                        steps=4, controller=ctrl, latent_hw=self.latent_hw)

    def _ctrl(self, cr, sr, groups=1, smq=64):
        return AttentionReplace(["a red circle", "a red square"], self.tok, 4, cr, sr, smq,
                                len(self.unet.attention_modules()), groups=groups)

    def test_zero_replace_is_identity(self):
        a, b = self._gen(3, None), self._gen(3, self._ctrl(0.0, 0.0))
        torch.testing.assert_close(a["latents"], b["latents"])

    def test_source_prompt_unchanged_and_seeds_batch(self):
        one = [self._gen(s, self._ctrl(0.8, 0.4))["latents"] for s in (3, 4)]
        both = self._gen([3, 4], self._ctrl(0.8, 0.4, groups=2))["latents"]
        torch.testing.assert_close(both, torch.cat(one), atol=1e-5, rtol=1e-4)
        plain = self._gen(3, None)["latents"]
        torch.testing.assert_close(one[0][0], plain[0], atol=1e-5, rtol=1e-4)

    def test_full_replace_copies_source_attention(self):
        ctrl = self._ctrl(1.0, 1.0)
        mods = self.unet.attention_modules()
        cross = next(n for n, m in mods if m.is_cross)
        selfl = next(n for n, m in mods if not m.is_cross)
        ctrl.record_step, ctrl.record_layers = 1, {cross: "c", selfl: "s"}
        self._gen(3, ctrl)
        for k in ("c", "s"):
            after = ctrl.records[k + "_after"]
            h = after.shape[0] // 2
            cond = after[h:].reshape(2, h // 2, *after.shape[1:])
            torch.testing.assert_close(cond[1], cond[0])  # identity mapper, alpha = 1


class NotebookControlsTest(unittest.TestCase):
    """Per-word windows and LocalBlend against the reference implementation's golden vectors (the repo copy,
    tests/fixtures/reference/p2p-golden.json, which the TypeScript core is tested against too). Those prompts
    were tokenised by CLIP, which splits "lasagne" in two (tokens 8 and 9); the toy tokenizer keeps world
    words whole, so the tests give token positions where CLIP's differ."""

    @classmethod
    def setUpClass(cls):
        cls.golden = _load(os.path.join(ROOT, "tests", "fixtures", "reference", "p2p-golden.json"))

    def _alpha_case(self, words):
        return next(c for c in self.golden["time_words_alpha"] if isinstance(c["cross_replace_steps"], dict)
                    and set(c["cross_replace_steps"]) == {"default_"} | set(words))

    def test_word_windows_follow_the_reference(self):
        from pipeline import time_word_alphas, word_tokens
        c = self._alpha_case(["lion"])
        lion = [word_tokens(p, "lion") for p in c["prompts"][1:]]
        self.assertEqual(lion, [[5], []])
        got = time_word_alphas(2, c["num_steps"], 1.0, [{t: 0.4 for t in ts} for ts in lion])
        np.testing.assert_array_equal(got.reshape(-1), tensor(c["alpha"]).reshape(-1))
        c = self._alpha_case(["lasagne"])
        got = time_word_alphas(1, c["num_steps"], 1.0, [{8: 0.2, 9: 0.2}])
        np.testing.assert_array_equal(got.reshape(-1), tensor(c["alpha"]).reshape(-1))

    def test_controller_windows_take_the_words_of_each_edit(self):
        ctrl = AttentionReplace(["a cat sitting on a table", "a bird sitting on a table", "a dog sitting on a table"],
                                ToyTokenizer(), 10, 1.0, 0.4, 64, 3, cross_words={"bird": 0.4})
        a = ctrl.alpha.reshape(11, 2, MAX_LEN)
        self.assertEqual(a[:, 0, 2].sum().item(), 4)  # int(0.4 * 11) calls for "bird"
        self.assertEqual(a[:, 1, 2].sum().item(), 11)  # the other edit keeps the default window
        with self.assertRaises(AssertionError):
            AttentionReplace(["a cat", "a dog"], ToyTokenizer(), 10, 1.0, 0.4, 64, 3, cross_words={"bird": 0.4})

    def test_local_blend_follows_the_reference(self):
        from pipeline import local_blend
        for c in self.golden["local_blend"]:
            P, heads = len(c["prompts"]), c["heads"]
            maps = sum(torch.from_numpy(tensor(m).copy()).reshape(P, heads, *m["shape"][1:]).mean(1) for m in c["maps"])
            alphas = torch.zeros(P, MAX_LEN)
            alphas[0, 8] = 1.0  # "burger"
            alphas[1, [8, 9]] = 1.0  # "lasagne" as CLIP splits it
            self.assertEqual(c["words"], [["burger"], ["lasagne"]])
            x = torch.from_numpy(tensor(c["x_t"]).copy())
            got = local_blend(x, maps, alphas, c["threshold"])
            np.testing.assert_allclose(got.numpy(), tensor(c["output"]), atol=1e-5)
            # two seeds batched as [S, P] blend each group on its own
            two = local_blend(torch.cat([x, x.flip(2)]), torch.cat([maps, maps.flip(1)]), alphas, c["threshold"])
            torch.testing.assert_close(two[:P], got)

    def test_local_blend_keeps_the_source_where_no_word_is_attended(self):
        from pipeline import local_blend
        x = torch.randn(2, 4, 8, 8)
        out = local_blend(x, torch.zeros(2, 64, MAX_LEN), torch.ones(2, MAX_LEN), 0.3)
        torch.testing.assert_close(out[1], x[0])


class OnnxExportTest(unittest.TestCase):
    def setUp(self):
        if not os.path.exists(os.path.join(MODEL, "unet", "model.onnx")):
            self.skipTest("model not exported")

    def test_graphs_check_and_io_contract(self):
        import onnx
        expect = {
            "text_encoder": ({"input_ids": 7}, {"last_hidden_state": 1, "pooler_output": 1}),
            "unet": ({"sample": 1, "timestep": 1, "encoder_hidden_states": 1}, {"out_sample": 1}),
            "vae_decoder": ({"latent_sample": 1}, {"sample": 1}),
        }
        total = 0
        for name, (ins, outs) in expect.items():
            path = os.path.join(MODEL, name, "model.onnx")
            total += os.path.getsize(path)
            m = onnx.load(path)
            onnx.checker.check_model(m)
            onnx.shape_inference.infer_shapes(m, strict_mode=True)
            self.assertEqual({i.name: i.type.tensor_type.elem_type for i in m.graph.input}, ins)
            self.assertEqual({o.name: o.type.tensor_type.elem_type for o in m.graph.output}, outs)
            self.assertEqual(m.graph.input[0].type.tensor_type.shape.dim[0].dim_param, "batch")
        self.assertLessEqual(total, 25e6)

    def test_attention_exports_as_matmul_mul_softmax_matmul(self):
        import onnx
        m = onnx.load(os.path.join(MODEL, "unet", "model.onnx"))
        producer = {o: n for n in m.graph.node for o in n.output}
        consumers = {}
        for n in m.graph.node:
            for i in n.input:
                consumers.setdefault(i, []).append(n)
        softmaxes = [n for n in m.graph.node if n.op_type == "Softmax"]
        self.assertEqual(len(softmaxes), 2 * len([n for n in softmaxes if "/attn1/" in n.name]))
        for s in softmaxes:
            mul = producer[s.input[0]]
            self.assertEqual(mul.op_type, "Mul", s.name)
            self.assertTrue(any(producer.get(i) is not None and producer[i].op_type == "MatMul" for i in mul.input))
            self.assertEqual([c.op_type for c in consumers[s.output[0]]], ["MatMul"])
            self.assertRegex(s.name, r"^/(down_blocks\.\d|mid_block|up_blocks\.\d)/attentions\.\d/"
                                     r"transformer_blocks\.0/attn[12]/Softmax$")

    def test_onnxruntime_node_parity(self):
        node = shutil.which("node")
        if node is None or not os.path.isdir(os.path.join(ROOT, "node_modules", "onnxruntime-node")):
            self.skipTest("node / onnxruntime-node not available")
        r = subprocess.run([node, os.path.join(HERE, "ort_parity.mjs"), MODEL, FIX], cwd=ROOT,
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)


class ExportWithReferenceTest(unittest.TestCase):
    def test_random_checkpoint_exports_with_reference_run(self):
        """export_model end to end (graphs, p2p.json, the reference fixtures) on an untrained checkpoint
        of the shipped geometry, into a temp dir: catches breakage between export.py and reference.py."""
        import tempfile
        from dataclasses import asdict
        import export
        from train import TrainConfig, build_models
        cfg = TrainConfig()
        torch.manual_seed(0)
        ae, text, unet = build_models(cfg, len(ToyTokenizer()))
        with tempfile.TemporaryDirectory() as tmp:
            ckpt = os.path.join(tmp, "ckpt.pt")
            torch.save(dict(cfg=asdict(cfg), ae=ae.state_dict(), ema_text=text.state_dict(),
                            ema_unet=unet.state_dict(), scaling_factor=1.0), ckpt)
            export.export_model(ckpt, os.path.join(tmp, "model"), fixtures_dir=os.path.join(tmp, "fix"))
            p2p = _load(os.path.join(tmp, "model", "p2p.json"))
            call = _load(os.path.join(tmp, "fix", "unet-call.json"))
            layers = {a["name"]: a for a in p2p["attentionLayers"]}
            self.assertEqual(layers[call["cross_layer"]]["queryLength"], p2p["mapResolution"] ** 2)
            self.assertEqual(layers[call["self_layer"]]["kind"], "self")
            self.assertLessEqual(layers[call["self_layer"]]["queryLength"], p2p["selfMaxQuery"])
            self.assertTrue(os.path.exists(os.path.join(tmp, "fix", "run-seed1.json")))


class FixtureTest(unittest.TestCase):
    def test_reference_run_shapes(self):
        if not os.path.exists(os.path.join(FIX, "unet-call.json")):
            self.skipTest("fixtures not written")
        run = _load((os.path.join(FIX, "run-seed0.json")))
        self.assertEqual(len(run["timesteps"]), run["steps"] + 1)
        self.assertEqual(tensor(run["input_ids"]).shape, (4, 77))
        lat = tensor(run["initial_latent"])
        ref = torch.randn(lat.shape, generator=torch.Generator().manual_seed(run["seed"])).numpy()
        np.testing.assert_array_equal(lat, ref)
        call = _load((os.path.join(FIX, "unet-call.json")))
        before, after = tensor(call["cross_before"]), tensor(call["cross_after"])
        h = before.shape[0] // 2
        np.testing.assert_array_equal(before[:h], after[:h])  # unconditional half untouched
        np.testing.assert_allclose(after.sum(-1), 1.0, atol=1e-5)


if __name__ == "__main__":
    unittest.main()
