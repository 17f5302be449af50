/**
 * How much of the source's attention the edits receive: cross-attention window (with per-word
 * overrides for the changed words), self-attention window, reweight factors and LocalBlend.
 */
import { useShallow } from 'zustand/react/shallow';
import { resolveKind, type Window } from '../state/recipe';
import { selectPrompts, useStudio } from '../state/store';
import { NUMBER_RULES } from '../state/validate';
import { changedWords, splitPromptWords } from '../state/wordDiff';
import { Field } from './controls/Field';
import { Section } from './controls/Section';
import { NumberBox } from './controls/NumberBox';
import { NumberField } from './controls/NumberField';
import { WindowInput } from './controls/WindowInput';
import { WordPicker } from './controls/WordPicker';

export function InjectionControls() {
  const recipe = useStudio((s) => s.recipe);
  const prompts = useStudio(useShallow(selectPrompts));
  const error = useStudio((s) => s.run.error);
  const { setRecipe } = useStudio.getState();
  const errorFor = (field: string) => (error?.field === field ? error.message : undefined);
  const changed = [...new Set(recipe.edits.flatMap((e) => changedWords(recipe.prompt, e)))];
  const reweighting = resolveKind(recipe) === 'reweight';
  const blendOn = recipe.blendWords.length > 0;
  const thresholdIssue = useStudio((s) => s.invalid.threshold);

  const setWordWindow = (word: string, w: Window | undefined) => {
    const next = { ...recipe.crossWords };
    if (w === undefined) delete next[word];
    else next[word] = w;
    setRecipe({ crossWords: next });
  };

  return (
    <section aria-labelledby="injection-heading" className="panel">
      <h2 id="injection-heading">How much of the source to keep</h2>
      <WindowInput
        field="cross"
        label="Cross-attention replace steps"
        help="Fraction of the denoising steps (from the start) in which the edits use the source's word-to-pixel attention."
        value={recipe.cross}
        onChange={(cross) => setRecipe({ cross })}
        error={errorFor('cross')}
      />
      {changed.length > 0 && (
        <fieldset className="chips">
          <legend title="Give a changed word its own cross-attention window, e.g. less injection so the new word can change shape.">Per-word windows</legend>
          {changed.map((word) =>
            word in recipe.crossWords ? (
              <div key={word} className="chip-editor">
                <WindowInput field={`cross:${word}`} label={`“${word}”`} help={`Cross-attention replace steps for the word “${word}”.`} value={recipe.crossWords[word]} onChange={(w) => setWordWindow(word, w)} />
                <button type="button" onClick={() => setWordWindow(word, undefined)} aria-label={`Remove the window for ${word}`}>×</button>
              </div>
            ) : (
              <button key={word} type="button" className="chip" onClick={() => setWordWindow(word, 0.4)}>
                + {word}
              </button>
            ),
          )}
        </fieldset>
      )}
      <WindowInput
        field="self"
        label="Self-attention replace steps"
        help="Fraction of the steps in which the edits copy the source's pixel-to-pixel attention (keeps shapes and layout)."
        value={recipe.self}
        onChange={(self) => setRecipe({ self })}
        error={errorFor('self')}
      />
      {reweighting && (
        <fieldset>
          <legend title="Scale how strongly a word's attention counts (negative to 10).">Reweight</legend>
          {[...new Set(recipe.edits.flatMap(splitPromptWords))].map((word) => (
            <NumberField
              key={word} field={`weight:${word}`} label={word} help={`Attention weight of “${word}” (1 = unchanged).`}
              rule={NUMBER_RULES.weight} step={0.5} value={recipe.weights[word] ?? 1}
              onChange={(v) => setRecipe({ weights: { ...useStudio.getState().recipe.weights, [word]: v } })}
            />
          ))}
        </fieldset>
      )}
      <Section
        id="local-edit" title="Local edit (LocalBlend)" testId="local-edit" summary={blendOn ? `on, threshold ${recipe.blendThreshold}` : 'off'}
        attention={blendOn || !!thresholdIssue || prompts.some((_, i) => !!errorFor(`blend-${i}`))}
      >
        <p className="muted field-note">Only change the region the chosen words attend to; keep the source everywhere else.</p>
        <label className="inline">
          <input
            type="checkbox"
            checked={blendOn}
            onChange={(e) => setRecipe({ blendWords: e.target.checked ? prompts.map((p) => splitPromptWords(p).slice(-1)) : [] })}
          />{' '}
          restrict the edit to the words' region
        </label>
        {blendOn &&
          prompts.map((p, i) => (
            <WordPicker
              key={i}
              label={i === 0 ? 'Source words' : `Edit ${i} words`}
              prompt={p}
              selected={recipe.blendWords[i] ?? []}
              error={errorFor(`blend-${i}`)}
              onChange={(words) => {
                const next = prompts.map((_, j) => recipe.blendWords[j] ?? []);
                next[i] = words;
                setRecipe({ blendWords: next });
              }}
            />
          ))}
        {blendOn && (
          <Field label="Mask threshold" help="Pixels whose normalised attention on the words exceeds this value are edited." error={thresholdIssue?.message}>
            {({ inputId, describedBy }) => (
              <div className="window-input">
                <input
                  id={inputId} aria-describedby={describedBy} type="range" min={0} max={1} step={0.05}
                  value={recipe.blendThreshold} onChange={(e) => setRecipe({ blendThreshold: Number(e.target.value) })}
                />
                <NumberBox
                  field="threshold" label="Mask threshold" ariaLabel="Mask threshold value" describedBy={describedBy}
                  rule={NUMBER_RULES.threshold} step={0.05} value={recipe.blendThreshold} onChange={(blendThreshold) => setRecipe({ blendThreshold })}
                />
              </div>
            )}
          </Field>
        )}
      </Section>
    </section>
  );
}
