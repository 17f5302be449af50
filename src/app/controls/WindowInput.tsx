/**
 * Edits an injection window: a fraction f of the run (the window [0, f]) or a [start, end] range.
 */
import type { Window } from '../../state/recipe';
import { Field } from './Field';

export interface WindowInputProps {
  label: string;
  help: string;
  value: Window;
  onChange(value: Window): void;
  error?: string;
}

export function WindowInput({ label, help, value, onChange, error }: WindowInputProps) {
  const ranged = Array.isArray(value);
  const [start, end] = ranged ? value : [0, value];
  const clamp = (v: number) => Math.min(1, Math.max(0, Math.round(v * 100) / 100));
  return (
    <Field label={label} help={help} error={error}>
      {({ inputId, describedBy }) => (
        <div className="window-input">
          {ranged && (
            <input
              type="range" min={0} max={1} step={0.05} value={start} aria-label={`${label} start`}
              aria-describedby={describedBy}
              onChange={(e) => onChange([Math.min(clamp(Number(e.target.value)), end), end])}
            />
          )}
          <input
            id={inputId} type="range" min={0} max={1} step={0.05} value={end}
            aria-label={ranged ? `${label} end` : label} aria-describedby={describedBy}
            onChange={(e) => {
              const v = clamp(Number(e.target.value));
              onChange(ranged ? [Math.min(start, v), v] : v);
            }}
          />
          <output>{ranged ? `${start.toFixed(2)}–${end.toFixed(2)}` : end.toFixed(2)}</output>
          <label className="inline">
            <input type="checkbox" checked={ranged} onChange={(e) => onChange(e.target.checked ? [0, end] : end)} /> range
          </label>
        </div>
      )}
    </Field>
  );
}
