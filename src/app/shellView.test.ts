/**
 * The offline shell's words and decisions on the page (src/app/shellView.ts): the update prompt never offers a
 * swap during a run; the first install is not an update; the offline lines.
 */
import { describe, expect, it } from 'vitest';
import { isUpdate, offlineLine, offlineModelMessage, precacheMayStart, updatePromptView } from './shellView';

describe('updatePromptView', () => {
  it('is absent without a waiting version', () => {
    expect(updatePromptView({ updateWaiting: false, applying: false }, false)).toBeUndefined();
  });
  it('offers Reload between runs', () => {
    expect(updatePromptView({ updateWaiting: true, applying: false }, false)).toEqual({ text: 'A new version is available.', button: 'Reload', disabled: false });
  });
  it('disables Reload while a run loads or runs (no swap mid-generation)', () => {
    const view = updatePromptView({ updateWaiting: true, applying: false }, true);
    expect(view?.disabled).toBe(true);
    expect(view?.text).toContain('once this run has finished');
  });
  it('stays, disabled, while the new version takes over', () => {
    expect(updatePromptView({ updateWaiting: false, applying: true }, false)?.disabled).toBe(true);
  });
});

describe('precacheMayStart', () => {
  it('waits while a run loads or runs, or a model downloads', () => {
    expect(precacheMayStart('idle', undefined)).toBe(true);
    expect(precacheMayStart('done', 'done')).toBe(true);
    expect(precacheMayStart('error', 'error')).toBe(true);
    expect(precacheMayStart('loading', undefined)).toBe(false);
    expect(precacheMayStart('running', undefined)).toBe(false);
    expect(precacheMayStart('idle', 'running')).toBe(false);
  });
});

describe('isUpdate', () => {
  it('is an update only when a worker already controls the page', () => {
    expect(isUpdate(true, true)).toBe(true);
    expect(isUpdate(true, false)).toBe(false); // first install
    expect(isUpdate(false, true)).toBe(false);
  });
});

describe('offlineLine', () => {
  it('says when this version is stored, and that the browser is offline', () => {
    const ready = { kind: 'ready' as const, version: '5bcd28f26e67487d', bytes: 37_000_000 };
    expect(offlineLine({ online: true, offline: ready })).toBe('Works offline: this version (5bcd28f2, 37.0 MB with the embedded models) is stored in this browser.');
    expect(offlineLine({ online: false, offline: ready })).toMatch(/^You are offline\. Works offline/);
    expect(offlineLine({ online: true, offline: { kind: 'failed', reason: 'index.html: HTTP 404' } })).toBe('Not available offline: index.html: HTTP 404');
    expect(offlineLine({ online: true, offline: { kind: 'unsupported' } })).toBeUndefined();
  });
  it('names the model that cannot be downloaded offline, and that nothing is lost', () => {
    const text = offlineModelMessage('local/toy-shapes');
    expect(text).toContain('You are offline; local/toy-shapes is not downloaded yet');
    expect(text).toContain('Nothing is lost');
  });
});
