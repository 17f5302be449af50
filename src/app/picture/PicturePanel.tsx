/**
 * "Start from your picture": choose, drop or paste a picture; the run then inverts it with the source prompt and
 * edits it (prompt 0 becomes its reconstruction). Shows the picture as the model will see it (centre square), the
 * inversion method, and what share links cannot carry. Errors about the picture show here.
 */
import { useEffect, useRef, useState } from 'react';
import { EMBEDDED_WITHOUT_ENCODER, TOY_MODEL } from '../../models';
import { useStudio, type InversionChoice } from '../../state/store';
import { RgbaCanvas } from '../RgbaCanvas';
import { pictureIn, readPicture } from './pictureFile';

const METHODS: { value: InversionChoice; label: string }[] = [
  { value: 'negative-prompt', label: 'Negative-prompt inversion (reconstructs the picture)' },
  { value: 'ddim', label: 'Plain DDIM inversion (drifts at guidance above 1)' },
];

export function PicturePanel() {
  const picture = useStudio((s) => s.picture);
  const inversion = useStudio((s) => s.inversion);
  const negative = useStudio((s) => s.recipe.negativePrompt);
  const model = useStudio((s) => s.recipe.model);
  const runError = useStudio((s) => (s.run.error?.field === 'picture' ? s.run.error.message : undefined));
  const { setPicture, setInversion } = useStudio.getState();
  const [problem, setProblem] = useState<string>();
  const [over, setOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  const take = async (file: File | undefined) => {
    if (!file) return;
    try {
      setPicture(await readPicture(file));
      setProblem(undefined);
    } catch (err) {
      setProblem(err instanceof Error ? err.message : String(err)); // the previous picture, if any, stays
    }
  };

  // Pasting a picture anywhere on the page takes it (text pastes are left alone).
  useEffect(() => {
    const onPaste = (e: ClipboardEvent) => {
      const file = pictureIn(e.clipboardData);
      if (!file) return;
      e.preventDefault();
      void take(file);
    };
    document.addEventListener('paste', onPaste);
    return () => document.removeEventListener('paste', onPaste);
  }, []);

  const conflict = picture && inversion === 'negative-prompt' && negative !== '' ? 'Negative-prompt inversion uses the source prompt as the negative prompt: clear the negative prompt, or choose plain DDIM inversion.' : undefined;
  const message = problem ?? runError ?? conflict;
  return (
    <section aria-labelledby="picture-heading" className="panel picture-panel" data-testid="picture-panel">
      <h2 id="picture-heading">Start from your picture</h2>
      <div
        className={`drop-zone${over ? ' drop-over' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          void take(pictureIn(e.dataTransfer));
        }}
        data-testid="picture-drop"
      >
        {picture ? (
          <div className="row picture-chosen">
            <RgbaCanvas width={picture.width} height={picture.height} rgba={picture.rgba} label={`your picture: ${picture.name}`} className="picture-thumb" />
            <span className="picture-facts">
              <strong>{picture.name}</strong>
              <span className="muted">
                {picture.width}×{picture.height}; the centre square is used
              </span>
              <span className="row">
                <button type="button" onClick={() => input.current?.click()}>
                  Another…
                </button>
                <button type="button" onClick={() => setPicture(undefined)}>
                  Remove
                </button>
              </span>
            </span>
          </div>
        ) : (
          <p className="muted">
            <button type="button" onClick={() => input.current?.click()}>
              Choose a picture…
            </button>{' '}
            or drop or paste one here. The source prompt should say what it shows.
          </p>
        )}
        <input
          ref={input} type="file" accept="image/*" className="visually-hidden" aria-label="Picture to edit" tabIndex={-1}
          onChange={(e) => {
            void take(e.target.files?.[0]);
            e.target.value = '';
          }}
        />
      </div>
      {picture && EMBEDDED_WITHOUT_ENCODER.has(model) && (
        <p role="status" className="notice" data-testid="picture-model">
          The {model} model has no VAE encoder, so it cannot take a picture; the toy shapes model can (32 px).{' '}
          <button type="button" onClick={() => useStudio.getState().setModel(TOY_MODEL.id)}>
            Use the toy shapes model
          </button>
        </p>
      )}
      {picture && (
        <>
          <label className="inline">
            Inversion{' '}
            <select value={inversion} onChange={(e) => setInversion(e.target.value as InversionChoice)}>
              {METHODS.map((m) => (
                <option key={m.value} value={m.value}>
                  {m.label}
                </option>
              ))}
            </select>
          </label>
          <p className="muted small">
            Runs with DDIM at the recipe’s steps: the picture is inverted with the source prompt, then edited. Null-text
            inversion needs gradients and does not run here (docs/inversion.md). Share links carry the prompts and
            settings, not the picture.
          </p>
        </>
      )}
      {message && (
        <p role="alert" className="error-text" data-testid="picture-error">
          {message}
        </p>
      )}
    </section>
  );
}
