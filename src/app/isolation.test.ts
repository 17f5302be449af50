/**
 * The start-up decision of src/app/isolation.ts: register the service worker only when the page is not isolated,
 * a worker can exist, and the reload guard has not been used in this tab; otherwise say why wasm stays on one thread.
 */
import { describe, expect, it } from 'vitest';
import { isolationPlan, singleThreadNotice } from './isolation';

describe('isolationPlan', () => {
  it('does nothing when the host already isolates the page', () => {
    expect(isolationPlan({ isolated: true, serviceWorker: true, reloadedBefore: true })).toEqual({ kind: 'isolated' });
  });
  it('registers the worker on a first visit without headers', () => {
    expect(isolationPlan({ isolated: false, serviceWorker: true, reloadedBefore: false })).toEqual({ kind: 'register' });
  });
  it('never reloads twice: the guard turns a second attempt into the single-thread notice', () => {
    const plan = isolationPlan({ isolated: false, serviceWorker: true, reloadedBefore: true });
    expect(plan.kind).toBe('single-thread');
    expect(plan.kind === 'single-thread' && plan.reason).toContain('reloaded once');
  });
  it('gives up without a service worker or without storage for the guard', () => {
    expect(isolationPlan({ isolated: false, serviceWorker: false, reloadedBefore: false }).kind).toBe('single-thread');
    expect(isolationPlan({ isolated: false, serviceWorker: true, reloadedBefore: undefined }).kind).toBe('single-thread');
  });
  it('words the notice for the model panel', () => {
    expect(singleThreadNotice('x')).toBe(
      'WebAssembly runs on one thread: this host sends no cross-origin isolation headers and the service worker could not provide them (x).',
    );
  });
});
