/**
 * The bundle budget (bundle-budget.json at the repository root): gzip limits per emitted chunk, matched by
 * file pattern (first matching line wins, each file is held to its line on its own), raw limits where a line
 * gives one (the onnxruntime-web wasm), and a limit on the gzip total of the code (JS, CSS, HTML). An emitted
 * chunk that no line matches is over budget too, so that a new chunk gets a line of its own.
 */
import type { BuiltFile } from './inspect';

export interface BudgetLine {
  name: string;
  /** Path inside the build folder; `*` matches any run of characters except `/`. */
  pattern: string;
  gzipBytes: number;
  rawBytes?: number;
}

export interface Budget {
  chunks: BudgetLine[];
  /** Gzip total of the emitted JS, CSS and HTML (the wasm has its own lines). */
  codeTotalGzipBytes: number;
}

export interface Row {
  file: BuiltFile;
  line?: BudgetLine;
  over: string[];
}

export interface BudgetReport {
  rows: Row[];
  codeTotalGzip: number;
  /** Copied from public/ as is (the embedded model, the icon): reported, not budgeted. */
  publicFiles: number;
  publicBytes: number;
  /** Lines that matched no file (informational: the chunk is gone or renamed). */
  unused: string[];
  failures: string[];
}

function patternRegExp(pattern: string): RegExp {
  const escaped = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('[^/]*')}$`);
}

export function parseBudget(json: unknown): Budget {
  const b = json as Partial<Budget> | null;
  const valid = (l: Partial<BudgetLine>) =>
    typeof l.name === 'string' && typeof l.pattern === 'string' && Number.isFinite(l.gzipBytes) && (l.rawBytes === undefined || Number.isFinite(l.rawBytes));
  if (!b || !Array.isArray(b.chunks) || !b.chunks.every(valid) || !Number.isFinite(b.codeTotalGzipBytes)) {
    throw new Error('bundle budget: expected { chunks: [{ name, pattern, gzipBytes, rawBytes? }], codeTotalGzipBytes }');
  }
  return { chunks: b.chunks, codeTotalGzipBytes: b.codeTotalGzipBytes! };
}

const BUDGETED = new Set(['js', 'css', 'html', 'wasm', 'other']);

export function checkBudget(files: BuiltFile[], budget: Budget): BudgetReport {
  const matchers = budget.chunks.map((line) => ({ line, re: patternRegExp(line.pattern) }));
  const used = new Set<BudgetLine>();
  const rows: Row[] = [];
  const failures: string[] = [];
  let codeTotalGzip = 0;
  for (const file of files.filter((f) => BUDGETED.has(f.kind))) {
    const line = matchers.find((m) => m.re.test(file.path))?.line;
    const over: string[] = [];
    const gzip = file.gzip ?? 0;
    if (!line) over.push('no budget line');
    else {
      used.add(line);
      if (gzip > line.gzipBytes) over.push(`gzip ${gzip} B > ${line.gzipBytes} B`);
      if (line.rawBytes !== undefined && file.raw > line.rawBytes) over.push(`raw ${file.raw} B > ${line.rawBytes} B`);
    }
    if (file.kind === 'js' || file.kind === 'css' || file.kind === 'html') codeTotalGzip += gzip;
    for (const o of over) failures.push(`${file.path}${line ? ` (${line.name})` : ''}: ${o}`);
    rows.push({ file, line, over });
  }
  if (codeTotalGzip > budget.codeTotalGzipBytes) failures.push(`code total (JS, CSS, HTML): gzip ${codeTotalGzip} B > ${budget.codeTotalGzipBytes} B`);
  const pub = files.filter((f) => f.kind === 'public');
  return {
    rows,
    codeTotalGzip,
    publicFiles: pub.length,
    publicBytes: pub.reduce((s, f) => s + f.raw, 0),
    unused: budget.chunks.filter((l) => !used.has(l)).map((l) => `${l.name} (${l.pattern})`),
    failures,
  };
}

const kB = (n: number | undefined) => (n === undefined ? '' : `${(n / 1000).toFixed(2)} kB`);

/** The table printed by scripts/bundle-size.ts: code chunks, then the wasm, then totals. */
export function formatReport(r: BudgetReport, budget: Budget): string[] {
  const table: string[][] = [['chunk', 'budget line', 'raw', 'gzip', 'gzip budget', 'raw budget', '']];
  const row = (x: Row) => [x.file.path, x.line?.name ?? '—', kB(x.file.raw), kB(x.file.gzip), kB(x.line?.gzipBytes), kB(x.line?.rawBytes), x.over.length ? 'OVER' : 'ok'];
  const code = r.rows.filter((x) => x.file.kind !== 'wasm');
  const wasm = r.rows.filter((x) => x.file.kind === 'wasm');
  table.push(...code.map(row));
  table.push(['code total (JS, CSS, HTML)', '', '', kB(r.codeTotalGzip), kB(budget.codeTotalGzipBytes), '', r.codeTotalGzip > budget.codeTotalGzipBytes ? 'OVER' : 'ok']);
  table.push(...wasm.map(row));
  const widths = table[0].map((_, c) => Math.max(...table.map((t) => t[c].length)));
  const numeric = (c: number) => c >= 2 && c <= 5;
  const lines = table.map((t) => t.map((cell, c) => (numeric(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd());
  lines.push(`public/ copied as is (embedded model, icon): ${r.publicFiles} files, ${kB(r.publicBytes)} raw, not budgeted`);
  for (const u of r.unused) lines.push(`budget line with no chunk: ${u}`);
  return lines;
}
