/**
 * A menu of classroom examples for the current model family; choosing one fills the controls. The
 * picker shows the example the controls hold ("custom settings" once one is changed by hand), and
 * what that example teaches is written under it.
 */
import { applyPreset, matchingPreset, presetsFor } from '../state/presets';
import { useStudio } from '../state/store';

export function Presets() {
  const recipe = useStudio((s) => s.recipe);
  const presets = presetsFor(recipe.model);
  const current = matchingPreset(recipe);
  return (
    <div className="presets">
      <label className="inline" title="Fill the controls with an example that shows one idea of Prompt-to-Prompt.">
        Examples{' '}
        <select
          value={current?.id ?? ''}
          aria-describedby="preset-teaches"
          onChange={(e) => {
            const preset = presets.find((p) => p.id === e.target.value);
            if (preset) useStudio.setState({ recipe: applyPreset(recipe, preset) });
          }}
        >
          <option value="" disabled>
            custom settings (choose an example…)
          </option>
          {presets.map((p) => (
            <option key={p.id} value={p.id}>
              {p.title}
            </option>
          ))}
        </select>
      </label>
      <p id="preset-teaches" className="preset-teaches" data-testid="preset-teaches">
        {current ? current.teaches : 'Your own settings. Pick an example to load one that shows an idea of Prompt-to-Prompt.'}
      </p>
    </div>
  );
}
