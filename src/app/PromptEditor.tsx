/**
 * The source prompt and the edited prompts, each edit with its word diff against the source, and the
 * edit kind (chosen automatically: same word count → swap, otherwise refine; can be overridden).
 */
import { MAX_EDITS, resolveKind, type EditKindChoice } from '../state/recipe';
import { useStudio } from '../state/store';
import { wordDiff } from '../state/wordDiff';
import { Field } from './controls/Field';

const KIND_LABELS: Record<EditKindChoice, string> = {
  auto: 'automatic',
  replace: 'swap words (replace)',
  refine: 'add words (refine)',
  reweight: 'reweight words',
};

function Diff({ source, edited }: { source: string; edited: string }) {
  return (
    <p className="diff" aria-label="changes from the source prompt">
      {wordDiff(source, edited).map((part, i) => (
        <span key={i} className={`diff-${part.change}`} title={part.from ? `was “${part.from}”` : part.change}>
          {part.word}{' '}
        </span>
      ))}
    </p>
  );
}

export function PromptEditor() {
  const recipe = useStudio((s) => s.recipe);
  const error = useStudio((s) => s.run.error);
  const { setRecipe, setEdit, addEdit, removeEdit } = useStudio.getState();
  const errorFor = (field: string) => (error?.field === field ? error.message : undefined);
  return (
    <section aria-labelledby="prompts-heading" className="panel">
      <h2 id="prompts-heading">Prompts</h2>
      <Field label="Source prompt" help="The prompt of the original image; its attention maps are injected into the edits." error={errorFor('prompt-0')}>
        {({ inputId, describedBy }) => (
          <textarea id={inputId} aria-describedby={describedBy} rows={2} value={recipe.prompt} onChange={(e) => setRecipe({ prompt: e.target.value })} />
        )}
      </Field>
      {recipe.edits.map((edit, i) => (
        <div key={i} className="edit">
          <Field label={`Edited prompt ${i + 1}`} help="Change some words: the image keeps its layout while the content follows the new words." error={errorFor(`prompt-${i + 1}`)}>
            {({ inputId, describedBy }) => (
              <textarea id={inputId} aria-describedby={describedBy} rows={2} value={edit} onChange={(e) => setEdit(i, e.target.value)} />
            )}
          </Field>
          <div className="edit-row">
            <Diff source={recipe.prompt} edited={edit} />
            <button type="button" onClick={() => removeEdit(i)} disabled={recipe.edits.length <= 1} aria-label={`Remove edited prompt ${i + 1}`}>
              Remove
            </button>
          </div>
        </div>
      ))}
      <button type="button" onClick={addEdit} disabled={recipe.edits.length >= MAX_EDITS}>
        Add an edited prompt
      </button>
      <Field label="Edit kind" help="How the source attention is mapped onto the edited prompts' words." error={errorFor('kind')}>
        {({ inputId, describedBy }) => (
          <select id={inputId} aria-describedby={describedBy} value={recipe.kind} onChange={(e) => setRecipe({ kind: e.target.value as EditKindChoice })}>
            {(Object.keys(KIND_LABELS) as EditKindChoice[]).map((k) => (
              <option key={k} value={k}>
                {k === 'auto' ? `automatic: ${KIND_LABELS[resolveKind({ ...recipe, kind: 'auto' })]}` : KIND_LABELS[k]}
              </option>
            ))}
          </select>
        )}
      </Field>
    </section>
  );
}
