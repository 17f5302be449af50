/**
 * Edits an injection window: a fraction f of the run (the window [0, f]) or a [start, end] range, with
 * a slider and a number box per end; a typed value outside 0…1 (or a start after the end) is kept as
 * typed, shown with the accepted range, and blocks Generate.
 */
import type { Window } from '../../state/recipe';
import { useStudio } from '../../state/store';
import { NUMBER_RULES } from '../../state/validate';
import { Field } from './Field';
import { NumberBox } from './NumberBox';

export interface WindowInputProps {
  /** Store key base of the control ('cross', 'self', 'cross:dog'). */
  field: string;
  label: string;
  help: string;
  value: Window;
  onChange(value: Window): void;
  error?: string;
}

export function WindowInput({ field, label, help, value, onChange, error }: WindowInputProps) {
  const ranged = Array.isArray(value);
  const [start, end] = ranged ? value : [0, value];
  const issue = useStudio((s) => s.invalid[`${field}-start`] ?? s.invalid[`${field}-end`]);
  const round = (v: number) => Math.min(1, Math.max(0, Math.round(v * 100) / 100));
  const setEnd = (v: number) => onChange(ranged ? [Math.min(start, v), v] : v);
  return (
    <Field label={label} help={help} error={issue?.message ?? error}>
      {({ inputId, describedBy }) => (
        <div className="window-input">
          {ranged && (
            <>
              <input
                type="range" min={0} max={1} step={0.05} value={start} aria-label={`${label} start`}
                aria-describedby={describedBy}
                onChange={(e) => onChange([Math.min(round(Number(e.target.value)), end), end])}
              />
              <NumberBox
                field={`${field}-start`} label={`${label} (start)`} ariaLabel={`${label} start value`} describedBy={describedBy}
                rule={NUMBER_RULES.window} step={0.05} value={start} onChange={(v) => onChange([v, end])} recheckOn={end}
                check={(v) => (v > end ? `The start (${v}) is after the end (${end}): the start must be at most the end.` : undefined)}
              />
            </>
          )}
          <input
            id={inputId} type="range" min={0} max={1} step={0.05} value={end}
            aria-label={ranged ? `${label} end` : label} aria-describedby={describedBy}
            onChange={(e) => setEnd(round(Number(e.target.value)))}
          />
          <NumberBox
            field={`${field}-end`} label={ranged ? `${label} (end)` : label} ariaLabel={ranged ? `${label} end value` : `${label} value`} describedBy={describedBy}
            rule={NUMBER_RULES.window} step={0.05} value={end} onChange={(v) => onChange(ranged ? [start, v] : v)} recheckOn={start}
            check={(v) => (ranged && v < start ? `The end (${v}) is before the start (${start}): the end must be at least the start.` : undefined)}
          />
          <label className="inline">
            <input type="checkbox" checked={ranged} onChange={(e) => onChange(e.target.checked ? [0, end] : end)} /> range
          </label>
        </div>
      )}
    </Field>
  );
}
