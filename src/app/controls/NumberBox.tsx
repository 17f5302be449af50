/**
 * A number input that keeps what the user typed: a value inside its rule goes to the recipe, anything
 * else (empty, not a number, out of range) stays in the box as typed and is reported to the store
 * (`invalid`), which shows the accepted range next to the control and blocks Generate until fixed.
 */
import { useEffect, useRef, useState } from 'react';
import { useStudio } from '../../state/store';
import { parseNumber, rangeText, type NumberRule } from '../../state/validate';

export interface NumberBoxProps {
  /** Store key of the control ('steps', 'weight:pink', 'cross-end'…). */
  field: string;
  /** The control's name, for aria-label (when it has no <label>) and the run bar's summary. */
  label: string;
  rule: NumberRule;
  value: number;
  onChange(value: number): void;
  /** A further condition on an in-range value (e.g. a window's start before its end): a message, or undefined. */
  check?: (value: number) => string | undefined;
  /** What `check` depends on (the other end of a window): when it changes, an invalid draft is checked again. */
  recheckOn?: number;
  id?: string;
  describedBy?: string;
  ariaLabel?: string;
  step?: number;
}

export function NumberBox({ field, label, rule, value, onChange, check, recheckOn, id, describedBy, ariaLabel, step }: NumberBoxProps) {
  const [text, setText] = useState(() => String(value));
  const textRef = useRef(text);
  textRef.current = text;
  const invalid = useStudio((s) => field in s.invalid);
  const { setInvalid } = useStudio.getState();

  // The recipe changed elsewhere (a preset, a slider, Shuffle): show its value, dropping a bad draft.
  useEffect(() => {
    const shown = parseNumber(textRef.current, rule);
    if (!shown.ok || shown.value !== value) {
      setText(String(value));
      setInvalid(field, undefined);
    }
    // Only a change of the recipe's value resets the draft (the text is read through a ref).
  }, [value]);
  // A control that goes away takes its draft with it (it can no longer be fixed, so it must not block).
  useEffect(() => () => setInvalid(field, undefined), [field, setInvalid]);

  const onInput = (raw: string, badInput: boolean) => {
    setText(raw);
    // A number input reports '' for text it cannot read ("1e", "--"): say so rather than "empty".
    const parsed = badInput ? ({ ok: false, message: `Not a number: enter ${rangeText(rule)}.` } as const) : parseNumber(raw, rule);
    const message = parsed.ok ? check?.(parsed.value) : parsed.message;
    if (message !== undefined || !parsed.ok) {
      setInvalid(field, { field, label, message: message ?? 'invalid' });
      return;
    }
    setInvalid(field, undefined);
    if (parsed.value !== value) onChange(parsed.value);
  };

  // The other end of a window moved: a draft refused only by `check` may be fine now (then it is committed).
  useEffect(() => {
    if (field in useStudio.getState().invalid) onInput(textRef.current, false);
    // Runs after the render that brought the new `check`/`onChange`, so it uses those.
  }, [recheckOn]);

  return (
    <input
      id={id} type="number" inputMode="decimal" min={rule.min} max={rule.max} step={step ?? (rule.integer ? 1 : 'any')}
      value={text} aria-invalid={invalid} aria-describedby={describedBy} aria-label={ariaLabel}
      onChange={(e) => onInput(e.target.value, e.target.validity.badInput)}
    />
  );
}
