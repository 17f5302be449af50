/**
 * A menu of classroom examples for the current model family; choosing one fills the controls. The
 * picker shows the example the controls hold ("custom settings" once one is changed by hand), and
 * what that example teaches is written under it.
 */
import { DEFAULT_RECIPE } from '../state/recipe';
import { applyPreset, matchingPreset, presetsFor } from '../state/presets';
import { encodeRecipe } from '../state/urlCodec';
import { useStudio } from '../state/store';

export function Presets() {
  const recipe = useStudio((s) => s.recipe);
  const presets = presetsFor(recipe.model);
  const current = matchingPreset(recipe);
  // The page's starting recipe is not one of the examples; it should not read as the user's own settings.
  const untouched = !current && encodeRecipe(recipe) === encodeRecipe(DEFAULT_RECIPE);
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
            {untouched ? 'starting example (choose another…)' : 'custom settings (choose an example…)'}
          </option>
          {presets.map((p) => (
            <option key={p.id} value={p.id}>
              {p.title}
            </option>
          ))}
        </select>
      </label>
      <p id="preset-teaches" className="preset-teaches" data-testid="preset-teaches">
        {current
          ? current.teaches
          : untouched
            ? `The starting example: "${DEFAULT_RECIPE.prompt}" becomes "${DEFAULT_RECIPE.edits[0]}" in place (a word swap). Press Generate, or pick an example that shows another idea of Prompt-to-Prompt.`
            : 'Your own settings. Pick an example to load one that shows an idea of Prompt-to-Prompt.'}
      </p>
    </div>
  );
}
