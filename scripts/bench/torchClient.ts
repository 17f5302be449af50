// The PyTorch reference pipeline as a timer: `tools/toy-model/bench_torch.py serve` in a child process,
// asked one full generation per stdin line, so its runs interleave with the onnxruntime ones.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface TorchInfo {
  torch: string;
  threads: number;
  ckpt: string;
  steps: number;
  prompts: string[];
  unet_params: number;
}

export interface TorchServer {
  info: TorchInfo;
  /** Milliseconds of one full generation measured inside Python (edit: P2P controller; plain: none). */
  run(kind: 'edit' | 'plain'): Promise<number>;
  close(): Promise<void>;
}

export async function startTorch(opts: { python: string; script: string; ckpt?: string; threads: number; steps: number }): Promise<TorchServer> {
  const args = [opts.script, 'serve', '--threads', String(opts.threads), '--steps', String(opts.steps)];
  if (opts.ckpt) args.push('--ckpt', opts.ckpt);
  const child: ChildProcessWithoutNullStreams = spawn(opts.python, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const lines = createInterface({ input: child.stdout });
  const waiting: ((line: string) => void)[] = [];
  const failed = new Promise<never>((_, reject) => {
    child.on('exit', (code) => reject(new Error(`bench_torch.py exited (${code}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`)));
    child.on('error', reject);
  });
  failed.catch(() => {});
  lines.on('line', (line) => waiting.shift()?.(line));
  const next = (): Promise<Record<string, unknown>> =>
    Promise.race([new Promise<string>((resolve) => waiting.push(resolve)), failed]).then((l) => JSON.parse(l) as Record<string, unknown>);

  const ready = await next();
  if (ready.ready !== true) throw new Error(`bench_torch.py: unexpected first line ${JSON.stringify(ready)}`);
  return {
    info: ready as unknown as TorchInfo,
    async run(kind) {
      const answer = next();
      child.stdin.write(`${kind}\n`);
      const out = await answer;
      if (typeof out.ms !== 'number') throw new Error(`bench_torch.py: ${JSON.stringify(out)}`);
      return out.ms;
    },
    async close() {
      child.stdin.end('quit\n');
      await new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));
    },
  };
}
