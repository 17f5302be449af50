/**
 * The image-first centre of the studio: the compared prompts (changed words highlighted, each word shows where
 * it attends), the source/edit pair large with a before/after comparison, the overlay's opacity, the step
 * scrubber, every result as a strip, the per-token maps of both prompts, and the runs kept in the history.
 */
import { useStudio } from '../../state/store';
import { HistoryPanel } from '../history/HistoryPanel';
import { Results } from '../Results';
import { ComparePair } from './ComparePair';
import { PromptLine } from './PromptLine';
import { StepScrubber } from './StepScrubber';
import { TokenStrips } from './TokenStrips';

function OverlayOpacity() {
  const opacity = useStudio((s) => s.overlayOpacity);
  const { setOverlayOpacity } = useStudio.getState();
  return (
    <label className="inline" title="How strongly a word's attention map covers the image while you hover or pin it.">
      Overlay opacity
      <input type="range" min={0} max={1} step={0.05} value={opacity} onChange={(e) => setOverlayOpacity(Number(e.target.value))} />
    </label>
  );
}

export function Stage() {
  return (
    <section className="stage" aria-labelledby="stage-heading">
      <h2 id="stage-heading" className="visually-hidden">
        Source and edit
      </h2>
      <PromptLine />
      <ComparePair />
      <div className="stage-tools row">
        <OverlayOpacity />
        <StepScrubber />
      </div>
      <Results />
      <TokenStrips />
      <HistoryPanel />
    </section>
  );
}
