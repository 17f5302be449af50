// Fault injection for the mock Hub: which fault a request gets, from its `?fault=` query (that request
// only) or from rules set through the control endpoint / API (matching a path, for a number of times).

export const FAULTS = ['drop', '404', '500', 'wrong-length', 'corrupt', 'trickle'] as const;
export type Fault = (typeof FAULTS)[number];

export interface FaultRule {
  fault: Fault;
  /** File path inside the repo (`unet/model.onnx`); `*` or absent: every file. */
  path?: string;
  /** How many matching requests get the fault (then it is spent); absent: every one. */
  times?: number;
  /** drop: bytes sent before the connection is destroyed (default: half the response). */
  dropAfter?: number;
  /** trickle: bytes per write (default 1024) and ms between writes (default 20). */
  chunkBytes?: number;
  delayMs?: number;
  /** wrong-length: bytes removed from the end of the file (default 7; negative appends bytes). */
  trim?: number;
}

export function isFault(value: unknown): value is Fault {
  return typeof value === 'string' && (FAULTS as readonly string[]).includes(value);
}

/** Parses and checks rules posted as JSON (one rule or a list). */
export function parseRules(json: unknown): FaultRule[] {
  const list = Array.isArray(json) ? json : [json];
  return list.map((r, i) => {
    if (typeof r !== 'object' || r === null || !isFault((r as FaultRule).fault)) {
      throw new Error(`rule ${i}: needs "fault" in ${FAULTS.join(', ')}`);
    }
    const rule = r as FaultRule;
    for (const k of ['times', 'dropAfter', 'chunkBytes', 'delayMs', 'trim'] as const) {
      if (rule[k] !== undefined && typeof rule[k] !== 'number') throw new Error(`rule ${i}: "${k}" must be a number`);
    }
    return { ...rule };
  });
}

export class FaultBook {
  private rules: FaultRule[] = [];

  set(rules: FaultRule[]): void {
    this.rules = rules.map((r) => ({ ...r }));
  }

  add(rule: FaultRule): void {
    this.rules.push({ ...rule });
  }

  clear(): void {
    this.rules = [];
  }

  list(): FaultRule[] {
    return this.rules.map((r) => ({ ...r }));
  }

  /** The fault for a request of `path` (query first), spending one use of a counted rule. */
  take(path: string, query: URLSearchParams): FaultRule | undefined {
    const q = query.get('fault');
    if (isFault(q)) {
      const rule: FaultRule = { fault: q };
      for (const k of ['dropAfter', 'chunkBytes', 'delayMs', 'trim'] as const) {
        const v = query.get(k);
        if (v !== null && Number.isFinite(Number(v))) rule[k] = Number(v);
      }
      return rule;
    }
    const i = this.rules.findIndex((r) => (r.path === undefined || r.path === '*' || r.path === path) && (r.times === undefined || r.times > 0));
    if (i < 0) return undefined;
    const rule = this.rules[i];
    if (rule.times !== undefined) rule.times -= 1;
    return { ...rule };
  }
}
