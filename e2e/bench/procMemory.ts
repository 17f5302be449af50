// Chromium's processes launched by this Node process, from /proc (Linux): renderer and GPU process
// peak RSS (VmHWM) and current RSS — the fallback when measureUserAgentSpecificMemory is unavailable.

import { readFileSync, readdirSync } from 'node:fs';

export interface ProcMemory {
  pid: number;
  type: string;
  peakMB: number;
  rssMB: number;
}

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function kbField(status: string, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

/** Every descendant of `root` (default: this process) that is a Chromium child of the given `--type=`. */
export function chromiumProcesses(root = process.pid): ProcMemory[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = read(`/proc/${name}/stat`);
    // "pid (comm) state ppid …": comm may contain spaces and parentheses.
    const after = stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (after) parent.set(Number(name), Number(after[1]));
  }
  const isDescendant = (pid: number): boolean => {
    for (let p = parent.get(pid), hops = 0; p !== undefined && p > 1 && hops < 16; p = parent.get(p), hops++) if (p === root) return true;
    return false;
  };
  const out: ProcMemory[] = [];
  for (const pid of parent.keys()) {
    if (!isDescendant(pid)) continue;
    const cmd = read(`/proc/${pid}/cmdline`)?.split(/[\0 ]/) ?? [];
    const type = cmd.find((a) => a.startsWith('--type='))?.slice('--type='.length);
    const status = read(`/proc/${pid}/status`);
    if (!type || !status) continue;
    out.push({ pid, type, peakMB: kbField(status, 'VmHWM'), rssMB: kbField(status, 'VmRSS') });
  }
  return out;
}
