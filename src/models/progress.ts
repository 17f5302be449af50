// Download progress: bytes, rate and time left for one file (a sliding window over recent samples),
// and the sum over files downloading in parallel. Pure: the clock is passed in.

export interface FileProgress {
  file: string;
  loaded: number;
  /** Expected bytes; undefined while unknown. */
  total: number | undefined;
  /** Bytes per second over the last few seconds (0 until two samples). */
  rate: number;
  /** Seconds left at the current rate; undefined when the total or the rate is unknown. */
  secondsLeft: number | undefined;
  /** Bytes this attempt started from (after a resume, > 0). */
  resumedFrom: number;
  /** 1 for the first request, +1 per retry. */
  attempt: number;
  done: boolean;
}

export interface OverallProgress {
  loaded: number;
  total: number | undefined;
  rate: number;
  secondsLeft: number | undefined;
  filesDone: number;
  files: number;
  /** The latest progress of every file, by path. */
  byFile: Record<string, FileProgress>;
}

/** Seconds of history the rate is measured over. */
const WINDOW_S = 5;

export class RateMeter {
  private samples: { t: number; bytes: number }[] = [];

  /** Records `bytes` (cumulative) at time `t` (ms); returns bytes/s over the window. */
  sample(t: number, bytes: number): number {
    this.samples.push({ t, bytes });
    while (this.samples.length > 2 && t - this.samples[0].t > WINDOW_S * 1000) this.samples.shift();
    return this.rate();
  }

  rate(): number {
    if (this.samples.length < 2) return 0;
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    const dt = (last.t - first.t) / 1000;
    return dt > 0 ? Math.max(0, (last.bytes - first.bytes) / dt) : 0;
  }

  /** Forget history (after a reconnect the old samples would understate the wait). */
  reset(): void {
    this.samples = [];
  }
}

export function secondsLeft(loaded: number, total: number | undefined, rate: number): number | undefined {
  if (total === undefined) return undefined;
  if (loaded >= total) return 0;
  return rate > 0 ? (total - loaded) / rate : undefined;
}

/** Sums per-file progress into one figure; `totals` are the expected sizes known up front. */
export class OverallMeter {
  private readonly byFile: Record<string, FileProgress> = {};
  private readonly meter = new RateMeter();

  constructor(
    private readonly totals: Record<string, number | undefined>,
    private readonly now: () => number,
  ) {}

  update(p: FileProgress): OverallProgress {
    this.byFile[p.file] = p;
    const names = Object.keys(this.totals);
    let loaded = 0;
    let total: number | undefined = 0;
    let filesDone = 0;
    for (const name of names) {
      const f = this.byFile[name];
      loaded += f?.loaded ?? 0;
      const t = f?.total ?? this.totals[name];
      total = total === undefined || t === undefined ? undefined : total + t;
      if (f?.done) filesDone += 1;
    }
    const rate = this.meter.sample(this.now(), loaded);
    return { loaded, total, rate, secondsLeft: secondsLeft(loaded, total, rate), filesDone, files: names.length, byFile: { ...this.byFile } };
  }
}

/** "1.2 GB of 2.1 GB · 12.3 MB/s · 1 min 14 s left" for people. */
export function formatProgress(p: { loaded: number; total: number | undefined; rate: number; secondsLeft: number | undefined }): string {
  const parts = [p.total === undefined ? formatBytes(p.loaded) : `${formatBytes(p.loaded)} of ${formatBytes(p.total)}`];
  if (p.rate > 0) parts.push(`${formatBytes(p.rate)}/s`);
  if (p.secondsLeft !== undefined && p.secondsLeft > 0) parts.push(`${formatDuration(p.secondsLeft)} left`);
  return parts.join(' · ');
}

export function formatBytes(n: number): string {
  if (n < 1000) return `${Math.round(n)} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n / 1000;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) [v, i] = [v / 1000, i + 1];
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

export function formatDuration(seconds: number): string {
  const s = Math.ceil(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}
