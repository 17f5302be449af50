// Markdown tables of the CPU benchmark: goals, UNet calls, generations, stage breakdown, backends, memory,
// PyTorch. Every figure is a median with its spread; ratios are per round (side by side), then summarised.

import type { StageTimings } from '../../src/diffusion';
import type { BrowserBackendResult } from '../../e2e/bench/benchTypes';
import type { BenchResults } from './results';
import { cell, fmt, ratios, summarize, verdict, type Summary } from './stats';

const field = (runs: StageTimings[], k: keyof StageTimings): number[] => runs.map((t) => t[k]);
/** Share of the denoising loop spent outside `backend.unet` (scheduler, guidance, LocalBlend, accumulation, copies). */
const overheadShare = (runs: StageTimings[]): number[] => runs.map((t) => (t.unetLoop - t.unetCalls) / t.unetLoop);

export interface GoalRow {
  what: string;
  value: Summary;
  goal: string;
  verdict: string;
}

export function goalRows(r: BenchResults): GoalRow[] {
  const rows: GoalRow[] = [];
  const n = r.node;
  if (n) {
    const u = n.unet;
    rows.push({ what: 'UNet call, instrumented (identity) / stock, Node', value: summarize(ratios(u.identity, u.stock)), goal: '≤ 1.05', verdict: verdict(summarize(ratios(u.identity, u.stock)), 1.05) });
    rows.push({ what: 'UNet call, instrumented (edit) / stock, Node', value: summarize(ratios(u.edit, u.stock)), goal: '≤ 1.05', verdict: verdict(summarize(ratios(u.edit, u.stock)), 1.05) });
    const e = field(n.runs.edit, 'total');
    const p2pPlain = summarize(ratios(e, field(n.runs.plain, 'total')));
    rows.push({ what: 'Full edit / same batch without controller (instrumented UNet), Node', value: p2pPlain, goal: '≤ 1.05', verdict: verdict(p2pPlain, 1.05) });
    const p2pStock = summarize(ratios(e, field(n.runs.plainStock, 'total')));
    rows.push({ what: 'Full edit / same batch on the stock UNet, Node', value: p2pStock, goal: '≤ 1.05', verdict: verdict(p2pStock, 1.05) });
    const singles = summarize(ratios(e, n.runs.singles));
    rows.push({ what: 'Full edit / two single-prompt generations, Node', value: singles, goal: 'clearly < 1', verdict: singles.median < 0.9 ? 'met' : '**missed**' });
    for (const [label, runs] of [['edit', n.runs.edit], ['edit + LocalBlend', n.runs.blend]] as const) {
      const share = summarize(overheadShare(runs).map((x) => x * 100));
      rows.push({ what: `Per-step overhead outside the UNet, % of the loop (${label}), Node`, value: share, goal: '< 3 %', verdict: share.n ? (share.median < 3 ? 'met' : '**missed**') : 'not measured' });
    }
  }
  for (const b of r.browser?.results ?? []) {
    if (b.edit.length === 0) continue;
    const s = summarize(ratios(b.edit.map((x) => x.timings.total), b.plain.map((x) => x.timings.total)));
    const label = b.backend.provider === 'webgpu' ? 'WebGPU (SwiftShader, correctness-only)' : `wasm ${b.backend.threads} thread${b.backend.threads > 1 ? 's' : ''}`;
    rows.push({ what: `Full edit / same batch without controller, Chromium ${label}`, value: s, goal: '≤ 1.05', verdict: b.backend.provider === 'webgpu' ? 'not judged (software GPU)' : verdict(s, 1.05) });
    const share = summarize(overheadShare(b.edit.map((x) => x.timings)).map((x) => x * 100));
    if (b.backend.provider !== 'webgpu') rows.push({ what: `Per-step overhead, % of the loop (edit), Chromium ${label}`, value: share, goal: '< 3 %', verdict: share.median < 3 ? 'met' : '**missed**' });
  }
  return rows;
}

export function goalTable(rows: GoalRow[]): string {
  const lines = ['| measure | median (IQR, range, n) | goal | verdict |', '| --- | --- | --- | --- |'];
  for (const g of rows) lines.push(`| ${g.what} | ${cell(g.value, '', g.goal.includes('%') ? undefined : 3)} | ${g.goal} | ${g.verdict} |`);
  return lines.join('\n');
}

export function unetTable(r: BenchResults): string {
  const u = r.node!.unet;
  const lines = [
    `Batch ${u.batch} (2 prompts × CFG). ${u.stock.length} rounds; in each, the variants take turns in blocks of 5 calls (order rotated) up to ${u.callsPerRound} calls each; the first call of each block (cache refill after the other session ran) is dropped and the round's value is the median of the rest; ratios are taken per round. (Alternating call by call biased the result: the session that ran twice in a row kept the caches warm.)`,
    '',
    '| variant | ms / call | ratio to stock (per round) |',
    '| --- | --- | --- |',
    `| stock export | ${cell(summarize(u.stock))} | 1 |`,
    `| instrumented, identity parameters | ${cell(summarize(u.identity))} | ${cell(summarize(ratios(u.identity, u.stock)))} |`,
    `| instrumented, swap edit (the plan's parameters of calls 0…${r.settings.steps}, replayed in turn) | ${cell(summarize(u.edit))} | ${cell(summarize(ratios(u.edit, u.stock)))} |`,
  ];
  return lines.join('\n');
}

export function runsTable(r: BenchResults): string {
  const n = r.node!.runs;
  const e = field(n.edit, 'total');
  const row = (what: string, v: number[], ratio: boolean) => `| ${what} | ${cell(summarize(v))} | ${ratio ? cell(summarize(ratios(e, v))) : '1'} |`;
  return [
    '| variant | ms per generation (total) | full edit / this (per round) |',
    '| --- | --- | --- |',
    row('full edit: source + 1 word swap, P2P controller', e, false),
    row('same 2-prompt batch, no controller (instrumented UNet, identity parameters)', field(n.plain, 'total'), true),
    row('same 2-prompt batch, no controller, stock UNet', field(n.plainStock, 'total'), true),
    row('two single-prompt generations (stock UNet), summed', n.singles, true),
    row('full edit + LocalBlend ("circle", "square")', field(n.blend, 'total'), true),
  ].join('\n');
}

const med = (v: number[]): string => fmt(summarize(v).median);

function stageRow(label: string, runs: StageTimings[]): string {
  if (runs.length === 0) return `| ${label} | – | – | – | – | – | – | – | – | 0 |`;
  const share = summarize(overheadShare(runs).map((x) => x * 100));
  return `| ${label} | ${med(field(runs, 'tokenizer'))} | ${med(field(runs, 'textEncoder'))} | ${med(field(runs, 'unetLoop'))} | ${med(field(runs, 'unetCalls'))} | ${med(field(runs, 'perStepOverhead'))} | ${fmt(share.median)} % (${fmt(share.min)}–${fmt(share.max)}) | ${med(field(runs, 'vae'))} | ${med(field(runs, 'total'))} | ${runs.length} |`;
}

export function backendLabel(b: BrowserBackendResult): string {
  const k = b.backend;
  if (k.provider === 'webgpu') return `Chromium WebGPU on SwiftShader (**correctness-only, software GPU**), ${k.steps} steps`;
  return `Chromium onnxruntime-web wasm, ${k.threads} thread${k.threads > 1 ? 's' : ''}`;
}

export function stageTable(r: BenchResults): string {
  const lines = [
    'Medians in ms (pipeline `timings`; in the browser as reported by the engine worker\'s `done` event, so attention streaming and previews are inside).',
    '',
    '| run | tokenizer | text encoder | UNet loop | UNet calls | overhead / step | overhead, % of loop (range) | VAE | total | n |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  if (r.node) {
    lines.push(stageRow('Node CPU: full edit', r.node.runs.edit));
    lines.push(stageRow('Node CPU: full edit + LocalBlend', r.node.runs.blend));
    lines.push(stageRow('Node CPU: same batch, no controller', r.node.runs.plain));
  }
  for (const b of r.browser?.results ?? []) {
    lines.push(stageRow(`${backendLabel(b)}: full edit`, b.edit.map((x) => x.timings)));
    lines.push(stageRow(`${backendLabel(b)}: no controller`, b.plain.map((x) => x.timings)));
  }
  return lines.join('\n');
}

export function backendTable(r: BenchResults): string {
  const lines = ['| backend | load (ms) | full edit (ms) | no controller (ms) | edit / no controller | ms per UNet call (edit) |', '| --- | --- | --- | --- | --- | --- |'];
  if (r.node) {
    const n = r.node;
    const calls = r.settings.steps + 1;
    lines.push(`| onnxruntime-node CPU, ${r.settings.threads} thread(s) | ${fmt(n.loadMs.instrumented)} (stock ${fmt(n.loadMs.stock)}) | ${cell(summarize(field(n.runs.edit, 'total')))} | ${med(field(n.runs.plain, 'total'))} | ${cell(summarize(ratios(field(n.runs.edit, 'total'), field(n.runs.plain, 'total'))))} | ${fmt(summarize(field(n.runs.edit, 'unetCalls')).median / calls)} |`);
  }
  for (const b of r.browser?.results ?? []) {
    if (b.error) {
      lines.push(`| ${backendLabel(b)} | failed: ${b.error.slice(0, 120)} | | | | |`);
      continue;
    }
    const e = b.edit.map((x) => x.timings.total);
    const p = b.plain.map((x) => x.timings.total);
    const calls = b.backend.steps + 1;
    lines.push(`| ${backendLabel(b)} | ${fmt(b.ready?.loadMs ?? Number.NaN)} | ${cell(summarize(e))} | ${med(p)} | ${cell(summarize(ratios(e, p)))} | ${fmt(summarize(b.edit.map((x) => x.timings.unetCalls)).median / calls)} |`);
  }
  return lines.join('\n');
}
