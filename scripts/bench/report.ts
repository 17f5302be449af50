// docs/benchmarks.md from one run's results: header (command, machine, what else ran), the tables of
// reportTables.ts, memory, PyTorch, a reading of what dominates; the --gpu block is kept between runs.

import type { BenchResults } from './results';
import { backendLabel, backendTable, goalRows, goalTable, runsTable, stageTable, unetTable, type GoalRow } from './reportTables';
import { cell, fmt, ratios, summarize } from './stats';

export const GPU_START = '<!-- bench:gpu:start -->';
export const GPU_END = '<!-- bench:gpu:end -->';

function memoryTable(r: BenchResults): string {
  const lines = ['| process | peak | notes |', '| --- | --- | --- |'];
  const m = r.node?.memory;
  if (m) {
    lines.push(`| Node engine process (onnxruntime-node, instrumented toy model, one full edit) | **${fmt(m.runPeakMB)} MB** RSS (getrusage maxrss) | ${fmt(m.startPeakMB)} MB before loading (node + tsx), ${fmt(m.loadedPeakMB)} MB after loading |`);
  } else if (r.node?.memoryError) lines.push(`| Node engine process | failed | ${r.node.memoryError.slice(0, 160)} |`);
  for (const b of r.browser?.results ?? []) {
    const mem = b.memory;
    if (!mem) continue;
    const page = mem.page.bytes !== null ? `**${fmt(mem.page.bytes / 2 ** 20)} MB** (measureUserAgentSpecificMemory, page + workers, after all runs)` : `unavailable: ${mem.page.reason}`;
    const renderer = mem.renderer.length ? Math.max(...mem.renderer.map((p) => p.peakMB)) : Number.NaN;
    const gpu = mem.gpu.length ? Math.max(...mem.gpu.map((p) => p.peakMB)) : Number.NaN;
    lines.push(`| ${backendLabel(b)} | ${page} | renderer peak RSS (VmHWM) ${fmt(renderer)} MB over ${mem.renderer.length} process(es) of its context; GPU process peak ${fmt(gpu)} MB (shared by all backends) |`);
  }
  return lines.join('\n');
}

function profileSection(r: BenchResults): string {
  const p = r.node?.profile;
  if (!p) return `Not measured${r.node?.profileError ? `: ${r.node.profileError.slice(0, 200)}` : ''}.`;
  const row = (name: string, k: typeof p.stock) =>
    `| ${name} | ${fmt(k.totalUs)} | ${fmt(k.p2pUs)} (${fmt((100 * k.p2pUs) / k.totalUs)} %) | ${fmt(k.perCrossLayerUs)} | ${fmt(k.perSelfLayerUs)} | ${fmt(k.globalUs)} | ${k.topOps.map(([op, us]) => `${op} ${fmt(us)}`).join(', ')} |`;
  return [
    `onnxruntime-node's profiler (kernel time, µs per batch-4 call, mean of ${p.calls} calls after 3 warm-up calls, ${r.settings.threads} thread(s)); the inserted nodes are those named \`…/p2p/…\`. Profiling adds per-node overhead, so read the shares, not the absolute sums.`,
    '',
    '| graph | all kernels | inserted `/p2p/` nodes | per edited cross layer | per edited self layer | map sum (global) | top inserted op types |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    row('stock', p.stock),
    row('instrumented, identity', p.identity),
    row('instrumented, edit', p.edit),
  ].join('\n');
}

function torchSection(r: BenchResults): string {
  const n = r.node;
  if (!n || !n.torch) return `Not measured${n?.torchError ? `: ${n.torchError.slice(0, 300)}` : ''}.`;
  const t = n.torch;
  const te = n.runs.external.torchEdit ?? [];
  const tp = n.runs.external.torchPlain ?? [];
  const ortEdit = n.runs.edit.map((x) => x.total);
  return [
    `\`tools/toy-model/bench_torch.py serve\`: the toy model's PyTorch pipeline (\`pipeline.py\`: PNDM, \`AttentionReplace\` controller with its attention store), torch ${t.torch}, ${t.threads} thread(s), checkpoint \`${t.ckpt.replace(/^.*\/tools\//, 'tools/')}\`, asked one generation per round between the onnxruntime runs.`,
    '',
    '| run | ms per generation | onnxruntime-node / PyTorch (per round) |',
    '| --- | --- | --- |',
    `| PyTorch full edit (P2P) | ${cell(summarize(te))} | ${cell(summarize(ratios(ortEdit, te)))} |`,
    `| PyTorch same batch, no controller | ${cell(summarize(tp))} | ${cell(summarize(ratios(n.runs.plain.map((x) => x.total), tp)))} |`,
    `| PyTorch edit / no controller | ${cell(summarize(ratios(te, tp)))} | |`,
  ].join('\n');
}

function reading(r: BenchResults, goals: GoalRow[]): string {
  const out: string[] = [];
  const n = r.node;
  const p = n?.profile;
  if (p) {
    const ops = p.identity.topOps.map(([op]) => op).join(', ');
    out.push(`- **In-graph edit cost:** the inserted \`/p2p/\` nodes take ${fmt((100 * p.identity.p2pUs) / p.identity.totalUs)} % of the instrumented call's kernel time with identity parameters (${fmt((100 * p.edit.p2pUs) / p.edit.totalUs)} % with an edit), about ${fmt(p.identity.perCrossLayerUs)} µs per cross layer and ${fmt(p.identity.perSelfLayerUs)} µs per small self layer; mostly ${ops}. Per layer the edit is a handful of nodes (a view by batch row; cross: one Split, a Gather of the source row, one MatMul with the gain folded into the maps, a Mul, an Add, one Concat; self: a Gather of rows and a Where on \`p2p_self\`), so on this tiny UNet each node's launch weighs about as much as its arithmetic.`);
  }
  if (n) {
    const e = n.runs.edit;
    const share = (k: 'unetCalls' | 'textEncoder' | 'vae' | 'tokenizer') => (summarize(e.map((t) => t[k] / t.total)).median * 100).toFixed(0);
    out.push(`- **What dominates (Node, full edit):** UNet calls ${share('unetCalls')} % of the total, text encoder ${share('textEncoder')} %, VAE ${share('vae')} %, tokenizer ${share('tokenizer')} %; the rest is the per-step work outside the UNet.`);
    const perCall = summarize(n.unet.stock).median;
    out.push(`- The toy UNet is tiny (${fmt(perCall)} ms per batch-4 call on onnxruntime-node), so fixed per-call and per-step costs weigh far more here than with SD 1.5, where one call takes seconds on a CPU; the ratios are upper bounds for bigger models.`);
  }
  if (n) {
    const stockBatch = summarize(ratios(n.runs.plainStock.map((x) => x.total), n.runs.singles)).median;
    out.push(`- **Batching:** the 2-prompt batch on the stock UNet takes ${fmt(stockBatch)}× the time of two single-prompt runs: on a 2-core CPU the UNet's cost grows almost linearly with the batch, so batching saves only per-call fixed costs (and the shared text-encoder/VAE calls); on a GPU a batch of 4 costs little more than a batch of 2. The full edit / two singles ratio therefore also carries the instrumentation and controller costs.`);
    const te = n.runs.external.torchEdit ?? [];
    if (te.length) out.push(`- **PyTorch:** one full edit takes ${fmt(summarize(te).median)} ms in PyTorch eager (torch ${n.torch?.torch}) vs ${fmt(summarize(n.runs.edit.map((x) => x.total)).median)} ms on onnxruntime-node, ratio ${fmt(summarize(ratios(n.runs.edit.map((x) => x.total), te)).median)} (same thread count, interleaved).`);
  }
  const wasm = (r.browser?.results ?? []).filter((b) => b.backend.provider === 'wasm' && b.edit.length);
  if (wasm.length === 2) {
    const [a, b] = wasm.map((w) => summarize(w.edit.map((x) => x.timings.total)).median);
    out.push(`- **wasm threads:** a full edit takes ${fmt(a)} ms with 1 thread and ${fmt(b)} ms with 2 (ratio ${fmt(b / a)}); the toy UNet's ops are too small to split well, and on a shared 2-core machine the second thread competes with everything else.`);
  }
  const gpu = (r.browser?.results ?? []).find((b) => b.backend.provider === 'webgpu' && b.edit.length);
  if (gpu) out.push(`- **WebGPU on SwiftShader** runs every shader on the CPU (${fmt(summarize(gpu.edit.map((x) => x.timings.unetCalls / (gpu.backend.steps + 1))).median)} ms per UNet call): it proves the WebGPU path works, its times say nothing about a real GPU (see the GPU mode below).`);
  const missed = goals.filter((g) => g.verdict.includes('missed'));
  if (missed.length === 0) out.push('- All goals judged on this machine are met.');
  for (const g of missed) out.push(`- **Missed: ${g.what}** (median ${g.goal.includes('%') ? fmt(g.value.median) : g.value.median.toFixed(3)}, goal ${g.goal}). ${evidenceFor(g.what, r)}${planFor(g.what)}`);
  return out.join('\n');
}

/** What the other measurements say about a missed full-run goal (how much is systematic, how much noise). */
function evidenceFor(what: string, r: BenchResults): string {
  const n = r.node;
  if (!n || !what.startsWith('Full edit / same batch') || !what.includes('Node')) return '';
  const stock = what.includes('stock');
  const base = stock ? n.runs.plainStock : n.runs.plain;
  const call = summarize(ratios(n.unet.edit, stock ? n.unet.stock : n.unet.identity)).median;
  const inRuns = summarize(ratios(n.runs.edit.map((t) => t.unetCalls), base.map((t) => t.unetCalls)));
  const over = (runs: { perStepOverhead: number }[]) => summarize(runs.map((t) => t.perStepOverhead)).median;
  const facts = `Inside these runs the UNet calls of the edit take ${inRuns.median.toFixed(3)}× those of the baseline (per round, range ${fmt(inRuns.min)}–${fmt(inRuns.max)}); the isolated call benchmark (same inputs, the edit's per-call parameters replayed) puts an edited call at ${call.toFixed(3)}× ${stock ? 'a stock' : 'an identity'} call; the per-step work outside the UNet is ${fmt(over(n.runs.edit))} vs ${fmt(over(base))} ms. `;
  if (Math.abs(inRuns.median - call) < 0.03) {
    const ctrl = summarize(ratios(n.runs.edit.map((t) => t.total), n.runs.plain.map((t) => t.total))).median;
    return `${facts}The two agree: the gap is the instrumented graph's cost (UNet rows, profiler table); the controller itself adds nothing measurable (full edit / same batch on the instrumented UNet: ${ctrl.toFixed(3)}). `;
  }
  return `${facts}The gap is thus in the UNet calls of the loop and is not resolved by this run: either noise of the loaded machine (12 rounds, wide range) or a cost the isolated benchmark does not see (latents and attention that differ between the prompts, the pipeline's allocations). Next step: rerun on a quiet machine; if it stays, time the loop with the edit's tensors but the baseline's latents. `;
}

/** What costs and the plan to fix it, per kind of goal. */
function planFor(what: string): string {
  if (what.startsWith('UNet call')) {
    return 'What costs (see the profiler table): per edited layer a handful of small nodes (views, one Split or Gather, the edit arithmetic, one Concat or Where) and once per call the shared index and map tensors and the sum of `p2p_attn`; on the toy UNet, whose layers are tiny, node launches are a visible share of a call, on SD 1.5 the convolutions and the large self-attention layers (left alone) dominate. Next: produce `p2p_attn` only in calls whose maps are shown, and skip the self edit in calls without self replacement by feeding a graph variant without it.';
  }
  if (what.startsWith('Full edit / same batch') || what.startsWith('Full edit / same batch without')) {
    return 'What costs: the edited UNet calls (see the UNet row) plus building the per-call p2p tensors (77×77 maps, alpha rows) on the CPU every step. Plan: precompute the per-call tensors of the whole plan once per run, reuse ORT tensors across calls, and the in-graph savings above.';
  }
  if (what.startsWith('Per-step overhead')) {
    return 'What costs: per step the JS side concatenates the batch, splits the halves, runs guidance and the PNDM step on plain arrays, accumulates `p2p_attn` ([P, R·R, 77]) and, with LocalBlend, max-pools/resizes the mask; in the browser also the attention events and copies across the worker boundary. Against a toy UNet call of a few ms this is a few %. Plan: preallocate the loop buffers (no concat/split allocations), throttle attention accumulation to the calls whose maps are shown. (On WebGPU the loop now keeps the latents on the GPU and runs guidance + scheduler + LocalBlend as WGSL kernels — docs/engine.md; the wasm figure here is the CPU path.)';
  }
  if (what.includes('single-prompt')) return 'Below 1, but not clearly: on this CPU batching itself gains little (see Batching above: the UNet cost grows almost linearly with the batch), and the instrumented graph and the controller take back part of that gain. On a GPU, where a batch of 4 costs little more than a batch of 2, the ratio approaches 0.5; the in-graph plan above lowers the instrumentation share on every backend.';
  return '';
}

export function renderReport(r: BenchResults, keptGpuBlock: string): string {
  const goals = goalRows(r);
  const c = r.contention;
  const s = r.settings;
  const parts = [
    '# Benchmarks',
    '',
    '_Generated by `npm run bench` (`npx tsx scripts/bench.ts`); do not edit by hand. Ratios are measured side by side in one run (variants interleaved, order rotated per round) on a shared, noisy machine: absolute times are indicative, ratios are what to read. Nothing here is asserted by tests._',
    '',
    `- Run: ${r.startedAt} → ${r.finishedAt ?? '?'} (${fmt(r.durationS ?? Number.NaN)} s), command \`${r.command}\``,
    `- Machine: ${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memGB} GB, Node ${r.machine.node}; browser ${r.browser?.browser ?? 'not run'}`,
    `- Model: \`${r.modelDir}\`${r.modelSummary ? ` (${r.modelSummary})` : ''}; ${r.node?.instrumentedLayers ?? ''}`,
    `- Settings: ${s.steps} PNDM steps (${s.steps + 1} UNet calls), guidance 7.5, prompts "a red circle" → "a red square" (replace, cross 0.8, self 0.4); onnxruntime-node and PyTorch ${s.threads} thread(s); UNet ${s.unetRounds} rounds × ${s.unetCalls} calls; generations ${s.runRounds} rounds (median of ${s.runReps} runs per variant per round, PyTorch once per round); browser ${s.browserRounds} rounds (WebGPU ${s.webgpuRounds} rounds of ${s.webgpuSteps} steps)`,
    `- Also running: load average ${fmt(c.loadStart)} at the start, ${fmt(c.loadEnd ?? Number.NaN)} at the end; ${c.others.length ? c.others.join('; ') : 'no other heavy process seen (training, evaluation, tests, browsers)'}`,
    '',
    '## Goals',
    '',
    goalTable(goals),
    '',
    '## Reading',
    '',
    reading(r, goals),
    '',
  ];
  if (r.node) parts.push('## UNet call (onnxruntime-node CPU)', '', unetTable(r), '', '## Full generation (onnxruntime-node CPU)', '', runsTable(r), '');
  else parts.push(`Node part not run${r.nodeError ? `: ${r.nodeError}` : ''}.`, '');
  parts.push('## Stage breakdown', '', stageTable(r), '', '## Backends', '', backendTable(r), '');
  if (r.browserError) parts.push(`Browser part failed: ${r.browserError.slice(0, 400)}`, '');
  if (r.node) parts.push('## In-graph edit cost (onnxruntime profiler)', '', profileSection(r), '');
  parts.push('## Peak memory', '', memoryTable(r), '', '## PyTorch reference (same toy model, same CPU)', '', torchSection(r), '');
  parts.push('Native PyTorch fp16 anchor on a real GPU (H200, SD 1.5 UNet): [gpu-anchor.md](gpu-anchor.md).', '');
  parts.push(keptGpuBlock);
  return `${parts.join('\n').trimEnd()}\n`;
}
