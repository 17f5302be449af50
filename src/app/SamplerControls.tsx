/**
 * Seed (with a shuffle button), steps, guidance scale and scheduler.
 */
import { LIMITS, SCHEDULERS, type SchedulerId } from '../state/recipe';
import { useStudio } from '../state/store';
import { Field } from './controls/Field';

const SCHEDULER_LABELS: Record<SchedulerId, string> = { pndm: 'PNDM (reference)', ddim: 'DDIM', euler: 'Euler', 'dpmpp-2m': 'DPM++ 2M' };

export function SamplerControls() {
  const recipe = useStudio((s) => s.recipe);
  const { setRecipe } = useStudio.getState();
  const int = (v: string, min: number, max: number, fallback: number) => {
    const n = Math.round(Number(v));
    return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : fallback;
  };
  return (
    <section aria-labelledby="sampler-heading" className="panel">
      <h2 id="sampler-heading">Sampling</h2>
      <Field label="Seed" help="The starting noise; the same seed gives the same image, which is what lets edits keep the layout.">
        {({ inputId, describedBy }) => (
          <div className="row">
            <input id={inputId} aria-describedby={describedBy} type="number" min={LIMITS.seed.min} max={LIMITS.seed.max} value={recipe.seed}
              onChange={(e) => setRecipe({ seed: int(e.target.value, LIMITS.seed.min, LIMITS.seed.max, recipe.seed) })} />
            <button type="button" onClick={() => setRecipe({ seed: Math.floor(Math.random() * 2 ** 31) })}>Shuffle</button>
          </div>
        )}
      </Field>
      <Field label="Steps" help="Denoising steps: more is slower and usually cleaner.">
        {({ inputId, describedBy }) => (
          <input id={inputId} aria-describedby={describedBy} type="number" min={LIMITS.steps.min} max={LIMITS.steps.max} value={recipe.steps}
            onChange={(e) => setRecipe({ steps: int(e.target.value, LIMITS.steps.min, LIMITS.steps.max, recipe.steps) })} />
        )}
      </Field>
      <Field label="Guidance scale" help="How strongly the image follows the prompt (classifier-free guidance).">
        {({ inputId, describedBy }) => (
          <input id={inputId} aria-describedby={describedBy} type="number" min={LIMITS.guidance.min} max={LIMITS.guidance.max} step={0.5} value={recipe.guidance}
            onChange={(e) => {
              const g = Number(e.target.value);
              if (Number.isFinite(g)) setRecipe({ guidance: Math.min(LIMITS.guidance.max, Math.max(LIMITS.guidance.min, g)) });
            }} />
        )}
      </Field>
      <Field label="Scheduler" help="The sampler that turns noise predictions into the next latent.">
        {({ inputId, describedBy }) => (
          <select id={inputId} aria-describedby={describedBy} value={recipe.scheduler} onChange={(e) => setRecipe({ scheduler: e.target.value as SchedulerId })}>
            {SCHEDULERS.map((s) => <option key={s} value={s}>{SCHEDULER_LABELS[s]}</option>)}
          </select>
        )}
      </Field>
      <label className="inline" title="Also run the same seed without Prompt-to-Prompt, to see what it preserves.">
        <input type="checkbox" checked={recipe.baseline} onChange={(e) => setRecipe({ baseline: e.target.checked })} /> show the no-controller baseline
      </label>
    </section>
  );
}
