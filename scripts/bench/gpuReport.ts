// The `--gpu` block of docs/benchmarks.md: how to run the SD 1.5-sized UNet benchmark on a GPU machine,
// and its figures once it has run there (kept across CPU runs between the bench:gpu markers).

import { renderPackReport } from '../gpu-pack/packReport';
import { GPU_END, GPU_START } from './report';
import type { GpuResult } from './gpuSection';
import { cell, fmt, ratios, summarize, verdict } from './stats';

const HOW = [
  '`npm run bench -- --gpu` (unattended, budgeted to finish in under 8 minutes; nothing else runs):',
  '',
  '1. `tools/toy-model/bench_torch.py export-sd15` builds `UNet2DConditionModel(sd15_unet_config())` from `tools/toy-model/model.py` (859,520,964 parameters, random weights, `torch.manual_seed(0)`), exports it with torch.onnx (opset 14, dynamic batch, latent 64×64 = 512×512 px), converts it to fp16 (initializers, constants, casts, graph I/O; Resize scales stay fp32; checked with strict ONNX shape inference) and stores the weights in one external file: `out/bench-sd15/unet/{model.onnx,weights.pb}` (~1.7 GB; cached for later runs). Needs Debian torch + onnx (`/usr/bin/python3`), ~12 GB RAM, 1–3 minutes.',
  '2. `instrumentUnet` rewrites the graph (weights stay in `weights.pb`) → `model.p2p.onnx`.',
  '3. onnxruntime-node opens both graphs on the first execution provider that works from `--gpu-ep` (default `webgpu,cuda`): WebGPU (Dawn, built into onnxruntime-node on Linux x64; needs a Vulkan driver: the NVIDIA driver\'s Vulkan ICD and `libvulkan1`) or CUDA (needs the CUDA EP libraries: `npm install onnxruntime-node --onnxruntime-node-install=cuda12` while online, and CUDA 12 + cuDNN 9 on the machine).',
  '4. Batch 4 (2 prompts × CFG), fp16 sample/context, float32 `p2p_*`: stock vs instrumented with identity parameters vs with an edit (G = 1, H = 0, self replace on), 2 warm-up calls each, then rounds of `--gpu-calls` calls per variant (order rotated), outputs read back every call. Timing stops early when the 7-minute budget is used up.',
  '',
  'Options: `--gpu-ep cuda`, `--gpu-dir DIR`, `--gpu-rounds N` (10), `--gpu-calls N` (3), `--gpu-fp32`, `--gpu-toy` (the toy UNet through the same path: a dry run). Checked here without a GPU only as a dry run: `--gpu --gpu-toy --gpu-fp32 --gpu-ep cpu` and, with `VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json LD_LIBRARY_PATH=/usr/lib/chromium`, `--gpu-ep webgpu` on SwiftShader (fp32 only: no shader-f16); the fp16 toy graph also loads and runs on the CPU EP.',
].join('\n');

export function renderGpuBlock(g: GpuResult | null, when?: string): string {
  const lines = [GPU_START, '## GPU mode: SD 1.5-sized UNet, fp16 (`--gpu`)', '', HOW, ''];
  if (!g) {
    lines.push('**Not run yet**: this machine has no GPU. The figures appear here after a run on a GPU machine.');
  } else {
    const s = (v: number[]) => cell(summarize(v.map((x) => x / 1000)), ' s');
    const idr = summarize(ratios(g.identity, g.stock));
    const edr = summarize(ratios(g.edit, g.stock));
    lines.push(
      `Run ${when ?? ''}: execution provider **${g.ep}**${g.epErrors.length ? ` (after: ${g.epErrors.join('; ')})` : ''}, ${g.params.toLocaleString('en-US')} parameters, ${g.dtype}, latent ${g.latent}×${g.latent}, batch ${g.batch}; ${g.editedLayers}; export/cache ${fmt(g.exportMs / 1000)} s, instrumentation ${fmt(g.instrumentMs / 1000)} s, sessions ${fmt(g.sessionMs.stock / 1000)} s + ${fmt(g.sessionMs.instrumented / 1000)} s${g.stoppedEarly ? '; **stopped early** (time budget)' : ''}.`,
      '',
      '| variant | s / call | ratio to stock (per round) | goal |',
      '| --- | --- | --- | --- |',
      `| stock | ${s(g.stock)} | 1 | |`,
      `| instrumented, identity | ${s(g.identity)} | ${cell(idr)} | ≤ 1.05: ${verdict(idr, 1.05)} |`,
      `| instrumented, edit | ${s(g.edit)} | ${cell(edr)} | ≤ 1.05: ${verdict(edr, 1.05)} |`,
    );
  }
  lines.push(GPU_END);
  return lines.join('\n');
}

/** The GPU block of an existing docs file, or a fresh "not run" block. */
export function keptGpuBlock(doc: string | null): string {
  if (doc) {
    const a = doc.indexOf(GPU_START);
    const b = doc.indexOf(GPU_END);
    if (a >= 0 && b > a) return doc.slice(a, b + GPU_END.length);
  }
  return renderPackReport(null);
}
