#!/usr/bin/env -S npx tsx
/**
 * `npm run instrument -- <model.onnx | unet dir | model dir> <out-dir> [--map-resolution R]
 * [--self-max-query N] [--latent HxW]`: writes the attention-instrumented UNet and prints the report.
 */
import { copyFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { instrumentUnet, type InstrumentOptions, type InstrumentReport } from '../src/onnx';
import { decodeModel } from '../src/onnx/proto';

async function locateUnet(input: string): Promise<{ file: string; modelRoot?: string }> {
  const info = await stat(input);
  if (!info.isDirectory()) return { file: input };
  for (const [candidate, root] of [
    [join(input, 'unet', 'model.onnx'), input],
    [join(input, 'model.onnx'), dirname(input)],
  ] as const) {
    if (await stat(candidate).then(() => true, () => false)) return { file: candidate, modelRoot: root };
  }
  throw new Error(`no model.onnx or unet/model.onnx in ${input}`);
}

/** Defaults from the model's `p2p.json` (map resolution, self-attention threshold), when present. */
async function modelDefaults(root: string | undefined): Promise<InstrumentOptions> {
  if (!root) return {};
  const text = await readFile(join(root, 'p2p.json'), 'utf8').catch(() => undefined);
  if (!text) return {};
  const cfg = JSON.parse(text) as { mapResolution?: number; selfMaxQuery?: number };
  return { mapResolution: cfg.mapResolution, selfMaxQuery: cfg.selfMaxQuery };
}

/** External-data files the stock graph already references (e.g. weights.pb), by location. */
function externalLocations(bytes: Uint8Array): string[] {
  const locations = new Set<string>();
  for (const init of decodeModel(bytes).graph?.initializer ?? []) {
    const loc = init.externalData?.find((e) => e.key === 'location')?.value;
    if (loc) locations.add(loc);
  }
  return [...locations];
}

function printReport(report: InstrumentReport): void {
  console.log('layer'.padEnd(58), 'kind ', 'place', 'queries', 'edited', 'map');
  for (const l of report.layers) {
    console.log(l.name.padEnd(58), l.kind.padEnd(5), l.place.padEnd(5), String(l.queryLength).padStart(7), l.edited ? '  yes ' : '  no  ', l.feedsMap ? 'yes' : '');
  }
  const c = report.counts;
  console.log(
    `\n${report.layers.length} attention layers (${c.cross} cross, ${c.self} self; ${c.down} down, ${c.mid} mid, ${c.up} up); ` +
      `${c.edited} edited; p2p_attn = ${c.mapLayers} layers at ${report.mapResolution}×${report.mapResolution}; ` +
      `opset ${report.opset}, ${report.floatType}, weights ${report.weights}`,
  );
  const byOrder = report.layers.filter((l) => l.placedBy === 'graph-order').length;
  if (byOrder > 0) console.log(`${byOrder} layer(s) placed by graph order (their node names carry no module path)`);
  if (report.queryLengths === 'runtime') {
    console.log(`latent size unknown: queries estimated at ${report.latentSize.join('×')}; self layers check their query length in the graph (pass --latent HxW to fix it)`);
  }
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { 'map-resolution': { type: 'string' }, 'self-max-query': { type: 'string' }, latent: { type: 'string' } },
  });
  if (positionals.length !== 2) throw new Error('usage: npm run instrument -- <model.onnx | dir> <out-dir> [--map-resolution R] [--self-max-query N] [--latent HxW]');
  const [input, outDir] = positionals.map((p) => resolve(p));
  const { file, modelRoot } = await locateUnet(input);
  const options: InstrumentOptions = { ...(await modelDefaults(modelRoot)) };
  if (values['map-resolution']) options.mapResolution = Number(values['map-resolution']);
  if (values['self-max-query']) options.selfMaxQuery = Number(values['self-max-query']);
  if (values.latent) {
    const [h, w] = values.latent.split('x').map(Number);
    options.latentSize = [h, w];
  }
  const bytes = new Uint8Array(await readFile(file));
  const existing = externalLocations(bytes);
  const result = instrumentUnet(bytes, options);
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, 'model.onnx'), result.model);
  if (result.externalData) await writeFile(join(outDir, result.externalData.path), result.externalData.data);
  for (const loc of existing) await copyFile(join(dirname(file), loc), join(outDir, basename(loc)));
  printReport(result.report);
  console.log(`wrote ${join(outDir, 'model.onnx')} (${(result.model.byteLength / 1024).toFixed(0)} KiB)` +
    (result.externalData ? ` + ${result.externalData.path} (the original file, as external data)` : ''));
}

main().catch((err: Error) => {
  console.error(`instrument: ${err.message}`);
  process.exit(1);
});
