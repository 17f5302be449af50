/**
 * The source prompt and the edited prompts, each edit with its word diff against the source, the optional
 * negative prompt (shared by every prompt of the run), and the edit kind (chosen automatically: same word
 * count → swap, otherwise refine; can be overridden). Each prompt shows its token count against the
 * encoder's 77 (words beyond it marked) and its length against MAX_PROMPT_CHARS; an empty (except the
 * negative prompt) or over-long prompt is flagged next to it and blocks Generate.
 */
import { useShallow } from 'zustand/react/shallow';
import { MAX_EDITS, MAX_PROMPT_CHARS, resolveKind, type EditKindChoice } from '../state/recipe';
import { selectPrompts, useStudio } from '../state/store';
import { NEGATIVE_FIELD, promptIssues } from '../state/validate';
import { wordDiff } from '../state/wordDiff';
import type { PromptTokens } from '../text/promptTokens';
import { Field } from './controls/Field';
import { Section } from './controls/Section';
import { useTokenCounts } from './tokenCounts';

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

/** The words shown when a prompt overflows (the rest is summarised). */
const SHOWN_DROPPED_WORDS = 12;

/** "9 of 77 tokens · 42 of 500 characters", and the words beyond token 77 when there are some. */
function PromptNote({ prompt, tokens, unavailable }: { prompt: string; tokens?: PromptTokens; unavailable?: string }) {
  const dropped = tokens?.words.filter((w) => w.dropped) ?? [];
  return (
    <>
      <span className={tokens && tokens.dropped > 0 ? 'warn' : 'muted'} data-testid="token-count">
        {tokens ? `${tokens.total} of ${tokens.maxLen} tokens (start and end included)` : unavailable ?? 'counting tokens…'}
      </span>
      <span className={prompt.length > MAX_PROMPT_CHARS ? 'error-text' : 'muted'} data-testid="char-count">
        {' · '}
        {prompt.length} of {MAX_PROMPT_CHARS} characters
      </span>
      {tokens && tokens.dropped > 0 && (
        <p className="token-overflow" data-testid="token-overflow">
          The text encoder reads 77 tokens: the last {tokens.dropped} are dropped, so these words are ignored:{' '}
          {dropped.slice(0, SHOWN_DROPPED_WORDS).map((w, k) => (
            <span key={k}>
              <mark>{w.text}</mark>{' '}
            </span>
          ))}
          {dropped.length > SHOWN_DROPPED_WORDS && ` and ${dropped.length - SHOWN_DROPPED_WORDS} more`}
        </p>
      )}
    </>
  );
}

export function PromptEditor() {
  const recipe = useStudio((s) => s.recipe);
  const prompts = useStudio(useShallow(selectPrompts));
  const error = useStudio((s) => s.run.error);
  const { setRecipe, setEdit, addEdit, removeEdit } = useStudio.getState();
  const issues = promptIssues(recipe);
  // The negative prompt is counted last, after the source and the edits.
  const counted = [...prompts, recipe.negativePrompt];
  const { counts, unavailable } = useTokenCounts(counted);
  // The prompts' own problems first (they block Generate), then what the engine said about one.
  const errorFor = (field: string) => issues.find((x) => x.field === field)?.message ?? (error?.field === field ? error.message : undefined);
  const note = (i: number) => <PromptNote prompt={counted[i]} tokens={counts?.[i]} unavailable={unavailable} />;
  return (
    <section aria-labelledby="prompts-heading" className="panel">
      <h2 id="prompts-heading">Prompts</h2>
      <Field label="Source prompt" help="The prompt of the original image; its attention maps are injected into the edits." error={errorFor('prompt-0')} note={note(0)}>
        {({ inputId, describedBy, invalid }) => (
          <textarea id={inputId} aria-describedby={describedBy} aria-invalid={invalid} rows={2} value={recipe.prompt} onChange={(e) => setRecipe({ prompt: e.target.value })} />
        )}
      </Field>
      {recipe.edits.map((edit, i) => (
        <div key={i} className="edit">
          <Field
            label={`Edited prompt ${i + 1}`} help="Change some words: the image keeps its layout while the content follows the new words."
            error={errorFor(`prompt-${i + 1}`)} note={note(i + 1)}
          >
            {({ inputId, describedBy, invalid }) => (
              <textarea id={inputId} aria-describedby={describedBy} aria-invalid={invalid} rows={2} value={edit} onChange={(e) => setEdit(i, e.target.value)} />
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
      <Section
        id="prompt-options" title="Negative prompt and edit kind" testId="prompt-options"
        summary={`${recipe.negativePrompt ? 'negative prompt set' : 'no negative prompt'} · ${KIND_LABELS[resolveKind(recipe)]}`}
        attention={!!errorFor(NEGATIVE_FIELD.field) || !!errorFor('kind') || recipe.negativePrompt !== '' || recipe.kind !== 'auto'}
      >
        <Field
          label={`${NEGATIVE_FIELD.label} (optional)`}
          help="What every image should not look like: guidance steers the source and the edits away from it (it replaces the empty prompt of classifier-free guidance). Leave empty for none."
          error={errorFor(NEGATIVE_FIELD.field)} note={note(prompts.length)}
        >
          {({ inputId, describedBy, invalid }) => (
            <textarea
              id={inputId} aria-describedby={describedBy} aria-invalid={invalid} rows={1} value={recipe.negativePrompt}
              placeholder="none" data-testid="negative-prompt" onChange={(e) => setRecipe({ negativePrompt: e.target.value })}
            />
          )}
        </Field>
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
      </Section>
    </section>
  );
}
