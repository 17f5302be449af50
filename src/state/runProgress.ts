/**
 * What the run bar says while a run goes on: the UNet call, its speed and the time left (from the calls so far),
 * and which part of loading a model is under way (reading a file, with sizes, or creating the sessions).
 */

export function runningText(call: number, total: number, elapsedMs: number): string {
  const head = `UNet call ${call} of ${total || '…'}`;
  if (call === 0 || total === 0 || elapsedMs <= 0) return head;
  const perSecond = (call * 1000) / elapsedMs;
  const speed = perSecond >= 1 ? `${perSecond.toFixed(1)} calls/s` : `${(1 / perSecond).toFixed(1)} s per call`;
  const seconds = Math.round((total - call) / perSecond);
  return `${head} · ${speed}${seconds > 0 ? ` · about ${seconds} s left` : ''}`;
}

const MIB = 2 ** 20;

export function loadingText(loading?: { file: string; loaded: number; total: number }): string {
  if (!loading) return 'Loading the model…';
  if (loading.total > 0 && loading.loaded >= loading.total) return `Loading the model: preparing ${loading.file} (creating its session)…`;
  const size = loading.total ? ` of ${(loading.total / MIB).toFixed(1)}` : '';
  return `Loading the model: reading ${loading.file} (${(loading.loaded / MIB).toFixed(1)}${size} MiB)…`;
}
