/**
 * Picks words of a prompt as toggle chips (LocalBlend's words per prompt): each word of the prompt is
 * a button with `aria-pressed`, so the choice is made by clicking or by keyboard.
 */
import { splitPromptWords } from '../../state/wordDiff';

export interface WordPickerProps {
  label: string;
  prompt: string;
  selected: string[];
  onChange(words: string[]): void;
  error?: string;
}

export function WordPicker({ label, prompt, selected, onChange, error }: WordPickerProps) {
  const words = [...new Set(splitPromptWords(prompt))];
  return (
    <fieldset className={error ? 'chips field-error' : 'chips'}>
      <legend>{label}</legend>
      {words.map((word) => {
        const on = selected.includes(word);
        return (
          <button
            key={word} type="button" className={on ? 'chip chip-on' : 'chip'} aria-pressed={on}
            onClick={() => onChange(on ? selected.filter((w) => w !== word) : [...selected, word])}
          >
            {word}
          </button>
        );
      })}
      {error && <span role="alert" className="error-text">{error}</span>}
    </fieldset>
  );
}
