/**
 * Cross-attention per token (BOS and EOS included, as the reference `show_cross_attention`) for the source and
 * the compared edit side by side, at a size where shapes read. Tiles fill in live and follow the step scrubber;
 * hovering or focusing a tile overlays it on its image, a click pins it.
 */
import { useShallow } from 'zustand/react/shallow';
import { selectHeatTarget, selectPrompts, useStudio } from '../../state/store';
import { greyToRgba, RgbaCanvas } from '../RgbaCanvas';
import { useShownAttention } from './shown';

function Strip({ prompt, title }: { prompt: number; title: string }) {
  const attention = useShownAttention(prompt);
  const current = useStudio(selectHeatTarget);
  const pinned = useStudio((s) => s.pinnedToken);
  const { setHoverToken, togglePinnedToken } = useStudio.getState();
  return (
    <div className="strip">
      <h3>{title}</h3>
      {!attention && <p className="muted">Maps appear here while the image is generated.</p>}
      {attention && (
        <ul className="tiles">
          {attention.tiles.map((tile, t) => {
            const target = { prompt, columns: [t], label: attention.tokens[t] };
            const on = current?.prompt === prompt && current.columns.length === 1 && current.columns[0] === t;
            return (
              <li key={t}>
                <button
                  type="button" className={`tile-button${on ? ' tile-on' : ''}`} aria-pressed={pinned?.prompt === prompt && pinned.columns.length === 1 && pinned.columns[0] === t}
                  onMouseEnter={() => setHoverToken(target)} onMouseLeave={() => setHoverToken(undefined)}
                  onFocus={() => setHoverToken(target)} onBlur={() => setHoverToken(undefined)}
                  onClick={() => togglePinnedToken(target)}
                >
                  <RgbaCanvas width={attention.resolution} height={attention.resolution} rgba={greyToRgba(tile)} label={`attention of “${attention.tokens[t]}”`} className="tile" pixelated />
                  <span>{attention.tokens[t]}</span>
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}

export function TokenStrips() {
  const prompts = useStudio(useShallow(selectPrompts));
  const compared = useStudio((s) => s.compared);
  const edit = Math.min(Math.max(1, compared.prompt), prompts.length - 1);
  const attention = useShownAttention(0);
  return (
    <section aria-labelledby="attention-heading" className="panel attention">
      <h2 id="attention-heading">Cross-attention per token</h2>
      {attention && (
        <p className="muted">
          {attention.resolution}×{attention.resolution} maps, summed over the UNet calls up to call {attention.call}. Hover a tile or a word above the
          images to see it on the image.
        </p>
      )}
      <div className="strips" data-testid="attention-tiles">
        <Strip prompt={0} title={`Source: ${prompts[0]}`} />
        <Strip prompt={edit} title={`${prompts.length > 2 ? `Edit ${edit}` : 'Edit'}: ${prompts[edit]}`} />
      </div>
    </section>
  );
}
