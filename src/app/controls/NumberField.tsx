/**
 * A labelled number control (seed, steps, guidance, reweight factors): a NumberBox in a Field whose
 * error is the box's own (the typed value and the accepted range) or an engine error about it.
 */
import type { ReactNode } from 'react';
import { useStudio } from '../../state/store';
import type { NumberRule } from '../../state/validate';
import { Field } from './Field';
import { NumberBox } from './NumberBox';

export interface NumberFieldProps {
  field: string;
  label: string;
  help: string;
  rule: NumberRule;
  value: number;
  onChange(value: number): void;
  step?: number;
  /** An engine error about this control. */
  error?: string;
  /** Shown beside the input (e.g. the seed's Shuffle button). */
  after?: ReactNode;
}

export function NumberField({ field, label, help, rule, value, onChange, step, error, after }: NumberFieldProps) {
  const issue = useStudio((s) => s.invalid[field]);
  return (
    <Field label={label} help={help} error={issue?.message ?? error}>
      {({ inputId, describedBy }) => {
        const box = <NumberBox id={inputId} describedBy={describedBy} field={field} label={label} rule={rule} value={value} onChange={onChange} step={step} />;
        return after ? <div className="row">{box}{after}</div> : box;
      }}
    </Field>
  );
}
