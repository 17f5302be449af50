/**
 * Seed (with a shuffle button) and steps; guidance scale, scheduler and the baseline row in a collapsible
 * section. Typed numbers are kept as typed:
 * out-of-range ones show the accepted range and block Generate (NumberField), never a silent clamp.
 */
import { SCHEDULERS, type SchedulerId } from '../state/recipe';
import { useStudio } from '../state/store';
import { NUMBER_RULES } from '../state/validate';
import { Field } from './controls/Field';
import { NumberField } from './controls/NumberField';
import { Section } from './controls/Section';

const SCHEDULER_LABELS: Record<SchedulerId, string> = { pndm: 'PNDM (reference)', ddim: 'DDIM', euler: 'Euler', 'dpmpp-2m': 'DPM++ 2M' };

export function SamplerControls() {
  const recipe = useStudio((s) => s.recipe);
  const { setRecipe } = useStudio.getState();
  const guidanceIssue = useStudio((s) => !!s.invalid.guidance || s.run.error?.field === 'guidance' || s.run.error?.field === 'scheduler');
  return (
    <section aria-labelledby="sampler-heading" className="panel">
      <h2 id="sampler-heading" className="visually-hidden">Sampling</h2>
      <NumberField
        field="seed" label="Seed" rule={NUMBER_RULES.seed} value={recipe.seed} onChange={(seed) => setRecipe({ seed })}
        help="The starting noise; the same seed gives the same image, which is what lets edits keep the layout."
        after={<button type="button" onClick={() => setRecipe({ seed: Math.floor(Math.random() * 2 ** 31) })}>Shuffle</button>}
      />
      <NumberField
        field="steps" label="Steps" rule={NUMBER_RULES.steps} value={recipe.steps} onChange={(steps) => setRecipe({ steps })}
        help="Denoising steps: more is slower and usually cleaner."
      />
      <Section
        id="sampling" title="Guidance, scheduler, baseline" testId="sampling" attention={guidanceIssue}
        summary={`guidance ${recipe.guidance} · ${SCHEDULER_LABELS[recipe.scheduler]}${recipe.baseline ? ' · baseline' : ''}`}
      >
        <NumberField
          field="guidance" label="Guidance scale" rule={NUMBER_RULES.guidance} value={recipe.guidance} step={0.5} onChange={(guidance) => setRecipe({ guidance })}
          help="How strongly the image follows the prompt (classifier-free guidance)."
        />
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
      </Section>
    </section>
  );
}
