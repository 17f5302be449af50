/**
 * Every result of the run as a strip of small labelled images (source, each edit, and the no-controller
 * baseline row): choosing one compares it with the source on the stage; each has its PNG. "Download the
 * labelled grid" saves the images with their attention maps per token and their previews by step.
 */
import { useShallow } from 'zustand/react/shallow';
import { useResults, type RgbaImage, type RunResults } from '../state/results';
import { selectPrompts, useStudio } from '../state/store';
import { downloadImage, downloadSheet, type SheetRow } from './downloads';
import { greyToRgba, RgbaCanvas } from './RgbaCanvas';

function Cell({ image, preview, prompt, label, index, selectable, selected, onSelect }: {
  image?: RgbaImage; preview?: RgbaImage; prompt: string; label: string; index: number; selectable: boolean; selected: boolean; onSelect: () => void;
}) {
  const shown = image ?? preview;
  const size = shown ? [shown.width, shown.height] : [32, 32];
  return (
    <figure className={`cell${selected ? ' cell-selected' : ''}`} data-testid={`result-${label.replace(/\s+/g, '-')}-${index}`}>
      <button
        type="button" className="cell-image" disabled={!selectable} aria-pressed={selectable ? selected : undefined}
        aria-label={selectable ? `Compare with the source: ${prompt}` : `The source: ${prompt}`} onClick={onSelect}
      >
        <RgbaCanvas width={size[0]} height={size[1]} rgba={shown?.rgba} label={`${label}: ${prompt}`} className={image ? 'final' : 'preview'} pixelated />
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
    </figure>
  );
}

/** The sheet's rows: each prompt's token maps (final), then its previews by step. */
function sheetRows(res: RunResults, prompts: string[], steps: number): SheetRow[] {
  const rows: SheetRow[] = [];
  prompts.forEach((p, i) => {
    const a = res.attention[i];
    if (a) {
      rows.push({
        title: `Cross-attention per token, ${i === 0 ? 'source' : `edit ${i}`}: ${p}`,
        items: a.tiles.map((tile, t) => ({ label: a.tokens[t], image: { label: a.tokens[t], width: a.resolution, height: a.resolution, rgba: greyToRgba(tile) } })),
      });
    }
  });
  prompts.forEach((p, i) => {
    const frames = res.previewFrames[i] ?? [];
    if (frames.length > 0) {
      rows.push({
        title: `Latent previews by step, ${i === 0 ? 'source' : `edit ${i}`}: ${p}`,
        items: frames.map((f) => ({ label: `step ${Math.round(f.at * steps)}`, image: f.value })),
      });
    }
  });
  return rows;
}

export function Results() {
  const res = useResults();
  const prompts = useStudio(useShallow(selectPrompts));
  const baseline = useStudio((s) => s.recipe.baseline);
  const steps = useStudio((s) => s.recipe.steps);
  const compared = useStudio((s) => s.compared);
  const { compare } = useStudio.getState();
  const rows: { phase: 'main' | 'baseline'; title: string }[] = [{ phase: 'main', title: 'Prompt-to-Prompt' }];
  if (baseline || res.images.baseline.some(Boolean)) rows.push({ phase: 'baseline', title: 'No controller (same seed)' });
  const all = rows.flatMap((r) => res.images[r.phase].map((img, i) => (img ? { ...img, label: `${r.title}: ${prompts[i] ?? ''}` } : undefined)));
  return (
    <section aria-labelledby="results-heading" className="panel results">
      <h2 id="results-heading">All results</h2>
      {rows.map((row) => (
        <div key={row.phase} className="result-row">
          <h3>{row.title}</h3>
          <div className="grid">
            {prompts.map((p, i) => (
              <Cell
                key={i} index={i} prompt={p} label={i === 0 ? 'source' : `edit ${i}`}
                image={res.images[row.phase][i]} preview={res.previews[row.phase][i]}
                selectable={row.phase === 'baseline' || i > 0}
                selected={compared.phase === row.phase && compared.prompt === i}
                onSelect={() => compare({ phase: row.phase, prompt: i })}
              />
            ))}
          </div>
        </div>
      ))}
      <button type="button" disabled={!all.some(Boolean)} onClick={() => downloadSheet(all.filter((x): x is RgbaImage => !!x), sheetRows(res, prompts, steps))}>
        Download the labelled grid (with maps and steps)
      </button>
    </section>
  );
}
