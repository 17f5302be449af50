// Headless Prompt-to-Prompt generation in Node (onnxruntime-node), or the edit of a picture (--image: DDIM
// inversion, then the edit): writes each image as PNG, a grid,
// the source prompt's per-token attention tiles, and timings.json. `--help` prints the options.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { editPicture, generate, imageToSample, PipelineError, toRgba, type GenerateRequest, type GenerateResult, type ProgressEvent } from '../src/diffusion';
import { loadNodeModel, type NodeModel } from '../src/runtime/nodeModel';
import { USAGE, parseGenerateArgs } from '../src/runtime/nodeGenerateArgs';
import { attentionTiles, gridRow, readPng, writePng } from '../src/runtime/nodeImages';

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
    let request = cli.request;
    let res: GenerateResult;
    if (cli.image) {
      // A picture: prompt 0's image is its reconstruction; the request becomes DDIM from the inverted latent.
      const input = readPng(cli.image.path);
      const [H, W] = model.layout.imageSize;
      if (H !== W) throw new Error(`--image needs a square model image size, this model's is ${W}×${H}`);
      const pixels = imageToSample(input.data, input.width, input.height, H);
      writePng(join(cli.outDir, 'input.png'), { data: toRgba(pixels, [1, 3, H, W])[0], width: W, height: H });
      const edited = await editPicture(model, cli.request, { pixels, pixelDims: [1, 3, H, W], method: cli.image.method }, { onProgress: progressBar(`${label} (inversion, then edit)`) });
      ({ request, result: res } = edited);
      summary.image = { path: cli.image.path, size: [input.width, input.height], method: cli.image.method, steps: cli.image.steps, files: ['input.png'] };
    } else {
      res = await generate(model, cli.request, { onProgress: progressBar(label) });
    }
    // What ran (with --image: DDIM from the inverted latent, which is not written out).
    summary.request = { ...request, initialLatent: undefined };
    for (const w of res.warnings) console.error(`warning: ${w}`);
    const files = [...(cli.image ? ['input.png'] : []), ...saveImages(cli.outDir, '', cli.request.prompts, res)];
    const attention = saveAttention(cli.outDir, model, cli.request.prompts[0], res);
    if (attention) files.push(attention.file);
    summary.main = { timings: res.timings, warnings: res.warnings, files, attentionTokens: attention?.tokens };
    if (cli.baseline) {
      const plain: GenerateRequest = { ...request, edit: undefined };
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
