"""Unit tests of the emoji world: grammar, tokenizer, renderer, judge targets (unittest, CPU, ~20 s).

  /usr/bin/python3 -m unittest discover -s tools/toy-model -p 'test_emoji.py' -v

Needs runs/emoji/sprites.npz (emoji_sprites.py writes it); the renderer tests are skipped without it.
"""
from __future__ import annotations

import os
import random
import sys
import unittest

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from emoji_world import NAMES, OBJECTS, RELATIONS, VOCAB_WORDS, Layer, Scene, parse_caption, sample  # noqa: E402
from train_emoji import EmojiConfig, latent_size, map_resolution, tokenizer  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SPRITES = os.path.join(HERE, "runs", "emoji", "sprites.npz")


class Grammar(unittest.TestCase):
    def test_captions_parse_back_to_their_scene(self):
        rng = random.Random(7)
        for _ in range(500):
            cap, scene = sample(rng)
            q = parse_caption(cap)
            self.assertIsNotNone(q, cap)
            self.assertEqual(sorted(q["nouns"]), sorted(l.name for l in scene.layers), cap)
            self.assertEqual(q["relation"], scene.relation, cap)
            self.assertEqual(q["position"], scene.position, cap)
            self.assertEqual(q["style"], scene.style, cap)
            self.assertEqual(q["setting"], scene.setting, cap)

    def test_focus_draws_the_notebooks_pairs_and_they_parse_back(self):
        from emoji_world import NOTEBOOK_PAIRS
        rng = random.Random(3)
        drawn = [sample(rng, focus=1.0) for _ in range(600)]
        seen = set()
        for cap, scene in drawn:
            q = parse_caption(cap)
            self.assertEqual((q["style"], q["setting"], q["relation"]), (scene.style, scene.setting, scene.relation), cap)
            triple = (q["nouns"][0], q["relation"], q["nouns"][1])
            self.assertIn(triple, NOTEBOOK_PAIRS, cap)
            seen.add(triple)
        self.assertEqual(seen, set(NOTEBOOK_PAIRS))
        painted = [s.style == "painting" for _, s in drawn if s.relation == "eating"]
        self.assertGreater(sum(painted) / len(painted), 0.6)

    def test_every_relation_and_object_occurs(self):
        rng = random.Random(1)
        caps = [sample(rng)[0] for _ in range(4000)]
        text = " ".join(caps)
        for rel in RELATIONS:
            self.assertIn(f" {rel} ", text)
        for n in NAMES:
            self.assertIn(f" {n}", text)

    def test_a_word_swap_in_a_pair_moves_the_swapped_noun(self):
        """The notebook's pair swaps must move things without a controller, or P2P has nothing to hold."""
        from emoji_world import place_pair
        for (a1, rel, b1), (a2, _, b2), moved in [
                (("squirrel", "eating", "burger"), ("lion", "eating", "burger"), 0),
                (("cat", "sitting on", "table"), ("bird", "sitting on", "table"), 1),
                (("cat", "sitting on", "table"), ("rabbit", "sitting on", "table"), 1),
                (("dog", "riding", "bicycle"), ("cat", "riding", "bicycle"), 1),
                (("squirrel", "eating", "pizza"), ("squirrel", "eating", "lasagne"), 1)]:
            src, dst = place_pair(a1, rel, b1, random.Random(3)), place_pair(a2, rel, b2, random.Random(3))
            self.assertGreaterEqual(abs(src[moved].cx - dst[moved].cx), 6.0, (a1, rel, b1, a2, b2))
            for layers, subject in ((src, a1), (dst, a2)):
                self.assertTrue(shows(rel, layers, subject), (rel, [(l.name, l.cx, l.cy) for l in layers]))

    def test_every_pair_keeps_its_relation(self):
        from emoji_world import pair_nouns, place_pair
        rng = random.Random(5)
        for _ in range(3000):
            rel = rng.choice(RELATIONS)
            a, b = pair_nouns(rel, rng)
            layers = place_pair(a, rel, b, rng)
            self.assertTrue(shows(rel, layers, a), (a, rel, b, [(l.cx, l.cy) for l in layers]))

    def test_a_wide_spread_keeps_every_relation_and_lets_the_seed_place_the_pair(self):
        """--pair-spread 5,3.5,2.5 (REPORT-emoji §5): relations still read; the anchor moves with the seed."""
        import statistics
        from emoji_world import pair_nouns, place_pair
        spread, rng = (5.0, 3.5, 2.5), random.Random(6)
        for _ in range(3000):
            rel = rng.choice(RELATIONS)
            a, b = pair_nouns(rel, rng)
            layers = place_pair(a, rel, b, rng, spread)
            self.assertTrue(shows(rel, layers, a), (a, rel, b, [(l.cx, l.cy) for l in layers]))
        for rel, (a, b), anchor in (("eating", ("squirrel", "burger"), 0), ("riding", ("dog", "bicycle"), 0)):
            wide = [place_pair(a, rel, b, random.Random(i), spread)[anchor].cx for i in range(400)]
            narrow = [place_pair(a, rel, b, random.Random(i))[anchor].cx for i in range(400)]
            self.assertGreater(statistics.pstdev(wide), 3.5, rel)
            self.assertLess(statistics.pstdev(narrow), 1.8, rel)


def shows(rel: str, layers, subject: str) -> bool:
    from emoji_world import relation_ok
    A = next(l for l in layers if l.name == subject)
    B = next(l for l in layers if l.name != subject)
    return relation_ok(rel, A.cx - B.cx, A.cy - B.cy)


class Tokens(unittest.TestCase):
    def test_every_world_word_is_one_clip_token(self):
        tok = tokenizer()
        for w in VOCAB_WORDS:
            self.assertEqual(tok.encode(w), [tok.word_ids[w]], w)

    def test_unknown_words_fall_back_to_bpe_pieces(self):
        tok = tokenizer()
        self.assertGreater(len(tok.encode("hippopotamus")), 1)
        ids = tok.ids("a hippopotamus")
        self.assertEqual(ids[0], tok.bos_id)
        self.assertEqual(len(ids), 77)

    def test_geometry(self):
        cfg = EmojiConfig()
        self.assertEqual(latent_size(cfg), 16)
        self.assertEqual(map_resolution(cfg), 16)


@unittest.skipUnless(os.path.exists(SPRITES), "run emoji_sprites.py first")
class Render(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        from emoji_render import load_sprite_tensor
        cls.spr = load_sprite_tensor(SPRITES, "cpu")

    def test_masks_sit_where_the_layers_are(self):
        from emoji_render import render
        scenes = [Scene(layers=[Layer(n, cx, cy, 28)]) for n, cx, cy in
                  [("cat", 16, 20), ("car", 48, 44), ("pizza", 32, 32), ("house", 20, 44)]]
        img, cover = render(scenes, self.spr, torch.Generator().manual_seed(0), masks=True)
        self.assertEqual(tuple(img.shape), (4, 3, 64, 64))
        self.assertGreaterEqual(float(img.min()), -1.0)
        self.assertLessEqual(float(img.max()), 1.0)
        ys, xs = torch.meshgrid(torch.arange(64.0), torch.arange(64.0), indexing="ij")
        for s, m in zip(scenes, cover[:, 0]):
            w = m.sum()
            self.assertGreater(float(w), 150, s.layers[0].name)   # a 28-px sprite covers a few hundred px
            cx, cy = float((m * xs).sum() / w) + 0.5, float((m * ys).sum() / w) + 0.5
            self.assertLess(abs(cx - s.layers[0].cx), 5, s.layers[0].name)
            self.assertLess(abs(cy - s.layers[0].cy), 5, s.layers[0].name)

    def test_front_layer_wins_the_judge_target(self):
        from emoji_judge import targets
        from emoji_render import render
        scene = Scene(layers=[Layer("table", 32, 40, 40), Layer("cat", 32, 32, 26)])
        _, cover = render([scene], self.spr, masks=True)
        y = targets([scene], cover)[0]
        self.assertEqual(int(y[32, 32]), NAMES.index("cat") + 1)
        self.assertEqual(int(y[0, 0]), 0)
        self.assertTrue(bool((y == NAMES.index("table") + 1).any()))

    def test_balanced_judge_weights_favour_rare_pixels(self):
        from emoji_judge import N_CLASSES, class_weights
        y = torch.zeros(1, 64, 64, dtype=torch.long)
        y[0, :32, :32] = NAMES.index("bus") + 1        # 1024 px
        y[0, 40:48, 40:48] = NAMES.index("mouse") + 1  # 64 px
        y[0, 50:58, 0:32] = NAMES.index("cat") + 1     # 256 px: the median of the three
        w = class_weights(y, power=0.5, cap=4.0)
        self.assertEqual(tuple(w.shape), (N_CLASSES,))
        self.assertAlmostEqual(float(w[0]), 0.2)
        self.assertAlmostEqual(float(w[NAMES.index("cat") + 1]), 1.0, places=5)
        self.assertAlmostEqual(float(w[NAMES.index("bus") + 1]), 0.5, places=5)    # (256 / 1024) ** 0.5
        self.assertAlmostEqual(float(w[NAMES.index("mouse") + 1]), 2.0, places=5)  # (256 / 64) ** 0.5
        self.assertAlmostEqual(float(w[NAMES.index("bicycle") + 1]), 4.0, places=5)  # absent: the cap


class Presets(unittest.TestCase):
    def test_the_evaluated_examples_are_the_apps(self):
        """emoji_eval.PRESET_EDITS copies the app's emoji examples (src/state/presets.ts): same ids, prompts and
        controller numbers, so the report's per-example figures are about what the app runs."""
        import re
        from emoji_eval import PRESET_EDITS
        with open(os.path.join(HERE, "..", "..", "src", "state", "presets.ts"), encoding="utf-8") as f:
            ts = f.read()
        for pid, src, edits, cross, self_, words, blend in PRESET_EDITS:
            m = re.search(r"emoji\(`?'?%s" % re.escape(pid.rsplit("-", 1)[0] if "schedule" in pid else pid), ts)
            self.assertIsNotNone(m, pid)
            body = ts[m.start():m.start() + 1200]
            self.assertIn(f"prompt: '{src}'", body, pid)
            self.assertIn("edits: [" + ", ".join(f"'{e}'" for e in edits) + "]", body, pid)
            if "schedule" in pid:
                self.assertIn("[0.9, 0.5, 0.1].map", ts[m.start() - 60:m.start()], pid)
            else:
                self.assertIn(f"cross: {cross:g}", body, pid)
            self.assertIn(f"self: {self_:g}", body, pid)
            for w, f in words.items():
                self.assertRegex(body, r"crossWords: \{[^}]*\b%s: %g" % (w, f), pid)
            if blend:
                self.assertIn("blendWords: " + str(blend[0]).replace('"', "'"), body, pid)
                self.assertIn(f"blendThreshold: {blend[1]:g}", body, pid)


class SourceContext(unittest.TestCase):
    def test_the_edited_rows_take_the_sources_embeddings_where_asked(self):
        """emoji_eval --context-from-source: only the edited prompts' conditional rows change, and only at the
        tokens asked for; the swapped word, the source rows and the unconditional rows keep their own."""
        from emoji_eval import source_context
        tok, seeds = tokenizer(), 2
        prompts = ["a painting of a squirrel eating a burger", "a painting of a lion eating a burger"]
        ids = torch.tensor([tok.ids("")] * (seeds * 2) + [tok.ids(p) for p in prompts] * seeds)
        # a causal stand-in for the text encoder: each position's embedding depends on the tokens up to it
        text = lambda i: torch.stack([i.float().cumsum(1), i.float()], -1)  # noqa: E731
        plain = text(ids)
        src_rows, dst_rows = plain[seeds * 2::2], plain[seeds * 2 + 1::2]
        swapped = tok.ids(prompts[0]).index(tok.ids("squirrel")[1])
        eos = tok.ids(prompts[0]).index(tok.eos_id)
        self.assertFalse(torch.equal(src_rows[:, swapped + 1:], dst_rows[:, swapped + 1:]))  # the leak exists
        for which, first in (("pad", eos), ("words", swapped + 1)):
            out = source_context(text, tok.eos_id, 2, which)(ids)
            self.assertTrue(torch.equal(out[: seeds * 2], plain[: seeds * 2]), which)      # unconditional rows
            self.assertTrue(torch.equal(out[seeds * 2::2], src_rows), which)               # source rows
            edited = out[seeds * 2 + 1::2]
            self.assertTrue(torch.equal(edited[:, :first], dst_rows[:, :first]), which)    # its own up to there
            self.assertTrue(torch.equal(edited[:, first:], src_rows[:, first:]), which)    # the source's after
        self.assertTrue(torch.equal(source_context(text, tok.eos_id, 2, "")(ids), plain))


class Carry(unittest.TestCase):
    """The committed continuation checkpoint: weights come back within fp16 rounding, the autoencoder exactly."""

    def test_round_trip(self):
        import tempfile
        from carry import read_carry, write_carry
        from dataclasses import asdict
        from train import build_models
        cfg = EmojiConfig()
        ae, text, unet = build_models(cfg, len(tokenizer()))
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "c.pt")
            write_carry(path, asdict(cfg), ae.state_dict(), text.state_dict(), unet.state_dict(), 0.5, 7, 12.5, 448)
            back = read_carry(path)
        self.assertEqual((back["step"], back["elapsed"], back["samples"], back["scaling_factor"]), (7, 12.5, 448, 0.5))
        for k, v in ae.state_dict().items():
            self.assertTrue(torch.equal(back["ae"][k], v), k)
        for k, v in unet.state_dict().items():
            got = back["unet"][k]
            self.assertEqual(got.dtype, v.dtype, k)
            self.assertTrue(torch.allclose(got, v, rtol=1e-3, atol=1e-4), k)
        unet.load_state_dict(back["unet"])

    def test_refuses_other_files(self):
        import tempfile
        from carry import read_carry
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "w.pt")
            torch.save(dict(cfg={}, ae={}), path)
            with self.assertRaises(ValueError):
                read_carry(path)


class DecoderTune(unittest.TestCase):
    """tune_decoder.py changes the decoder only: the latent space the UNet learned (encoder) stays bit-exact."""

    def test_smoke_run_keeps_the_encoder_text_and_unet(self):
        import subprocess
        import tempfile
        from dataclasses import asdict
        from train import build_models
        cfg = EmojiConfig()
        torch.manual_seed(0)
        ae, text, unet = build_models(cfg, len(tokenizer()))
        with tempfile.TemporaryDirectory() as d:
            src = os.path.join(d, "w.pt")
            torch.save(dict(cfg=asdict(cfg), ae=ae.state_dict(), text=text.state_dict(), unet=unet.state_dict(),
                            scaling_factor=0.6, step=5), src)
            subprocess.run([sys.executable, os.path.join(HERE, "tune_decoder.py"), "--src", src, "--run-dir", d,
                            "--smoke", "--batch", "4", "--threads", "1"], check=True, cwd=HERE,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            out = torch.load(os.path.join(d, "weights.pt"))
        self.assertEqual((out["scaling_factor"], out["step"]), (0.6, 5))
        for k, v in ae.state_dict().items():
            if k.startswith("encoder."):
                self.assertTrue(torch.equal(out["ae"][k], v), k)
        changed = [k for k, v in ae.state_dict().items() if k.startswith("decoder.") and not torch.equal(out["ae"][k], v)]
        self.assertTrue(changed)
        for k, v in unet.state_dict().items():
            self.assertTrue(torch.equal(out["unet"][k], v), k)


class Grounding(unittest.TestCase):
    """grounding.py: the token-grounding term (train_emoji.py --grounding)."""

    def test_each_noun_gets_its_own_token_and_layer(self):
        from grounding import noun_slots
        scene = Scene(layers=[Layer("table", 32, 46, 38), Layer("cat", 30, 26, 26)])
        # "a cat sitting on a table": [BOS] a cat sitting on a table -> cat at 2, table at 6; layers back to front
        self.assertEqual(noun_slots("a cat sitting on a table", scene), [(6, 0), (2, 1)])
        self.assertEqual(noun_slots("a painting of a red car", Scene(layers=[Layer("car", 40, 44, 30)])), [(6, 0)])

    def test_loss_is_the_mass_outside_the_mask_squared(self):
        from grounding import grounding_loss
        q, side = 16, 4
        mask = torch.zeros(1, 2, side, side)
        mask[0, 0, :2, :] = 1.0                                   # the upper half
        pos = torch.tensor([[3, -1]])
        inside = torch.zeros(1, q, 77)
        inside[0, :8, 3] = 1.0                                    # token 3 attends only from the upper half
        uniform = torch.full((1, q, 77), 1.0 / 77)
        keep = torch.tensor([True])
        self.assertAlmostEqual(float(grounding_loss([inside], pos, mask, keep)), 0.0, places=6)
        self.assertAlmostEqual(float(grounding_loss([uniform], pos, mask, keep)), 0.25, places=5)
        # a layer at half the side sees the mask area-pooled: still half inside for the uniform map
        self.assertAlmostEqual(float(grounding_loss([uniform, torch.full((1, 4, 77), 1 / 77)], pos, mask, keep)),
                               0.25, places=5)
        self.assertEqual(float(grounding_loss([uniform], pos, mask, torch.tensor([False]))), 0.0)

    def test_recorder_keeps_the_training_pass_and_gradients_reach_the_queries(self):
        from grounding import Recorder, grounding_loss
        from train import build_models
        cfg = EmojiConfig()
        torch.manual_seed(0)
        _, text, unet = build_models(cfg, len(tokenizer()))
        rec = Recorder(unet, 64)
        x, t = torch.randn(2, 4, 16, 16), torch.tensor([500.0, 900.0])
        ctx = text(torch.tensor([tokenizer().ids("a cat"), tokenizer().ids("a dog")]))
        with torch.no_grad():
            unet(x, t, ctx)
        self.assertEqual(rec.take(), [])                          # the consistency pass (no grad) is not kept
        unet(x, t, ctx)
        maps = rec.take()
        self.assertEqual(sorted(m.shape[1] for m in maps), [64, 64, 64, 256, 256, 256])
        mask = torch.zeros(2, 2, 16, 16)
        mask[:, 0, 4:12, 4:12] = 1.0
        loss = grounding_loss(maps, torch.tensor([[2, -1], [2, -1]]), mask, torch.tensor([True, True]))
        loss.backward()
        q = [m for m in unet.modules() if getattr(m, "is_cross", False)][0].to_q.weight
        self.assertGreater(float(q.grad.abs().sum()), 0.0)
        rec.remove()
        unet(x, t, ctx)
        self.assertEqual(rec.take(), [])


class HeldSwaps(unittest.TestCase):
    """held_swaps.py: the held-layout swap term (train_emoji.py --held-swaps)."""

    def test_a_swap_changes_one_noun_of_its_role_and_keeps_the_box(self):
        from emoji_world import ANIMALS, FOOD, RIDERS, SEATS
        from held_swaps import held_swap
        rng, tok, roles, none = random.Random(7), tokenizer(), {}, 0
        for _ in range(400):
            cap, scene = sample(rng)
            swap = held_swap(cap, scene, rng)
            if swap is None:                       # e.g. "a green flower": no other tintable plant (the batch redraws)
                none += 1
                continue
            dst, held = swap
            self.assertEqual(len(tok.ids(cap)), len(tok.ids(dst)))            # token for token: P2P's mapper is 1:1
            diff = [(a, b) for a, b in zip(cap.split(), dst.split()) if a != b]
            nouns = [(a, b) for a, b in diff if a not in ("a", "an")]
            self.assertEqual(len(nouns), 1, (cap, dst))
            old, new = nouns[0]
            moved = [(l, h) for l, h in zip(scene.layers, held.layers) if l.name != h.name]
            self.assertEqual(len(moved), 1, (cap, dst))
            l, h = moved[0]
            self.assertEqual((l.name, h.name), (old, new))
            self.assertEqual((l.cx, l.cy, l.size, l.tint), (h.cx, h.cy, h.size, h.tint))
            self.assertEqual((scene.style, scene.setting, scene.bg), (held.style, held.setting, held.bg))
            if scene.relation == "eating":
                self.assertIn(new, ANIMALS if l is scene.layers[0] else FOOD)
            if scene.relation == "sitting on":
                self.assertIn(new, SEATS if l is scene.layers[0] else RIDERS)
            roles[scene.relation or "single"] = roles.get(scene.relation or "single", 0) + 1
        self.assertGreater(len(roles), 5)                                    # every relation and single objects
        self.assertLess(none, 20)

    def test_the_edited_pass_gets_the_source_maps_and_learns_through_its_values(self):
        from held_swaps import Injector, held_swap_loss
        from train import build_models
        cfg = EmojiConfig()
        torch.manual_seed(0)
        tok = tokenizer()
        _, text, unet = build_models(cfg, len(tok))
        inj = Injector(unet, 64)
        seen = []
        for m in inj.modules:                                   # wrap: log what each layer passes on
            inner = m.hook
            m.hook = (lambda inner: lambda p, c, pl: seen.append((c, inner(p, c, pl))) or seen[-1][1])(inner)
        x, t = torch.randn(2, 4, 16, 16), torch.tensor([500.0, 900.0])
        src_ctx = text(torch.tensor([tok.ids("a cat"), tok.ids("a cat eating a pizza")]))
        dst_ctx = text(torch.tensor([tok.ids("a dog"), tok.ids("a lion eating a pizza")]))
        inj.record()
        with torch.no_grad():
            unet(x, t, src_ctx)
        kept = list(inj.kept)
        self.assertEqual(sorted(k.shape[1] for k in kept), [4 * 4] * 2 + [8 * 8] * 6 + [16 * 16] * 3)
        seen.clear()
        inj.inject(torch.tensor([False, True]))
        unet(x + 1, t, dst_ctx)
        self.assertEqual(inj.at, len(kept))
        passed = [(c, p) for c, p in seen if c or p.shape[1] <= 64]     # what the recorded layers passed on
        for k, (c, p) in zip(kept, passed):
            heads = k.shape[0] // 2
            if c:
                self.assertTrue(torch.equal(p, k))
            else:                                               # self maps: only the second sample's
                self.assertTrue(torch.equal(p[heads:], k[heads:]))
                self.assertFalse(torch.equal(p[:heads], k[:heads]))
        self.assertEqual(len(passed), len(kept))
        inj.off()
        for m in inj.modules:
            m.hook = None
        # the term itself: finite, and its gradient reaches the values but not the cross-attention queries
        inj = Injector(unet, 64)
        pics = torch.rand(2, 3, 64, 64) * 2 - 1
        batch = (pics, pics.flip(-1), torch.tensor([tok.ids("a cat"), tok.ids("a red car")]),
                 torch.tensor([tok.ids("a dog"), tok.ids("a red bus")]))
        enc = lambda im: torch.nn.functional.avg_pool2d(im, 4).repeat(1, 2, 1, 1)[:, :4]  # noqa: E731  (a stand-in encoder)
        loss = held_swap_loss(unet, text, enc, batch, torch.linspace(0.99, 0.01, 1000), inj)
        unet.zero_grad()
        loss.backward()
        cross = [m for m in unet.modules() if getattr(m, "is_cross", False)]
        self.assertTrue(all(m.to_q.weight.grad is None or float(m.to_q.weight.grad.abs().sum()) == 0 for m in cross))
        self.assertGreater(sum(float(m.to_v.weight.grad.abs().sum()) for m in cross), 0.0)
        self.assertEqual(inj.mode, None)
        inj.remove()

if __name__ == "__main__":
    unittest.main()
