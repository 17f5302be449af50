// The GPU pack's results as the GPU block of docs/benchmarks.md (between the bench:gpu markers) and as an SVG
// chart: UNet calls by variant, and a whole edit against the native PyTorch anchor.

import type { StageTimings } from '../../src/diffusion';
import { barChartSvg, type Bar } from '../bench/barChart';
import { GPU_END, GPU_START } from '../bench/report';
import { cell, fmt, ratios, summarize, verdict, type Summary } from '../bench/stats';
import { mhaTable } from '../probe/mhaProbe';
import type { PackResults } from './packResults';

export const CHART_FILE = 'benchmarks-gpu.svg';

/** Fused attention is turned on only below these output differences (relative to the output's max |value|). */
export const FUSED_PARITY_BOUND = { fp16: 2e-2, fp32: 1e-4 };

const HOW = [
  '`npm run gpu-pack -- --out DIR` (here, online: ~50 MB, a minute) writes everything a bare Linux x64 GPU machine needs:',
  'node and onnxruntime-node (xz), the Vulkan loader (Debian `libvulkan1`), the benchmark bundled into one file, the',
  'random-SD skeletons and the native anchor (`anchor.py` + `tools/toy-model/model.py`). Copy DIR there and run',
  '`bash DIR/run.sh --out RESULTS` (budgeted to 7 minutes; `--help` for options). It:',
  '',
  '1. regenerates the random-weight SD 1.5 pipeline (`npm run random-sd -- --scale full`: fp16 UNet of 859,520,964',
  '   parameters, CLIP-L text encoder, SD VAE decoder) while PyTorch times the native anchor on the GPU;',
  '2. instruments the UNet twice (materialised, and with unedited self-attention fused into `MultiHeadAttention`);',
  '3. on the first execution provider that opens (`webgpu`: Dawn over Vulkan; then `cuda` if its libraries are',
  '   there) times stock, instrumented-identity, instrumented-edit, fused-identity and fused-edit UNet calls',
  '   (batch 4, 64×64, rounds with the order rotated, outputs read back every call);',
  '4. compares fused against materialised attention outputs on that GPU, and probes `MultiHeadAttention` alone shape by shape against a float64 reference (scripts/probe/mhaProbe.ts: on SwiftShader its flash-attention path is wrong; docs/instrumentation.md);',
  '5. runs the engine\'s full 2-prompt edit (50 PNDM steps, VAE included) against a plain batch-4 generation on the',
  '   instrumented and on the stock UNet, interleaved, with the per-step host overhead from the pipeline\'s timings;',
  '6. writes `results.json`, `results.md` (this block) and `benchmarks-gpu.svg`; here,',
  '   `npm run gpu-pack -- --render RESULTS/results.json` puts them into docs/.',
  '',
  'The Node engine on onnxruntime-node reads each UNet output back to the CPU (the host loop); the browser\'s',
  'GPU-resident loop cannot run there (no browser). Dry run without a GPU: `bash DIR/run.sh --ep cpu --scale mini',
  '--steps 2` (part of `npm test`, scripts/gpu-pack/gpuPack.test.ts).',
].join('\n');

function perStepShare(t: StageTimings[]): number[] {
  return t.map((x) => (100 * (x.unetLoop - x.unetCalls)) / x.unetLoop);
}

function unetLines(r: PackResults, dtype: string): string[] {
  const u = r.unet;
  if (!u) return ['UNet calls: not measured.'];
  const s = (v: number[] | undefined): Summary => summarize(v ?? []);
  const ratio = (a: string, b: string): Summary => summarize(ratios(u.ms[a] ?? [], u.ms[b] ?? []));
  const rows: [string, string, string, string][] = [
    ['stock', 'stock', '', ''],
    ['instrumented, identity', 'identity', 'stock', '≤ 1.05'],
    ['instrumented, edit', 'edit', 'stock', '≤ 1.05'],
    ['fused unedited attention, identity', 'fusedIdentity', 'identity', ''],
    ['fused unedited attention, edit', 'fusedEdit', 'edit', ''],
  ];
  const out = [
    `UNet calls on **${r.ep}** (${dtype}, batch 4, ${r.settings.latent}×${r.settings.latent}), sessions ${Object.entries(u.sessionMs).map(([k, v]) => `${k} ${fmt(v / 1000)} s`).join(', ')}${u.stoppedEarly ? '; **stopped early** (time budget)' : ''}:`,
    '',
    '| variant | ms / call | ratio (per round) | to | goal |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const [label, name, base, goal] of rows) {
    const rs = base ? ratio(name, base) : null;
    out.push(`| ${label} | ${cell(s(u.ms[name]))} | ${rs ? cell(rs, '', 3) : '1'} | ${base} | ${goal && rs ? `${goal}: ${verdict(rs, 1.05)}` : ''} |`);
  }
  return out;
}

function parityLines(r: PackResults, dtype: string): string[] {
  if (!r.parity) return [`Fused vs materialised attention: ${r.errors.parity ? `failed (${r.errors.parity})` : 'not measured'}.`];
  const bound = dtype === 'fp16' ? FUSED_PARITY_BOUND.fp16 : FUSED_PARITY_BOUND.fp32;
  const p = r.parity;
  const holds = p.identity.rel <= bound && p.edit.rel <= bound;
  return [
    `Fused vs materialised unedited self-attention on ${r.ep}: max |Δ| / max |out| = ${p.identity.rel.toExponential(2)} (identity), ${p.edit.rel.toExponential(2)} (edit); bound ${bound}: **${holds ? 'parity holds' : 'parity fails'}**.`,
  ];
}

/** The MultiHeadAttention probe: on SwiftShader its flash-attention path (head size % 4 = 0, ≥ 32 queries) is wrong. */
function mhaLines(r: PackResults): string[] {
  if (!r.mha) return [`MultiHeadAttention probe: ${r.errors.mha ? `failed (${r.errors.mha})` : 'not run'}.`];
  return [`MultiHeadAttention alone on ${r.ep} against a float64 reference (fp32; scripts/probe/mhaProbe.ts):`, '', mhaTable(r.mha)];
}

function pipelineLines(r: PackResults): string[] {
  const p = r.pipelines;
  if (!p) return [`Full generations: ${r.errors.pipelines ? `failed (${r.errors.pipelines})` : 'not measured'}.`];
  const total = (t: StageTimings[]): number[] => t.map((x) => x.total);
  const secs = (t: StageTimings[]): string => cell(summarize(total(t).map((v) => v / 1000)), ' s');
  const rows: [string, StageTimings[]][] = [
    ['full edit (P2P, source + 1 swap)', p.edit],
    ['same batch, no controller (instrumented)', p.plain],
    ['same batch, stock UNet (plain batch-4 generation)', p.plainStock],
  ];
  const vsStock = summarize(ratios(total(p.edit), total(p.plainStock)));
  const vsPlain = summarize(ratios(total(p.edit), total(p.plain)));
  const over = summarize(perStepShare(p.edit));
  return [
    `Full generations (${r.settings.steps} PNDM steps, guidance 7.5, VAE included; load ${fmt(p.loadMs.instrumented / 1000)} s instrumented, ${fmt(p.loadMs.stock / 1000)} s stock)${p.stoppedEarly ? '; **stopped early** (time budget)' : ''}:`,
    '',
    '| run | total | UNet loop | UNet calls | host overhead, % of loop |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map(([label, t]) => {
      const med = (f: (x: StageTimings) => number): string => fmt(summarize(t.map(f)).median / 1000);
      return `| ${label} | ${secs(t)} | ${med((x) => x.unetLoop)} s | ${med((x) => x.unetCalls)} s | ${cell(summarize(perStepShare(t)), ' %')} |`;
    }),
    '',
    `- Full edit / plain batch-4 generation (stock UNet): ${cell(vsStock, '', 3)}; goal ≤ 1.05: ${verdict(vsStock, 1.05)}.`,
    `- Full edit / same batch without controller (instrumented): ${cell(vsPlain, '', 3)}.`,
    `- Per-step host overhead (outside \`session.run\`), edit: ${cell(over, ' %')}; goal < 3 %: ${over.n === 0 ? 'not measured' : over.median < 3 ? 'met' : '**missed**'}.`,
  ];
}

function anchorLines(r: PackResults): string[] {
  const a = r.anchor;
  if (!a) return [`Native PyTorch anchor: ${r.errors.anchor ? `failed (${r.errors.anchor})` : 'not run'}.`];
  return [
    `Native PyTorch anchor (\`anchor.py\`, ${a.device}, torch ${a.torch}, same UNet architecture, fp16, 64×64 unless on CPU):`,
    '',
    '| batch | attention | P2P hook | ms / UNet call | 51 calls (s) | peak GiB |',
    '| --- | --- | --- | --- | --- | --- |',
    ...a.results.map((x) => `| ${x.batch} | ${x.sdpa ? 'SDPA' : 'materialised'} | ${x.hook ? 'yes' : 'no'} | ${x.ms_per_call} | ${x.edit_s_51_calls} | ${x.peak_gib} |`),
  ];
}

function dtypeOf(r: PackResults): string {
  return r.weights?.components.unet?.precision ?? '?';
}

export function renderPackReport(r: PackResults | null): string {
  const lines = [GPU_START, '## GPU: the benchmark pack (`npm run gpu-pack`)', '', HOW, ''];
  if (!r) {
    lines.push('**Not run yet**: no GPU machine has been available to this project since the pack exists. The figures appear here after a run.');
  } else {
    const dtype = dtypeOf(r);
    const w = r.weights;
    lines.push(
      `Run ${r.startedAt} (${fmt(r.durationS ?? 0)} s): ${r.machine.gpu ?? 'no GPU named'}; ${r.machine.cpus} × ${r.machine.cores}, ${r.machine.memoryGB} GB; Node ${r.machine.node}, onnxruntime-node ${r.machine.onnxruntime}; scale **${r.settings.scale}**${r.settings.scale === 'mini' ? ' (a dry run: not SD-size)' : ''}; execution provider **${r.ep ?? 'none'}**${r.epErrors.length ? ` (after: ${r.epErrors.join('; ')})` : ''}.`,
      '',
      `Weights written in ${fmt((w?.ms ?? NaN) / 1000)} s (${w ? Object.entries(w.components).map(([k, c]) => `${k} ${c.parameters.toLocaleString('en-US')} ${c.precision}`).join(', ') : '–'}); instrumentation ${fmt(r.instrument?.ms ?? NaN)} ms (${r.instrument?.layers ?? '–'}), fused variant ${fmt(r.instrument?.fusedMs ?? NaN)} ms (${r.instrument?.fusedLayers ?? 0} layers fused).`,
      '',
      ...unetLines(r, dtype),
      '',
      ...parityLines(r, dtype),
      '',
      ...mhaLines(r),
      '',
      ...pipelineLines(r),
      '',
      ...anchorLines(r),
      '',
      `![ms per UNet call by variant, and a whole edit against the native anchor](${CHART_FILE})`,
    );
    for (const [part, err] of Object.entries(r.errors)) lines.push('', `- ${part} failed: ${err}`);
  }
  lines.push(GPU_END, '');
  return lines.join('\n');
}

/** `doc` with its GPU block (between the bench:gpu markers) replaced by `block`, or `block` appended. */
export function withGpuBlock(doc: string, block: string): string {
  const a = doc.indexOf(GPU_START);
  const b = doc.indexOf(GPU_END);
  if (a >= 0 && b > a) return doc.slice(0, a) + block.trimEnd() + doc.slice(b + GPU_END.length);
  return `${doc.trimEnd()}\n\n${block}`;
}

export function renderPackChart(r: PackResults): string {
  const med = (v: number[] | undefined): number => summarize(v ?? []).median;
  // On a CPU the anchor times a smaller UNet at 8×8 (anchor.py): not comparable, and labelled so.
  const torchOn = r.anchor?.device === 'cpu' ? '(CPU, small UNet)' : `(${r.anchor?.device ?? 'not run'})`;
  const anchor = (sdpa: boolean, hook: boolean) => r.anchor?.results.find((x) => x.batch === 4 && x.sdpa === sdpa && x.hook === hook);
  const calls: Bar[] = [
    { label: `ORT ${r.ep ?? ''}: stock`, value: med(r.unet?.ms.stock) },
    { label: 'instrumented, identity', value: med(r.unet?.ms.identity) },
    { label: 'instrumented, edit', value: med(r.unet?.ms.edit) },
    { label: 'fused unedited, identity', value: med(r.unet?.ms.fusedIdentity) },
    { label: 'fused unedited, edit', value: med(r.unet?.ms.fusedEdit) },
    { label: `PyTorch ${torchOn}: SDPA`, value: anchor(true, false)?.ms_per_call ?? NaN },
    { label: `PyTorch ${torchOn}: materialised + P2P hook`, value: anchor(false, true)?.ms_per_call ?? NaN },
  ];
  const totals = (t: StageTimings[] | undefined): number => med(t?.map((x) => x.total)) / 1000;
  const steps = r.settings.steps;
  const edit: Bar[] = [
    { label: 'ORT engine: full P2P edit', value: totals(r.pipelines?.edit) },
    { label: 'ORT engine: plain batch 4 (stock)', value: totals(r.pipelines?.plainStock) },
    { label: `PyTorch ${torchOn} hook: ${steps + 1} calls only`, value: ((anchor(false, true)?.ms_per_call ?? NaN) * (steps + 1)) / 1000 },
    { label: `PyTorch ${torchOn} SDPA: ${steps + 1} calls only`, value: ((anchor(true, false)?.ms_per_call ?? NaN) * (steps + 1)) / 1000 },
  ];
  return barChartSvg([
    { title: `UNet call, batch 4, ${r.settings.latent}×${r.settings.latent} latents (${r.machine.gpu ?? r.ep ?? ''})`, unit: 'ms', bars: calls },
    { title: `Whole 2-prompt edit, ${steps} PNDM steps`, unit: 's', bars: edit },
  ]);
}
