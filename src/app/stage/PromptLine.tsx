/**
 * The two compared prompts right above the pair, the edit's changed words highlighted. Each word is a button:
 * hovering or focusing it overlays where it attends on its image; a tap or click pins it (touch screens).
 */
import { useShallow } from 'zustand/react/shallow';
import { sameTarget, selectHeatTarget, selectPrompts, selectStale, useStudio, type HeatTarget } from '../../state/store';
import { markedWords, type MarkedWord } from '../../state/wordDiff';
import { wordColumns } from '../../state/wordTokens';
import type { PromptTokens } from '../../text/promptTokens';
import { useTokenCounts } from '../tokenCounts';
import { useShownAttention } from './shown';

function Words({ prompt, label, words, tokens }: { prompt: number; label: string; words: MarkedWord[]; tokens?: PromptTokens }) {
  const attention = useShownAttention(prompt);
  const current = useStudio(selectHeatTarget);
  const pinned = useStudio((s) => s.pinnedToken);
  // Maps of prompts since edited belong to other words: no overlay until the next run.
  const stale = useStudio(selectStale);
  const { setHoverToken, togglePinnedToken } = useStudio.getState();
  const columns = !stale && tokens && attention && tokens.words.length === words.length ? wordColumns(tokens.words, attention.tokens.length) : undefined;
  return (
    <p className="prompt-line" role="group" aria-label={`${label} prompt: hover, focus or tap a word to see where it attends`}>
      <span className="prompt-line-label">{label}</span>
      {words.map((w, k) => {
        const target: HeatTarget | undefined = columns?.[k]?.length ? { prompt, columns: columns[k], label: w.text } : undefined;
        const on = !!target && !!current && sameTarget(current, target);
        return (
          <button
            key={k} type="button" className={`word word-${w.change}${on ? ' word-on' : ''}`} aria-pressed={!!target && !!pinned && sameTarget(pinned, target)}
            aria-label={`${w.text}${w.change === 'same' ? '' : ` (${w.change})`}: where it attends in the ${label.toLowerCase()}`}
            disabled={!target}
            onMouseEnter={() => target && setHoverToken(target)}
            onMouseLeave={() => setHoverToken(undefined)}
            onFocus={() => target && setHoverToken(target)}
            onBlur={() => setHoverToken(undefined)}
            onClick={() => target && togglePinnedToken(target)}
          >
            {w.text}
          </button>
        );
      })}
    </p>
  );
}

export function PromptLine() {
  const prompts = useStudio(useShallow(selectPrompts));
  const compared = useStudio((s) => s.compared);
  const editIndex = Math.min(Math.max(1, compared.prompt), prompts.length - 1);
  const { counts } = useTokenCounts(prompts);
  const marked = markedWords(prompts[0], prompts[editIndex]);
  return (
    <div className="prompt-lines" data-testid="prompt-lines">
      <Words prompt={0} label="Source" words={marked.source} tokens={counts?.[0]} />
      <Words prompt={editIndex} label={prompts.length > 2 ? `Edit ${editIndex}` : 'Edit'} words={marked.edit} tokens={counts?.[editIndex]} />
    </div>
  );
}
