/**
 * One large image on the stage: the final image, the live preview while it is made (shown sharp enough to
 * follow, marked as a preview), or the scrubbed moment; with the attention overlay and a caption.
 */
import type { Phase } from '../../state/results';
import { RgbaCanvas } from '../RgbaCanvas';
import { HeatLayer } from './HeatLayer';
import { useShownImage } from './shown';

export interface StageImageProps {
  phase: Phase;
  prompt: number;
  caption: string;
  prompts: string[];
  testId: string;
}

export function StageImage({ phase, prompt, caption, prompts, testId }: StageImageProps) {
  const { image, preview } = useShownImage(phase, prompt);
  const text = prompts[prompt] ?? '';
  return (
    <figure className="stage-image" data-testid={testId}>
      <div className="stage-frame">
        {image ? (
          <RgbaCanvas
            width={image.width} height={image.height} rgba={image.rgba} pixelated
            label={`${caption}: ${text}${preview ? ' (preview while it is generated)' : ''}`} className={`shown${preview ? ' preview' : ''}`}
          />
        ) : (
          <div className="stage-empty" role="img" aria-label={`${caption}: not generated yet`}>
            <span aria-hidden="true">{caption}</span>
          </div>
        )}
        {phase === 'main' && <HeatLayer prompt={prompt} />}
      </div>
      <figcaption>
        <span className="cell-label">{caption}</span>
        {preview && image && <span className="badge">preview</span>}
      </figcaption>
    </figure>
  );
}
