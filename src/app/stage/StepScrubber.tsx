/**
 * Back through the run: a slider over every recorded moment (latent previews, accumulated attention); its last
 * stop is the final images. Moving it shows that moment's previews and maps on the stage and in the strips.
 */
import { useResults, results } from '../../state/results';
import { useStudio } from '../../state/store';
import { scrubStops } from '../../state/timeline';

export function StepScrubber() {
  const res = useResults();
  const steps = useStudio((s) => s.recipe.steps);
  const status = useStudio((s) => s.run.status);
  const stops = scrubStops([...res.previewFrames, ...res.attentionFrames]);
  if (stops.length === 0) return null;
  const index = res.scrub === undefined ? stops.length : Math.max(0, stops.findIndex((at) => at >= res.scrub! - 1e-9));
  const live = status === 'running' || status === 'loading';
  const text =
    res.scrub === undefined ? (live ? 'live' : 'final images') : `step ${Math.max(1, Math.round(res.scrub * steps))} of ${steps} (preview)`;
  return (
    <div className="scrubber" data-testid="step-scrubber">
      <label className="inline">
        Step
        <input
          type="range" min={0} max={stops.length} value={index} aria-valuetext={text}
          onChange={(e) => {
            const k = Number(e.target.value);
            results.setScrub(k >= stops.length ? undefined : stops[k]);
          }}
        />
      </label>
      <span className="muted" aria-live="polite">
        {text}
      </span>
      {res.scrub !== undefined && (
        <button type="button" onClick={() => results.setScrub(undefined)}>
          {live ? 'Follow the run' : 'Show the final images'}
        </button>
      )}
    </div>
  );
}
