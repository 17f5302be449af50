// Peak RSS (getrusage maxrss) of one Node engine process before loading, after loading the instrumented toy
// model and after one full edit, as JSON; bench.ts runs it as `node --import tsx nodeMemory.ts <dir> <threads> <steps>`.

import { generate } from '../../src/diffusion';
import { loadNodeModel } from '../../src/runtime/nodeModel';
import { runRequests } from './nodeRuns';

const MB = 1024 * 1024;
const peakMB = (): number => (process.resourceUsage().maxRSS * 1024) / MB;

async function main(): Promise<void> {
  const [dir, threads, steps] = process.argv.slice(2);
  const start = peakMB();
  const model = await loadNodeModel(dir, { instrument: true, threads: Number(threads) });
  const loaded = peakMB();
  const requests = runRequests(['a red circle', 'a red square'], ['circle', 'square'], Number(steps));
  await generate(model, requests.edit);
  const run = peakMB();
  const heap = process.memoryUsage();
  await model.dispose();
  console.log(JSON.stringify({ startPeakMB: start, loadedPeakMB: loaded, runPeakMB: run, rssNowMB: heap.rss / MB, externalMB: heap.external / MB }));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
