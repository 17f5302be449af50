/**
 * React hooks over the model catalog: a model's facts (with any repo's size read from its file list, once,
 * and only while it is not cached) and the device verdict for the current plan.
 */
import { useEffect, useState } from 'react';
import { findModel, type Verdict } from '../models';
import { useStudio } from '../state/store';
import { useAppShell } from './appShell';
import { cachedEntry, checkRepo, isEmbedded, modelFacts, verdictFor, type ModelFacts } from './modelCatalog';

export type RepoCheck = { status: 'checking' } | { status: 'ok'; bytes: number; files: number } | { status: 'error'; code: string; message: string };

/** Checks are kept per model id and Hub (model_index.json + file list; never a model file). */
const checks = new Map<string, Promise<RepoCheck>>();

export function checkModel(model: string, hubEndpoint?: string): Promise<RepoCheck> {
  const key = `${model}|${hubEndpoint ?? ''}`;
  let check = checks.get(key);
  if (!check) {
    check = checkRepo(model, hubEndpoint).then(
      (r): RepoCheck => ({ status: 'ok', bytes: r.bytes, files: r.files }),
      (err: unknown): RepoCheck => {
        checks.delete(key);
        const code = (err as { code?: unknown }).code;
        return { status: 'error', code: typeof code === 'string' ? code : 'error', message: err instanceof Error ? err.message : String(err) };
      },
    );
    checks.set(key, check);
  }
  return check;
}

export interface ModelView {
  facts: ModelFacts;
  check?: RepoCheck;
  verdict?: Verdict;
}

export function useModelView(model: string): ModelView {
  const hubEndpoint = useStudio((s) => s.models.hubEndpoint);
  const cached = useStudio((s) => s.models.cached);
  const listed = useStudio((s) => s.models.cacheListed === true);
  const prompts = useStudio((s) => 1 + s.recipe.edits.length);
  const preference = useStudio((s) => s.engine.preference);
  const online = useAppShell((s) => s.online);
  const [check, setCheck] = useState<{ model: string; check: RepoCheck }>();
  const [verdict, setVerdict] = useState<{ key: string; verdict: Verdict }>();
  const entry = cachedEntry(model, cached, hubEndpoint);
  const custom = !findModel(model) && !isEmbedded(model);
  // Only once the cache was read: a cached model is never re-checked over the network; offline, not at all.
  const needsCheck = custom && listed && !entry?.complete && online;

  useEffect(() => {
    if (!needsCheck) return;
    let live = true;
    setCheck({ model, check: { status: 'checking' } });
    void checkModel(model, hubEndpoint).then((c) => live && setCheck({ model, check: c }));
    return () => {
      live = false;
    };
  }, [model, hubEndpoint, needsCheck]);

  const current = check?.model === model ? check.check : undefined;
  const bytes = current?.status === 'ok' ? current.bytes : custom && entry?.complete ? entry.bytes : undefined;
  const facts = modelFacts(model, bytes);
  const verdictKey = `${model}|${bytes ?? ''}|${prompts}|${preference}`;
  useEffect(() => {
    let live = true;
    void verdictFor(facts.entry, prompts, preference).then((v) => live && setVerdict({ key: verdictKey, verdict: v }));
    return () => {
      live = false;
    };
    // facts.entry is derived from the key's parts.
  }, [verdictKey]);
  return { facts, check: current, verdict: verdict?.key === verdictKey ? verdict.verdict : undefined };
}
