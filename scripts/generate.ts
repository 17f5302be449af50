// Headless Prompt-to-Prompt generation in Node (onnxruntime-node): writes each image as PNG, a grid,
// the source prompt's per-token attention tiles, and timings.json. `--help` prints the options.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate, PipelineError, type GenerateRequest, type GenerateResult, type ProgressEvent } from '../src/diffusion';
import { loadNodeModel, type NodeModel } from '../src/runtime/nodeModel';
import { USAGE, parseGenerateArgs } from '../src/runtime/nodeGenerateArgs';
import { attentionTiles, gridRow, writePng } from '../src/runtime/nodeImages';

function progressBar(label: string): (e: ProgressEvent) => void {
  return (e) => {
    const width = 30;
    const done = Math.round((width * e.call) / e.total);
    process.stderr.write(`\r${label} [${'#'.repeat(done)}${'.'.repeat(width - done)}] ${e.call}/${e.total} ${(e.elapsed / 1000).toFixed(1)}s`);
    if (e.call === e.total) process.stderr.write('\n');
  };
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'prompt';
}

/** Writes `<prefix><n>-<slug>.png` per prompt and `<prefix>grid.png`; returns the file names. */
function saveImages(outDir: string, prefix: string, prompts: string[], res: GenerateResult): string[] {
  const images = res.images.map((data) => ({ data, width: res.width, height: res.height }));
  const files = prompts.map((p, i) => `${prefix}${i}-${slug(p)}.png`);
  images.forEach((img, i) => writePng(join(outDir, files[i]), img));
  writePng(join(outDir, `${prefix}grid.png`), gridRow(images));
  return [...files, `${prefix}grid.png`];
}

/** The source prompt's tokens (BOS … EOS) as tiles, and their labels. */
function saveAttention(outDir: string, model: NodeModel, prompt: string, res: GenerateResult): { file: string; tokens: string[] } | undefined {
  if (!res.attention) return undefined;
  const ids = model.tokenizer.encode(prompt).slice(0, 77);
  const tokens = ids.map((id) => model.tokenizer.decode([id]));
  const scale = Math.max(1, Math.floor(64 / res.attention.resolution));
  const tiles = attentionTiles(res.attention.maps, res.attention.resolution, 0, ids.map((_, t) => t), scale);
  writePng(join(outDir, 'attention.png'), gridRow(tiles, 2));
  return { file: 'attention.png', tokens };
}

async function run(argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return;
  }
  const cli = parseGenerateArgs(argv);
  mkdirSync(cli.outDir, { recursive: true });
  const loadStart = performance.now();
  // The instrumented UNet is made at load time when an edit or the attention maps are wanted.
  const model = await loadNodeModel(cli.modelDir, { instrument: cli.request.edit !== undefined, threads: cli.threads });
  const loadMs = performance.now() - loadStart;
  console.error(`model ${cli.modelDir}: ${model.backend.capabilities.description} (loaded in ${(loadMs / 1000).toFixed(1)}s)`);
  try {
    const summary: Record<string, unknown> = { request: cli.request, capabilities: model.backend.capabilities, loadMs };
    if (model.instrumentReport) summary.instrumentReport = model.instrumentReport;
    const label = cli.request.edit ? `p2p ${cli.request.edit.kind}` : 'generate';
    const res = await generate(model, cli.request, { onProgress: progressBar(label) });
    for (const w of res.warnings) console.error(`warning: ${w}`);
    const files = saveImages(cli.outDir, '', cli.request.prompts, res);
    const attention = saveAttention(cli.outDir, model, cli.request.prompts[0], res);
    if (attention) files.push(attention.file);
    summary.main = { timings: res.timings, warnings: res.warnings, files, attentionTokens: attention?.tokens };
    if (cli.baseline) {
      const plain: GenerateRequest = { ...cli.request, edit: undefined };
      const base = await generate(model, plain, { onProgress: progressBar('baseline') });
      summary.baseline = { timings: base.timings, files: saveImages(cli.outDir, 'baseline-', cli.request.prompts, base) };
    }
    writeFileSync(join(cli.outDir, 'timings.json'), `${JSON.stringify(summary, null, 2)}\n`);
    console.error(`wrote ${cli.outDir}: ${files.join(', ')}, timings.json`);
    console.error(`timings (ms): ${JSON.stringify(res.timings, (_, v: unknown) => (typeof v === 'number' ? Math.round(v * 10) / 10 : v))}`);
  } finally {
    await model.dispose();
  }
}

run(process.argv.slice(2)).catch((err: unknown) => {
  const e = err instanceof Error ? err : new Error(String(err));
  const code = e instanceof PipelineError ? ` [${e.code}]` : '';
  console.error(`error${code}: ${e.message}`);
  if (!(e instanceof PipelineError) && process.env.DEBUG) console.error(e.stack);
  process.exitCode = 1;
});
