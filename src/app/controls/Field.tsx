/**
 * A labelled control with a one-sentence explanation (shown as a tooltip and read by screen readers),
 * an optional note under it (e.g. the prompt's token count) and an optional error shown right next to
 * it; the control gets `aria-invalid` and is described by the error while there is one.
 */
import { useId, type ReactNode } from 'react';

export interface FieldIds {
  inputId: string;
  describedBy: string;
  invalid: boolean;
}

export interface FieldProps {
  label: string;
  help: string;
  error?: string;
  /** Shown under the control and read with it (aria-describedby). */
  note?: ReactNode;
  children: (ids: FieldIds) => ReactNode;
}

export function Field({ label, help, error, note, children }: FieldProps) {
  const id = useId();
  const inputId = `${id}-input`;
  const helpId = `${id}-help`;
  const noteId = `${id}-note`;
  const errorId = `${id}-error`;
  const describedBy = [helpId, note ? noteId : '', error ? errorId : ''].filter(Boolean).join(' ');
  return (
    <div className={error ? 'field field-error' : 'field'} title={help}>
      <label htmlFor={inputId}>{label}</label>
      {children({ inputId, describedBy, invalid: !!error })}
      <span id={helpId} className="visually-hidden">
        {help}
      </span>
      {note && (
        <div id={noteId} className="field-note">
          {note}
        </div>
      )}
      {error && (
        <span id={errorId} role="alert" className="error-text">
          {error}
        </span>
      )}
    </div>
  );
}
