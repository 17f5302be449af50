/**
 * A menu of classroom examples for the current model family; choosing one fills the controls.
 */
import { applyPreset, PRESETS } from '../state/presets';
import { useStudio } from '../state/store';

export function Presets() {
  const recipe = useStudio((s) => s.recipe);
  const family = recipe.model === 'toy-shapes' ? 'toy' : 'sd';
  const presets = PRESETS.filter((p) => p.family === family);
  return (
    <label className="inline presets" title="Fill the controls with an example that shows one idea of Prompt-to-Prompt.">
      Examples{' '}
      <select
        value=""
        onChange={(e) => {
          const preset = presets.find((p) => p.id === e.target.value);
          if (preset) useStudio.setState({ recipe: applyPreset(recipe, preset) });
        }}
      >
        <option value="" disabled>
          choose an example…
        </option>
        {presets.map((p) => (
          <option key={p.id} value={p.id} title={p.teaches}>
            {p.title}
          </option>
        ))}
      </select>
    </label>
  );
}
