/**
 * Cross-attention per token for the selected prompt (BOS and EOS included, as in the reference
 * `show_cross_attention`): greyscale tiles (made by the engine: WGSL on WebGPU) that fill in live;
 * hovering one overlays it on the image.
 */
import { useShallow } from 'zustand/react/shallow';
import { useResults } from '../state/results';
import { selectPrompts, useStudio } from '../state/store';
import { greyToRgba, RgbaCanvas } from './RgbaCanvas';

export function AttentionPanel() {
  const prompts = useStudio(useShallow(selectPrompts));
  const selected = useStudio((s) => s.selectedPrompt);
  const { selectPrompt, setHoverToken } = useStudio.getState();
  const attention = useResults().attention[selected];
  const tiles = attention?.tiles ?? [];
  return (
    <section aria-labelledby="attention-heading" className="panel">
      <h2 id="attention-heading">Cross-attention per token</h2>
      <label className="inline">
        Prompt{' '}
        <select value={selected} onChange={(e) => selectPrompt(Number(e.target.value))}>
          {prompts.map((p, i) => (
            <option key={i} value={i}>
              {i === 0 ? 'source' : `edit ${i}`}: {p}
            </option>
          ))}
        </select>
      </label>
      {!attention && <p className="muted">Maps appear here while the image is generated.</p>}
      {attention && (
        <p className="muted">
          {attention.resolution}×{attention.resolution} maps, summed over the UNet calls so far ({attention.call}).
        </p>
      )}
      <ul className="tiles" data-testid="attention-tiles">
        {tiles.map((tile, t) => (
          <li
            key={t}
            tabIndex={0}
            onMouseEnter={() => setHoverToken({ prompt: selected, token: t })}
            onMouseLeave={() => setHoverToken(undefined)}
            onFocus={() => setHoverToken({ prompt: selected, token: t })}
            onBlur={() => setHoverToken(undefined)}
          >
            <RgbaCanvas width={attention!.resolution} height={attention!.resolution} rgba={greyToRgba(tile)} label={`attention of “${attention!.tokens[t]}”`} className="tile" pixelated />
            <span>{attention!.tokens[t]}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
