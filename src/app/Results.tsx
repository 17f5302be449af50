/**
 * The results grid: the source and each edit labelled with its prompt, live previews while running,
 * an optional row with the no-controller baseline; click to enlarge, download one PNG or the grid.
 */
import { useShallow } from 'zustand/react/shallow';
import { useRef, useState } from 'react';
import { useResults, type RgbaImage } from '../state/results';
import { selectPrompts, useStudio } from '../state/store';
import { downloadGrid, downloadImage } from './downloads';
import { HeatOverlay } from './HeatOverlay';
import { RgbaCanvas } from './RgbaCanvas';

const CELL = 192;

function Cell({ image, preview, prompt, label, index, overlay }: { image?: RgbaImage; preview?: RgbaImage; prompt: string; label: string; index: number; overlay: boolean }) {
  const [open, setOpen] = useState(false);
  const dialog = useRef<HTMLDialogElement>(null);
  const shown = image ?? preview;
  const size = shown ? [shown.width, shown.height] : [32, 32];
  return (
    <figure className="cell" data-testid={`result-${label.replace(/\s+/g, '-')}-${index}`}>
      <button
        type="button" className="cell-image" style={{ width: CELL, height: CELL }} disabled={!image}
        aria-label={`Enlarge: ${prompt}`}
        onClick={() => {
          setOpen(true);
          dialog.current?.showModal();
        }}
      >
        <RgbaCanvas width={size[0]} height={size[1]} rgba={shown?.rgba} label={`${label}: ${prompt}`} className={image ? 'final' : 'preview'} pixelated />
        {overlay && <HeatOverlay prompt={index} />}
      </button>
      <figcaption>
        <span className="cell-label">{label}</span>{' '}
        <span className="cell-prompt" title={prompt}>
          {prompt}
        </span>
        {image && (
          <button type="button" className="link" onClick={() => downloadImage(image, `${label}-${index}.png`)} aria-label={`Download PNG of ${prompt}`}>
            PNG
          </button>
        )}
      </figcaption>
      <dialog ref={dialog} onClose={() => setOpen(false)} aria-label={prompt}>
        {open && image && <RgbaCanvas width={image.width} height={image.height} rgba={image.rgba} label={prompt} className="enlarged" pixelated />}
        <p className="dialog-prompt">{prompt}</p>
        <button type="button" onClick={() => dialog.current?.close()}>Close</button>
      </dialog>
    </figure>
  );
}

export function Results() {
  const res = useResults();
  const prompts = useStudio(useShallow(selectPrompts));
  const baseline = useStudio((s) => s.recipe.baseline);
  const hover = useStudio((s) => s.hoverToken);
  const rows: { phase: 'main' | 'baseline'; title: string }[] = [{ phase: 'main', title: 'Prompt-to-Prompt' }];
  if (baseline || res.images.baseline.some(Boolean)) rows.push({ phase: 'baseline', title: 'No controller (same seed)' });
  const all = rows.flatMap((r) => res.images[r.phase].map((img, i) => (img ? { ...img, label: `${r.title}: ${prompts[i] ?? ''}` } : undefined)));
  return (
    <section aria-labelledby="results-heading" className="panel">
      <h2 id="results-heading">Results</h2>
      {rows.map((row) => (
        <div key={row.phase} className="result-row">
          <h3>{row.title}</h3>
          <div className="grid">
            {prompts.map((p, i) => (
              <Cell
                key={i} index={i} prompt={p} label={i === 0 ? 'source' : `edit ${i}`}
                image={res.images[row.phase][i]} preview={res.previews[row.phase][i]}
                overlay={row.phase === 'main' && hover !== undefined && hover.prompt === i}
              />
            ))}
          </div>
        </div>
      ))}
      <button type="button" disabled={!all.some(Boolean)} onClick={() => downloadGrid(all.filter((x): x is RgbaImage => !!x))}>
        Download the labelled grid
      </button>
    </section>
  );
}
