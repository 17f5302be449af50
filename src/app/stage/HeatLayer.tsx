/**
 * The attention overlay on one image: the hovered (or pinned) word's map of that prompt, coloured and
 * upsampled smoothly by the browser, at the user's opacity.
 */
import { selectHeatTarget, useStudio } from '../../state/store';
import { RgbaCanvas } from '../RgbaCanvas';
import { heatRgba, mergeTiles } from './heatmap';
import { useShownAttention } from './shown';

export function HeatLayer({ prompt }: { prompt: number }) {
  const target = useStudio(selectHeatTarget);
  const opacity = useStudio((s) => s.overlayOpacity);
  const attention = useShownAttention(prompt);
  if (!target || target.prompt !== prompt || !attention) return null;
  const tile = mergeTiles(attention.tiles, target.columns);
  if (!tile) return null;
  return (
    <div className="heat-layer" style={{ opacity }} data-testid={`heat-${prompt}`}>
      <RgbaCanvas width={attention.resolution} height={attention.resolution} rgba={heatRgba(tile)} label={`where “${target.label}” attends`} className="heat" />
    </div>
  );
}
