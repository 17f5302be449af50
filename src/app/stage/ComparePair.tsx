/**
 * The source and the compared image, large: side by side, or stacked with a before/after divider to drag, or
 * blinking between the two (the eye catches what moved). Blinking never runs by itself when the user asks
 * for reduced motion; the toggle button (or the B key) switches by hand.
 */
import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { selectPrompts, useStudio } from '../../state/store';
import { StageImage } from './StageImage';

type Mode = 'side' | 'slider' | 'blink';

const MODES: { mode: Mode; label: string; help: string }[] = [
  { mode: 'side', label: 'Side by side', help: 'The source and the edit next to each other.' },
  { mode: 'slider', label: 'Slider', help: 'The edit over the source; drag the divider to compare.' },
  { mode: 'blink', label: 'Blink', help: 'Switch between the source and the edit in place.' },
];

function reducedMotion(): boolean {
  return typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches;
}

export function comparedCaption(target: { phase: 'main' | 'baseline'; prompt: number }, edits: number): string {
  const edit = edits > 1 ? `Edit ${target.prompt}` : 'Edit';
  return target.phase === 'baseline' ? `${target.prompt === 0 ? 'Source' : edit}, no controller` : edit;
}

export function ComparePair() {
  const [mode, setMode] = useState<Mode>('side');
  const [divider, setDivider] = useState(50);
  const [showEdit, setShowEdit] = useState(true);
  const [autoBlink, setAutoBlink] = useState(() => !reducedMotion());
  const prompts = useStudio(useShallow(selectPrompts));
  const compared = useStudio((s) => s.compared);
  const right = compared.prompt < prompts.length ? compared : { phase: 'main' as const, prompt: 1 };
  const rightCaption = comparedCaption(right, prompts.length - 1);

  useEffect(() => {
    if (mode !== 'blink' || !autoBlink) return;
    const timer = setInterval(() => setShowEdit((v) => !v), 900);
    return () => clearInterval(timer);
  }, [mode, autoBlink]);
  useEffect(() => {
    if (mode !== 'blink') return;
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      if (e.key.toLowerCase() !== 'b' || e.ctrlKey || e.metaKey || e.altKey || t?.closest('input, textarea, select, [contenteditable]')) return;
      setAutoBlink(false);
      setShowEdit((v) => !v);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [mode]);

  const fromPicture = useStudio((s) => s.run.fromPicture);
  // From the user's picture, the source branch is its reconstruction (DDIM inversion, then regeneration).
  const source = <StageImage phase="main" prompt={0} caption={fromPicture ? 'Reconstruction of your picture' : 'Source'} prompts={prompts} testId="stage-source" />;
  const edit = <StageImage phase={right.phase} prompt={right.prompt} caption={rightCaption} prompts={prompts} testId="stage-edit" />;
  return (
    <div className="compare">
      <div className="segmented" role="group" aria-label="How to compare">
        {MODES.map((m) => (
          <button key={m.mode} type="button" aria-pressed={mode === m.mode} title={m.help} onClick={() => setMode(m.mode)}>
            {m.label}
          </button>
        ))}
      </div>
      {mode === 'side' && (
        <div className="pair" data-testid="compare-pair">
          {source}
          {edit}
        </div>
      )}
      {mode === 'slider' && (
        <div className="overlap" data-testid="compare-pair">
          <div className="overlap-stack">
            {source}
            <div className="overlap-top" style={{ clipPath: `inset(0 0 0 ${divider}%)` }}>
              {edit}
            </div>
            <div className="overlap-divider" style={{ left: `${divider}%` }} aria-hidden="true" />
          </div>
          <label className="inline slider-label">
            Source
            <input type="range" min={0} max={100} value={divider} aria-label="Before/after divider: source on the left, edit on the right" onChange={(e) => setDivider(Number(e.target.value))} />
            {rightCaption}
          </label>
        </div>
      )}
      {mode === 'blink' && (
        <div className="overlap" data-testid="compare-pair">
          <div className="overlap-stack">{showEdit ? edit : source}</div>
          <div className="row">
            <button type="button" onClick={() => { setAutoBlink(false); setShowEdit((v) => !v); }} aria-keyshortcuts="B">
              Showing {showEdit ? rightCaption.toLowerCase() : 'source'}: switch (B)
            </button>
            <label className="inline">
              <input type="checkbox" checked={autoBlink} onChange={(e) => setAutoBlink(e.target.checked)} /> blink by itself
            </label>
          </div>
        </div>
      )}
    </div>
  );
}
