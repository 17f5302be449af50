/**
 * A labelled control with a one-sentence explanation (shown as a tooltip and read by screen readers)
 * and an optional error shown right next to it.
 */
import { useId, type ReactNode } from 'react';

export interface FieldProps {
  label: string;
  help: string;
  error?: string;
  children: (ids: { inputId: string; describedBy: string }) => ReactNode;
}

export function Field({ label, help, error, children }: FieldProps) {
  const id = useId();
  const inputId = `${id}-input`;
  const helpId = `${id}-help`;
  const errorId = `${id}-error`;
  return (
    <div className={error ? 'field field-error' : 'field'} title={help}>
      <label htmlFor={inputId}>{label}</label>
      {children({ inputId, describedBy: error ? `${helpId} ${errorId}` : helpId })}
      <span id={helpId} className="visually-hidden">
        {help}
      </span>
      {error && (
        <span id={errorId} role="alert" className="error-text">
          {error}
        </span>
      )}
    </div>
  );
}
