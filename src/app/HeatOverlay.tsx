/**
 * While a token tile is hovered, overlays that token's attention map on the prompt's image.
 */
import { useResults } from '../state/results';
import { useStudio } from '../state/store';
import { RgbaCanvas } from './RgbaCanvas';

export function HeatOverlay({ prompt }: { prompt: number }) {
  const hover = useStudio((s) => s.hoverToken);
  const attention = useResults().attention[prompt];
  const tile = hover && attention?.tiles[hover.token];
  if (!tile || !attention) return null;
  const rgba = new Uint8ClampedArray(tile.length * 4);
  tile.forEach((v, i) => {
    rgba[4 * i] = 255;
    rgba[4 * i + 1] = 80;
    rgba[4 * i + 2] = 0;
    rgba[4 * i + 3] = Math.round(v * 0.6);
  });
  return <RgbaCanvas width={attention.resolution} height={attention.resolution} rgba={rgba} label={`attention of token ${hover.token}`} className="overlay" />;
}
