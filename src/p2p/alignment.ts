/**
 * Global alignment of two token sequences (Needleman–Wunsch; gap 0, match 1, mismatch −1), as the
 * reference `seq_aligner.global_align` + `get_aligned_sequences`, including its tie-breaking
 * (left, then up, then diagonal). Returns, for every target token, its source token or −1.
 */

const GAP = 0;
const MATCH = 1;
const MISMATCH = -1;

const enum Move {
  Left = 1, // target token inserted
  Up = 2, // source token dropped
  Diagonal = 3, // tokens aligned
  Start = 4,
}

export function alignTargetToSource(source: number[], target: number[]): number[] {
  const rows = source.length + 1;
  const cols = target.length + 1;
  const score = new Int32Array(rows * cols);
  const trace = new Uint8Array(rows * cols);
  for (let j = 1; j < cols; j++) {
    score[j] = j * GAP;
    trace[j] = Move.Left;
  }
  for (let i = 1; i < rows; i++) {
    score[i * cols] = i * GAP;
    trace[i * cols] = Move.Up;
  }
  trace[0] = Move.Start;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const left = score[i * cols + j - 1] + GAP;
      const up = score[(i - 1) * cols + j] + GAP;
      const diag = score[(i - 1) * cols + j - 1] + (source[i - 1] === target[j - 1] ? MATCH : MISMATCH);
      const best = Math.max(left, up, diag);
      score[i * cols + j] = best;
      trace[i * cols + j] = best === left ? Move.Left : best === up ? Move.Up : Move.Diagonal;
    }
  }
  const mapped: number[] = [];
  let i = source.length;
  let j = target.length;
  while (i > 0 || j > 0) {
    const move = trace[i * cols + j];
    if (move === Move.Diagonal) {
      i -= 1;
      j -= 1;
      mapped.push(i);
    } else if (move === Move.Left) {
      j -= 1;
      mapped.push(-1);
    } else if (move === Move.Up) {
      i -= 1;
    } else {
      break;
    }
  }
  return mapped.reverse();
}
