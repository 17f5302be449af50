/**
 * The studio's keyboard shortcuts: Ctrl/⌘+Enter generates, Escape cancels a run, and outside text fields
 * ] and [ load the next and previous example.
 */
import { useEffect } from 'react';
import { applyPreset, steppedPreset } from '../state/presets';
import { useStudio } from '../state/store';
import { cancel, generate } from './engineSession';
import { useClassroom } from './classroom/classroomSession';

export const SHORTCUTS: { keys: string; aria: string; does: string }[] = [
  { keys: 'Ctrl+Enter (⌘+Enter)', aria: 'Control+Enter Meta+Enter', does: 'generate' },
  { keys: 'Escape', aria: 'Escape', does: 'cancel the run' },
  { keys: '] and [', aria: 'BracketRight BracketLeft', does: 'next and previous example' },
  { keys: 'B', aria: 'B', does: 'switch source and edit in the Blink comparison' },
  { keys: '← → (classroom)', aria: 'ArrowLeft ArrowRight', does: 'previous and next section; Escape goes back to the studio' },
];

function typing(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && !!target.closest('input, textarea, select, [contenteditable="true"]');
}

/** Moves the example picker by `step` (wrapping), from the current example or the start. */
export function stepPreset(step: 1 | -1): void {
  const { recipe } = useStudio.getState();
  const next = steppedPreset(recipe, step);
  if (next) useStudio.setState({ recipe: applyPreset(recipe, next) });
}

export function useShortcuts(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (useClassroom.getState().open) return; // the presenter view has its own keys
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        void generate();
      } else if (e.key === 'Escape') {
        const status = useStudio.getState().run.status;
        // Escape also closes dialogs; only a running or loading run is cancelled.
        if (status === 'running' || status === 'loading') cancel();
      } else if ((e.key === ']' || e.key === '[') && !e.ctrlKey && !e.metaKey && !e.altKey && !typing(e.target)) {
        stepPreset(e.key === ']' ? 1 : -1);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
